#include "subprocess.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace autokaggle::cli_agent {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

/// Owns one file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.fd_;
            o.fd_ = -1;
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    bool open() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

struct Pipe {
    Fd read, write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
    return {Fd(fds[0]), Fd(fds[1])};
}

/// A started child in its own process group. Ending the object ends the group and reaps it,
/// so no path (exception included) leaves a process behind.
class Child {
public:
    explicit Child(pid_t pid) : pid_(pid) {}
    ~Child() {
        if (!reaped_) {
            ::kill(-pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    /// Non-blocking: true once the child has exited (status stored).
    bool try_reap() {
        if (reaped_) return true;
        pid_t r = ::waitpid(pid_, &status_, WNOHANG);
        if (r == pid_) reaped_ = true;
        return reaped_;
    }
    void reap() {
        while (!reaped_) {
            if (::waitpid(pid_, &status_, 0) == pid_) reaped_ = true;
            else if (errno != EINTR) break;
        }
    }
    void signal_group(int sig) const { ::kill(-pid_, sig); }
    int status() const { return status_; }
    bool reaped() const { return reaped_; }

private:
    pid_t pid_;
    int status_ = 0;
    bool reaped_ = false;
};

/// Appends what is readable; closes the descriptor at end of file.
void drain(Fd& fd, std::string& into) {
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n > 0) {
            into.append(buf, static_cast<std::size_t>(n));
            if (static_cast<std::size_t>(n) < sizeof buf) return;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        fd.reset();
        return;
    }
}

bool is_executable_file(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<fs::path> find_executable(std::string_view name) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string_view::npos) {
        fs::path p(name);
        if (is_executable_file(p)) return fs::absolute(p);
        return std::nullopt;
    }
    const char* path_env = std::getenv("PATH");
    std::string_view path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    while (true) {
        auto colon = path.find(':');
        std::string_view dir = path.substr(0, colon);
        fs::path candidate = fs::path(dir.empty() ? "." : std::string(dir)) / std::string(name);
        if (is_executable_file(candidate)) return fs::absolute(candidate);
        if (colon == std::string_view::npos) break;
        path.remove_prefix(colon + 1);
    }
    return std::nullopt;
}

std::string tail(std::string_view text, std::size_t max_chars) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    if (text.size() <= max_chars) return std::string(text);
    std::string_view cut = text.substr(text.size() - max_chars);
    auto nl = cut.find('\n');
    if (nl != std::string_view::npos && nl + 1 < cut.size()) cut.remove_prefix(nl + 1);
    return "..." + std::string(cut);
}

std::string CommandResult::describe_end(const CommandSpec& spec) const {
    if (timed_out)
        return "timed out after " + std::to_string(spec.timeout.count() / 1000) + " s (process group killed)";
    if (stopped) return "stopped on request (process group killed)";
    if (signal) return "killed by signal " + std::to_string(*signal) + " (" + strsignal(*signal) + ")";
    if (exit_code) return "exit code " + std::to_string(*exit_code);
    return "ended in an unknown way";
}

CommandResult run_command(const CommandSpec& spec) {
    if (spec.argv.empty()) throw Error("run_command: empty command line");
    auto exe = find_executable(spec.argv[0]);
    if (!exe) throw Error("cannot start '" + spec.argv[0] + "': not an executable file and not found on PATH");

    // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
    std::vector<std::string> argv_copy = spec.argv;
    std::vector<char*> argv;
    for (auto& a : argv_copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string exe_str = exe->string();
    std::string cwd_str = spec.cwd.string();

    Pipe out = make_pipe(), err = make_pipe(), exec_status = make_pipe();
    auto started = Clock::now();
    pid_t pid = ::fork();
    if (pid < 0) throw Error(std::string("cannot fork to start '") + spec.argv[0] + "': " + std::strerror(errno));
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(out.write.get(), 1);
        ::dup2(err.write.get(), 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        int child_errno = 0;
        if (!cwd_str.empty() && ::chdir(cwd_str.c_str()) != 0) child_errno = errno;
        if (child_errno == 0) {
            ::execv(exe_str.c_str(), argv.data());
            child_errno = errno;
        }
        // Tell the parent why exec failed through the close-on-exec pipe.
        ssize_t ignored = ::write(exec_status.write.get(), &child_errno, sizeof child_errno);
        (void)ignored;
        ::_exit(127);
    }
    Child child(pid);
    ::setpgid(pid, pid);  // also from the parent, so a kill right after fork reaches the group
    out.write.reset();
    err.write.reset();
    exec_status.write.reset();
    {
        int child_errno = 0;
        ssize_t n;
        while ((n = ::read(exec_status.read.get(), &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
        }
        if (n == static_cast<ssize_t>(sizeof child_errno)) {
            child.reap();
            throw Error("cannot start '" + exe_str + "'" + (cwd_str.empty() ? "" : " in " + cwd_str) + ": " +
                        std::strerror(child_errno));
        }
    }
    ::fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
    ::fcntl(err.read.get(), F_SETFL, O_NONBLOCK);

    CommandResult result;
    auto deadline = spec.timeout.count() > 0 ? started + spec.timeout : Clock::time_point::max();
    std::optional<Clock::time_point> kill_at;  // SIGKILL time after a SIGTERM we sent
    // Read until both pipes close and the child exited; timeout and stop end the whole group.
    std::optional<Clock::time_point> leader_exited;
    while (out.read.open() || err.read.open() || !child.try_reap()) {
        auto now = Clock::now();
        if (child.reaped()) {
            // The CLI has exited but something it started still holds its output open: read
            // what comes within a short grace period, then stop listening.
            if (!leader_exited) leader_exited = now;
            else if (now - *leader_exited > std::chrono::seconds(2)) break;
        }
        if (!kill_at) {
            if (now >= deadline) result.timed_out = true;
            else if (spec.should_stop && spec.should_stop()) result.stopped = true;
            if (result.timed_out || result.stopped) {
                child.signal_group(SIGTERM);
                kill_at = now + std::chrono::seconds(3);
            }
        } else if (now >= *kill_at) {
            child.signal_group(SIGKILL);
            kill_at = Clock::time_point::max();
        }
        if (!out.read.open() && !err.read.open()) {
            // Pipes closed, process still running: wait for it in small steps.
            ::usleep(20000);
            continue;
        }
        pollfd fds[2] = {{out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}};
        int rc = ::poll(fds, 2, 100);
        if (rc < 0 && errno != EINTR) throw Error(std::string("poll failed: ") + std::strerror(errno));
        if (out.read.open() && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) drain(out.read, result.out);
        if (err.read.open() && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) drain(err.read, result.err);
    }
    // The leader has exited; make sure nothing it left in its group lives on after a kill.
    if (result.timed_out || result.stopped) child.signal_group(SIGKILL);
    int status = child.status();
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
}

}  // namespace autokaggle::cli_agent
