#include "subprocess.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

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

constexpr std::string_view kTreeVariable = "AUTOKAGGLE_PROCESS_TREE=";

/// A token no other command shares: this process, the clock and a random number.
std::string new_tree_token() {
    auto nanos = std::chrono::system_clock::now().time_since_epoch() / std::chrono::nanoseconds(1);
    return std::to_string(::getpid()) + "." + std::to_string(nanos) + "." + std::to_string(std::random_device{}());
}

/// This process's environment with the tree token added (after the tokens of enclosing trees).
std::vector<std::string> environment_with(const std::string& token) {
    std::vector<std::string> env;
    std::string enclosing;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        if (entry.rfind(kTreeVariable, 0) == 0) enclosing = std::string(entry.substr(kTreeVariable.size())) + ":";
        else env.emplace_back(entry);
    }
    env.push_back(std::string(kTreeVariable) + enclosing + token);
    return env;
}

/// The processes (this one aside) whose environment carries `token`: the command and everything
/// it started, wherever they were re-parented.
std::vector<pid_t> tree_members(const std::string& token) {
    std::vector<pid_t> members;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(name));
        if (pid == ::getpid()) continue;
        std::ifstream in(entry.path() / "environ", std::ios::binary);
        const std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (std::size_t pos = 0; pos < env.size();) {
            std::size_t end = env.find('\0', pos);
            if (end == std::string::npos) end = env.size();
            std::string_view var(env.data() + pos, end - pos);
            if (var.rfind(kTreeVariable, 0) == 0 && var.find(token) != std::string_view::npos) {
                members.push_back(pid);
                break;
            }
            pos = end + 1;
        }
    }
    return members;
}

void signal_tree(const std::string& token, int sig) {
    for (pid_t pid : tree_members(token)) ::kill(pid, sig);
}

/// Ends what is left of the tree: SIGTERM, then SIGKILL for whatever still runs after `grace`.
void end_tree(const std::string& token, std::chrono::milliseconds grace) {
    std::vector<pid_t> left = tree_members(token);
    if (left.empty()) return;
    for (pid_t pid : left) ::kill(pid, SIGTERM);
    const auto until = Clock::now() + grace;
    while (!left.empty() && Clock::now() < until) {
        ::usleep(50000);
        left = tree_members(token);
    }
    for (pid_t pid : left) ::kill(pid, SIGKILL);
}

/// A started child in its own process group. Ending the object ends the group and the tree and
/// reaps the child, so no path (exception included) leaves a process behind.
class Child {
public:
    Child(pid_t pid, std::string tree_token) : pid_(pid), tree_token_(std::move(tree_token)) {}
    ~Child() {
        if (!reaped_) {
            ::kill(-pid_, SIGKILL);
            signal_tree(tree_token_, SIGKILL);
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
    /// The process group and every process of the tree, wherever it lives.
    void signal_all(int sig) const {
        ::kill(-pid_, sig);
        signal_tree(tree_token_, sig);
    }
    int status() const { return status_; }
    bool reaped() const { return reaped_; }
    const std::string& tree_token() const { return tree_token_; }

private:
    pid_t pid_;
    std::string tree_token_;
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
        return "timed out after " + std::to_string(spec.timeout.count() / 1000) + " s (process tree ended)";
    if (stopped) return "stopped on request (process tree ended)";
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
    const std::string tree_token = new_tree_token();
    std::vector<std::string> env_copy = environment_with(tree_token);
    std::vector<char*> envp;
    for (auto& e : env_copy) envp.push_back(e.data());
    envp.push_back(nullptr);

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
            ::execve(exe_str.c_str(), argv.data(), envp.data());
            child_errno = errno;
        }
        // Tell the parent why exec failed through the close-on-exec pipe.
        ssize_t ignored = ::write(exec_status.write.get(), &child_errno, sizeof child_errno);
        (void)ignored;
        ::_exit(127);
    }
    Child child(pid, tree_token);
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
    for (;;) {
        // Reaped on every turn: a process the CLI started may hold its output open forever.
        if (child.try_reap() && !out.read.open() && !err.read.open()) break;
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
                child.signal_all(SIGTERM);
                kill_at = now + std::chrono::seconds(3);
            }
        } else if (now >= *kill_at) {
            child.signal_all(SIGKILL);
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
        if (out.read.open() && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            const std::size_t before = result.out.size();
            drain(out.read, result.out);
            if (spec.on_stdout && result.out.size() > before)
                spec.on_stdout(std::string_view(result.out).substr(before));
        }
        if (err.read.open() && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) drain(err.read, result.err);
    }
    // The leader has exited; nothing it started lives on: after a kill at once, after a normal
    // end (or the leader's own crash) with a short grace for the stragglers.
    if (result.timed_out || result.stopped) child.signal_all(SIGKILL);
    end_tree(child.tree_token(), result.timed_out || result.stopped ? std::chrono::milliseconds(0)
                                                                    : std::chrono::milliseconds(2000));
    int status = child.status();
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
}

}  // namespace autokaggle::cli_agent
