// A child process for the Builder's own helper scripts (the EDA): its own process group, output
// appended to a log file, a wall-clock limit, and cancellation that ends the whole group.
#include "autopilot.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace autokaggle::autopilot {

namespace {

/// Ends the process group and reaps the child unless it was already reaped.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ~ChildGuard() {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    void release() { pid_ = -1; }

private:
    pid_t pid_;
};

}  // namespace

int run_process(const std::vector<std::string>& argv, const fs::path& log_file, double timeout_s,
                const HostServices* host) {
    if (argv.empty()) throw Error("autopilot: empty command");
    fs::create_directories(log_file.parent_path());
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(std::string("autopilot: cannot start ") + argv[0] + ": " + std::strerror(errno));
    if (pid == 0) {
        ::setpgid(0, 0);
        int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        ::execvp(args[0], args.data());
        const char* msg = "autopilot: exec failed\n";
        (void)!::write(2, msg, std::strlen(msg));
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    ChildGuard guard(pid);
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            guard.release();
            ::kill(-pid, SIGKILL);  // grandchildren left behind
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (host && host->cancel_requested()) throw Cancelled("autopilot: stopped " + argv[0] + " (campaign stopping)");
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (timeout_s > 0 && elapsed > timeout_s) return -1;  // the guard ends the group
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace autokaggle::autopilot
