#include "base/cgroup.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace autokaggle::process {

namespace fs = std::filesystem;

namespace {

bool is_cgroup2(const fs::path& mount) {
    struct statfs info {};
    return ::statfs(mount.c_str(), &info) == 0 && static_cast<long>(info.f_type) == CGROUP2_SUPER_MAGIC;
}

/// The unified-hierarchy path of this process ("0::/user.slice/..." in /proc/self/cgroup).
std::string own_cgroup_path() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) return line.substr(3);
    return {};
}

std::string read_small(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool write_small(const fs::path& path, const std::string& value) {
    std::ofstream out(path);
    out << value;
    out.flush();
    return static_cast<bool>(out);
}

}  // namespace

Cgroup::Cgroup(fs::path dir) : dir_(std::move(dir)), procs_file_((dir_ / "cgroup.procs").string()) {}

std::unique_ptr<Cgroup> Cgroup::try_create(std::string_view name, long long memory_bytes, std::string& why_not,
                                           std::string& memory_note) {
    fs::path mount;
    for (const char* candidate : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
        if (is_cgroup2(candidate)) {
            mount = candidate;
            break;
        }
    if (mount.empty()) {
        why_not = "no cgroup v2 hierarchy mounted at /sys/fs/cgroup";
        return nullptr;
    }
    std::string own = own_cgroup_path();
    if (own.empty()) {
        why_not = "this process has no cgroup v2 path in /proc/self/cgroup";
        return nullptr;
    }
    fs::path parent = mount / fs::path(own).relative_path();
    fs::path dir = parent / ("autokaggle-" + std::string(name));
    if (::mkdir(dir.c_str(), 0755) != 0) {
        why_not = "cannot create " + dir.string() + ": " + std::strerror(errno);
        return nullptr;
    }
    auto cgroup = std::make_unique<Cgroup>(dir);
    if (memory_bytes > 0) {
        std::string controllers = read_small(parent / "cgroup.subtree_control");
        if (controllers.find("memory") == std::string::npos) {
            memory_note = "the memory controller is not enabled in " + (parent / "cgroup.subtree_control").string();
        } else if (!write_small(dir / "memory.max", std::to_string(memory_bytes))) {
            memory_note = "cannot write " + (dir / "memory.max").string();
        } else {
            write_small(dir / "memory.swap.max", "0");  // absent without swap accounting: not an error
            cgroup->caps_memory_ = true;
        }
    }
    return cgroup;
}

Cgroup::~Cgroup() { ::rmdir(dir_.c_str()); }

long long Cgroup::oom_kills() const {
    std::istringstream events(read_small(dir_ / "memory.events"));
    std::string key;
    long long value = 0;
    while (events >> key >> value)
        if (key == "oom_kill") return value;
    return 0;
}

}  // namespace autokaggle::process
