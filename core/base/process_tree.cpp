#include "base/process_tree.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace autokaggle::process {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

/// Reads a small /proc or /sys file whole (they report size 0, so read until EOF).
std::optional<std::string> read_small_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string content;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            content.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    ::close(fd);
    return content;
}

bool environment_has(pid_t pid, std::string_view entry) {
    auto environ = read_small_file("/proc/" + std::to_string(pid) + "/environ");
    if (!environ) return false;
    std::string_view all = *environ;
    while (!all.empty()) {
        auto end = all.find('\0');
        if (all.substr(0, end) == entry) return true;
        if (end == std::string_view::npos) break;
        all.remove_prefix(end + 1);
    }
    return false;
}

std::vector<pid_t> cgroup_members(const fs::path& cgroup) {
    std::vector<pid_t> pids;
    auto text = read_small_file((cgroup / "cgroup.procs").string());
    if (!text) return pids;
    std::istringstream in(*text);
    for (long pid; in >> pid;)
        if (pid > 0) pids.push_back(static_cast<pid_t>(pid));
    return pids;
}

/// cgroup.kill (Linux 5.14+) SIGKILLs every member at once, forks in flight included.
bool kill_cgroup(const fs::path& cgroup) {
    int fd = ::open((cgroup / "cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::write(fd, "1", 1) == 1;
    ::close(fd);
    return ok;
}

struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

std::optional<ProcessStat> read_process_stat(pid_t pid) {
    auto content = read_small_file("/proc/" + std::to_string(pid) + "/stat");
    if (!content) return std::nullopt;
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    auto close = content->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(content->substr(close + 1));
    ProcessStat stat;
    stat.pid = pid;
    std::string skip;
    rest >> stat.state >> stat.ppid >> stat.pgrp >> stat.session;
    // Fields 7..21 come before starttime (field 22).
    for (int field = 7; field <= 21 && rest; ++field) rest >> skip;
    rest >> stat.start_time;
    if (!rest) return std::nullopt;
    return stat;
}

std::vector<ProcessStat> all_processes() {
    std::vector<ProcessStat> found;
    std::unique_ptr<DIR, DirCloser> proc(::opendir("/proc"));
    if (!proc) return found;
    while (dirent* entry = ::readdir(proc.get())) {
        char* end = nullptr;
        long value = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0' || value <= 0) continue;
        if (auto stat = read_process_stat(static_cast<pid_t>(value))) found.push_back(*stat);
    }
    return found;
}

std::string boot_id() {
    auto content = read_small_file("/proc/sys/kernel/random/boot_id");
    if (!content) return {};
    while (!content->empty() && (content->back() == '\n' || content->back() == ' ')) content->pop_back();
    return *content;
}

std::string random_token() {
    std::random_device rd;
    std::ostringstream out;
    out << std::hex;
    for (int i = 0; i < 4; ++i) {
        out.width(8);
        out.fill('0');
        out << rd();
    }
    return out.str();
}

std::optional<ProcessIdentity> ProcessIdentity::of(pid_t pid) {
    auto stat = read_process_stat(pid);
    if (!stat || !stat->live()) return std::nullopt;
    return ProcessIdentity{pid, stat->start_time};
}

bool ProcessIdentity::alive() const {
    auto stat = read_process_stat(pid);
    return stat && stat->live() && stat->start_time == start_time;
}

bool ProcessIdentity::signal(int sig) const {
    if (pid <= 0 || !alive()) return false;
    return ::kill(pid, sig) == 0;
}

std::vector<ProcessIdentity> find_tree(const TreeScope& scope) {
    const pid_t self = ::getpid();
    const auto processes = all_processes();
    std::multimap<pid_t, const ProcessStat*> children;
    for (const auto& p : processes) children.emplace(p.ppid, &p);
    std::set<pid_t> members;
    std::set<pid_t> excluded(scope.exclude.begin(), scope.exclude.end());
    excluded.insert(self);
    // Parent links down from `root`. An exiting process hands its children to the nearest
    // subreaper (or init) at once, so this finds only what is still attached.
    auto walk = [&](pid_t root) {
        std::vector<pid_t> todo{root};
        while (!todo.empty()) {
            pid_t at = todo.back();
            todo.pop_back();
            auto [begin, end] = children.equal_range(at);
            for (auto it = begin; it != end; ++it) {
                pid_t child = it->second->pid;
                if (excluded.count(child) || !members.insert(child).second) continue;
                todo.push_back(child);
            }
        }
    };
    if (scope.leader > 0) {
        members.insert(scope.leader);
        if (scope.descendants) walk(scope.leader);
    }
    if (scope.adopted) walk(self);
    std::set<pid_t> in_cgroup;
    if (!scope.cgroup.empty())
        for (pid_t pid : cgroup_members(scope.cgroup)) in_cgroup.insert(pid);
    std::vector<ProcessIdentity> found;
    for (const auto& p : processes) {
        if (!p.live() || excluded.count(p.pid)) continue;
        bool member = members.count(p.pid) || in_cgroup.count(p.pid) || (scope.group > 0 && p.pgrp == scope.group) ||
                      (!scope.marker.empty() && environment_has(p.pid, scope.marker));
        if (member) found.push_back(ProcessIdentity{p.pid, p.start_time});
    }
    return found;
}

std::vector<ProcessIdentity> TreeMembers::refresh() {
    for (const auto& found : find_tree(scope_)) {
        bool seen = false;
        for (const auto& [pid, start] : known_) seen = seen || (pid == found.pid && start == found.start_time);
        if (!seen) known_.emplace_back(found.pid, found.start_time);
    }
    std::vector<ProcessIdentity> alive;
    std::vector<std::pair<pid_t, unsigned long long>> still;
    for (const auto& [pid, start] : known_) {
        ProcessIdentity id{pid, start};
        if (!id.alive()) continue;
        alive.push_back(id);
        still.emplace_back(pid, start);
    }
    known_ = std::move(still);
    return alive;
}

void TreeMembers::signal(const std::vector<ProcessIdentity>& members, int sig) const {
    if (scope_.group > 0) ::kill(-scope_.group, sig);
    for (const auto& m : members) m.signal(sig);
    if (sig == SIGKILL && !scope_.cgroup.empty()) kill_cgroup(scope_.cgroup);
}

bool TreeMembers::end(std::chrono::milliseconds grace, const std::function<void()>& while_waiting) {
    constexpr auto step = std::chrono::milliseconds(50);
    auto wait_until_gone = [&](Clock::time_point deadline) {
        for (;;) {
            auto left = refresh();
            if (left.empty() || Clock::now() >= deadline) return left;
            if (while_waiting) while_waiting();
            std::this_thread::sleep_for(step);
        }
    };
    auto alive = refresh();
    if (alive.empty()) return false;
    signal(alive, SIGTERM);
    alive = wait_until_gone(Clock::now() + grace);
    if (alive.empty()) return false;
    // Processes started during the grace period are members too: signal until none is left.
    auto give_up = Clock::now() + std::chrono::seconds(5);
    while (!alive.empty() && Clock::now() < give_up) {
        signal(alive, SIGKILL);
        alive = wait_until_gone(std::min(give_up, Clock::now() + std::chrono::milliseconds(500)));
    }
    return true;
}

std::vector<ProcessIdentity> signal_tree(const TreeScope& scope, int sig) {
    TreeMembers members(scope);
    auto found = members.refresh();
    members.signal(found, sig);
    return found;
}

bool end_tree(const TreeScope& scope, std::chrono::milliseconds grace, const std::function<void()>& while_waiting) {
    return TreeMembers(scope).end(grace, while_waiting);
}

void become_subreaper() {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        throw Error(std::string("prctl(PR_SET_CHILD_SUBREAPER): ") + std::strerror(errno));
}

void reap_adopted(pid_t keep) {
    const pid_t self = ::getpid();
    for (const auto& p : all_processes()) {
        if (p.ppid != self || p.pid == keep || p.live()) continue;
        int status = 0;
        ::waitpid(p.pid, &status, WNOHANG);
    }
}

std::string signal_name(int sig) {
    switch (sig) {
        case SIGHUP: return "SIGHUP";
        case SIGINT: return "SIGINT";
        case SIGQUIT: return "SIGQUIT";
        case SIGILL: return "SIGILL";
        case SIGABRT: return "SIGABRT";
        case SIGBUS: return "SIGBUS";
        case SIGFPE: return "SIGFPE";
        case SIGKILL: return "SIGKILL";
        case SIGSEGV: return "SIGSEGV";
        case SIGPIPE: return "SIGPIPE";
        case SIGTERM: return "SIGTERM";
        case SIGXCPU: return "SIGXCPU";
        case SIGXFSZ: return "SIGXFSZ";
        default: return "signal " + std::to_string(sig);
    }
}

}  // namespace autokaggle::process
