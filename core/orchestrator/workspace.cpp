#include "orchestrator/workspace.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace autokaggle {
namespace fs = std::filesystem;

std::string round_tag(int round) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "R%02d", round);
    return buf;
}

fs::path round_file(const WorkspacePaths& paths, int round, std::string_view suffix) {
    return paths.rounds / (round_tag(round) + "_" + std::string(suffix));
}

std::string workspace_relative(const WorkspacePaths& paths, const fs::path& path) {
    if (path.empty()) return {};
    auto rel = path.lexically_relative(paths.root);
    if (rel.empty() || *rel.begin() == "..") return path.string();
    return rel.generic_string();
}

void ensure_workspace_folders(const WorkspacePaths& paths) {
    for (const auto& dir : {paths.rounds, paths.agents, paths.logs}) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw Error("cannot create folder " + dir.string() + ": " + ec.message());
    }
}

fs::path WorkspaceLock::lock_file(const fs::path& root) { return root / ".autokaggle.lock"; }

namespace {
long read_pid(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    return std::strtol(buf, nullptr, 10);
}
}  // namespace

WorkspaceLock::WorkspaceLock(const fs::path& root) {
    const fs::path file = lock_file(root);
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error("cannot open lock file " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const long pid = read_pid(fd_);
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK) {
            throw LockHeldError("workspace " + root.string() + " is in use by another autokaggle run (pid " +
                                    std::to_string(pid) + ", lock " + file.string() +
                                    "); stop that process first or wait for it to finish",
                                pid);
        }
        throw Error("cannot lock " + file.string() + ": " + std::strerror(err));
    }
    // The pid is informational (the flock is the lock); written in place, short and whole.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        throw Error("cannot write pid to lock file " + file.string() + ": " + std::strerror(err));
    }
}

WorkspaceLock::~WorkspaceLock() {
    if (fd_ < 0) return;
    (void)::ftruncate(fd_, 0);
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
}

}  // namespace autokaggle
