#include "process_tree.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace autokaggle::local_runner {

namespace {

/// Reads a small /proc file whole (they report size 0, so read until EOF).
std::optional<std::string> read_proc_file(const std::string& path) {
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
    auto environ = read_proc_file("/proc/" + std::to_string(pid) + "/environ");
    if (!environ) return false;
    std::string_view all = *environ;
    while (!all.empty()) {
        auto end = all.find('\0');
        std::string_view one = all.substr(0, end);
        if (one == entry) return true;
        if (end == std::string_view::npos) break;
        all.remove_prefix(end + 1);
    }
    return false;
}

struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

std::optional<ProcessStat> read_process_stat(pid_t pid) {
    auto content = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
    if (!content) return std::nullopt;
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    auto close = content->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(content->substr(close + 1));
    ProcessStat stat;
    stat.pid = pid;
    std::string skip;
    rest >> stat.state >> stat.ppid >> stat.pgrp;
    // Fields 6..21 come before starttime (field 22).
    for (int field = 6; field <= 21 && rest; ++field) rest >> skip;
    rest >> stat.start_time;
    if (!rest) return std::nullopt;
    return stat;
}

std::string boot_id() {
    auto content = read_proc_file("/proc/sys/kernel/random/boot_id");
    if (!content) return {};
    while (!content->empty() && (content->back() == '\n' || content->back() == ' ')) content->pop_back();
    return *content;
}

std::string make_run_token() {
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

std::vector<pid_t> live_run_processes(pid_t pgid, std::string_view token, pid_t exclude) {
    std::vector<pid_t> found;
    std::unique_ptr<DIR, DirCloser> proc(::opendir("/proc"));
    if (!proc) return found;
    std::string marker = token.empty() ? std::string() : std::string(kRunTokenVariable) + "=" + std::string(token);
    while (dirent* entry = ::readdir(proc.get())) {
        char* end = nullptr;
        long value = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0' || value <= 0) continue;
        auto pid = static_cast<pid_t>(value);
        if (pid == exclude) continue;
        auto stat = read_process_stat(pid);
        if (!stat || stat->state == 'Z' || stat->state == 'X') continue;
        bool in_group = pgid > 0 && stat->pgrp == pgid;
        if (in_group || (!marker.empty() && environment_has(pid, marker))) found.push_back(pid);
    }
    return found;
}

void signal_processes(pid_t pgid, const std::vector<pid_t>& pids, int sig) {
    if (pgid > 0) ::kill(-pgid, sig);
    for (pid_t pid : pids) ::kill(pid, sig);
}

bool end_processes(const std::function<std::vector<pid_t>()>& find, pid_t pgid, std::chrono::milliseconds grace,
                   const std::function<void()>& while_waiting) {
    using clock = std::chrono::steady_clock;
    constexpr auto step = std::chrono::milliseconds(50);
    auto wait_until_gone = [&](clock::time_point deadline) {
        for (;;) {
            auto left = find();
            if (left.empty()) return left;
            if (clock::now() >= deadline) return left;
            if (while_waiting) while_waiting();
            std::this_thread::sleep_for(step);
        }
    };
    auto alive = find();
    if (alive.empty()) return false;
    signal_processes(pgid, alive, SIGTERM);
    alive = wait_until_gone(clock::now() + grace);
    if (alive.empty()) return false;
    signal_processes(pgid, alive, SIGKILL);
    wait_until_gone(clock::now() + std::chrono::seconds(5));
    return true;
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

}  // namespace autokaggle::local_runner
