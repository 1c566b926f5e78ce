#include "base/process.hpp"

#include "base/install_paths.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

#ifndef AUTOKAGGLE_BIN_FROM_LIB
#define AUTOKAGGLE_BIN_FROM_LIB "../bin"
#endif

namespace autokaggle::process {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxReadPerPump = 1024 * 1024;  ///< per stream and pump: bounds what one call hands over
constexpr auto kSlice = milliseconds(100);             ///< how often limits and should_stop are checked
constexpr auto kDrainAfterExit = std::chrono::seconds(2);

/// Owns one file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
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

[[noreturn]] void fail_errno(const std::string& what) { throw Error(what + ": " + std::strerror(errno)); }

std::pair<Fd, Fd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("cannot create a pipe");
    return {Fd(fds[0]), Fd(fds[1])};
}

bool is_executable_file(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}


/// "openaiApiKey" -> "OPENAI_API_KEY": camelCase humps become underscores.
std::string normalised_name(std::string_view name) {
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (i > 0 && std::isupper(static_cast<unsigned char>(c)) && std::islower(static_cast<unsigned char>(name[i - 1])))
            out += '_';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c == '-' || c == '.' ? '_' : c)));
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// What an exec failure reports through the close-on-exec pipe: the errno and the step.
struct ExecFailure {
    int error = 0;
    char what[96] = {};
};

/// Copies a C string into a fixed buffer without the library (async-signal-safe).
void copy_what(char (&into)[96], const char* what) {
    std::size_t i = 0;
    for (; what && what[i] && i + 1 < sizeof into; ++i) into[i] = what[i];
    into[i] = '\0';
}

}  // namespace

// ---- Environment -------------------------------------------------------------------------------

Environment Environment::inherited() {
    Environment env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        auto eq = entry.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        env.variables_.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return env;
}

void Environment::set(const std::string& name, const std::string& value) { variables_[name] = value; }
void Environment::unset(const std::string& name) { variables_.erase(name); }

std::optional<std::string> Environment::get(const std::string& name) const {
    auto it = variables_.find(name);
    if (it == variables_.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> Environment::entries() const {
    std::vector<std::string> out;
    out.reserve(variables_.size());
    for (const auto& [name, value] : variables_) out.push_back(name + "=" + value);
    return out;
}

bool looks_like_secret(std::string_view name) {
    const std::string n = normalised_name(name);
    for (std::string_view exact : {"KAGGLE_USERNAME", "KAGGLE_KEY", "GH_TOKEN", "NETRC"})
        if (n == exact) return true;
    for (std::string_view suffix : {"_KEY", "_TOKEN", "_SECRET", "_PASS", "_PWD", "_AUTH"})
        if (ends_with(n, suffix)) return true;
    for (std::string_view part : {"API_KEY", "APIKEY", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "ACCESS_KEY",
                                  "PRIVATE_KEY", "SESSION_TOKEN", "AUTH_TOKEN"})
        if (n.find(part) != std::string::npos) return true;
    for (std::string_view prefix : {"AWS_", "AZURE_", "GOOGLE_APPLICATION_CREDENTIALS"})
        if (starts_with(n, prefix)) return true;
    return false;
}

Environment Environment::without_secrets() const {
    Environment out;
    for (const auto& [name, value] : variables_)
        if (!looks_like_secret(name)) out.variables_.emplace(name, value);
    return out;
}

Environment Environment::for_generated_code(const std::vector<std::string>& also_allowed) const {
    static constexpr std::string_view exact[] = {
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TZ", "TMPDIR", "LANG", "LANGUAGE",
        "VIRTUAL_ENV", "LD_LIBRARY_PATH", "OMP_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"};
    static constexpr std::string_view prefixes[] = {"LC_",   "PYTHON",    "CONDA_",    "CUDA_",  "NVIDIA_",
                                                    "OMP_",  "MKL_",      "OPENBLAS_", "NUMEXPR_", "BLIS_",
                                                    "KMP_",  "AUTOKAGGLE_"};
    auto allowed = [&](const std::string& name) {
        for (auto e : exact)
            if (name == e) return true;
        for (auto p : prefixes)
            if (starts_with(name, p)) return true;
        if (ends_with(name, "_NUM_THREADS")) return true;
        return std::find(also_allowed.begin(), also_allowed.end(), name) != also_allowed.end();
    };
    Environment out;
    for (const auto& [name, value] : variables_)
        if (allowed(name) && !looks_like_secret(name)) out.variables_.emplace(name, value);
    return out;
}

// ---- ExitStatus -------------------------------------------------------------------------------

std::string ExitStatus::describe(milliseconds timeout) const {
    std::ostringstream out;
    if (timed_out) {
        out << "timed out";
        if (timeout.count() > 0) out << " after " << static_cast<double>(timeout.count()) / 1000.0 << " s";
        out << " (process tree ended" << (killed ? " with SIGKILL" : "") << ")";
        return out.str();
    }
    if (stopped) return std::string("stopped on request (process tree ended") + (killed ? " with SIGKILL" : "") + ")";
    if (signal) return "killed by " + signal_name(*signal);
    if (exit_code) return "exit code " + std::to_string(*exit_code);
    return "ended in an unknown way";
}

// ---- ChildProcess -----------------------------------------------------------------------------

struct ChildProcess::State {
    ProcessSpec spec;
    fs::path exe;
    pid_t pid = -1;
    Clock::time_point started;
    Fd out_pipe, err_pipe;  ///< read ends, for capture and sink
    std::string out_text, err_text;
    TreeMembers tree{TreeScope{}};

    bool exited = false;  ///< the leader has exited (seen with WNOWAIT, not reaped yet)
    bool finished = false;
    bool released = false;
    ExitStatus status;

    enum class Ending { none, timeout, stop } ending = Ending::none;
    Clock::time_point kill_at;
    bool sigkill_sent = false;

    std::string program() const {
        return exe.string() + (spec.cwd.empty() ? "" : " in " + spec.cwd.string());
    }

    void deliver(bool is_out, std::string_view chunk) {
        const Output& o = is_out ? spec.out : spec.err;
        if (o.kind == Output::Kind::sink && o.receive) o.receive(chunk);
        else (is_out ? out_text : err_text).append(chunk);
    }

    /// Reads what is readable (at most kMaxReadPerPump per stream); closes a stream at EOF.
    bool read_stream(Fd& fd, bool is_out) {
        std::size_t total = 0;
        char buf[kReadChunk];
        while (total < kMaxReadPerPump) {
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n > 0) {
                deliver(is_out, std::string_view(buf, static_cast<std::size_t>(n)));
                total += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) break;
            fd.reset();  // EOF or error
            break;
        }
        return total > 0;
    }

    /// Waits up to `wait` for output and reads it. True when something arrived.
    bool pump(milliseconds wait) {
        pollfd fds[2];
        Fd* owners[2];
        bool is_out[2];
        nfds_t n = 0;
        if (out_pipe.open()) fds[n] = {out_pipe.get(), POLLIN, 0}, owners[n] = &out_pipe, is_out[n++] = true;
        if (err_pipe.open()) fds[n] = {err_pipe.get(), POLLIN, 0}, owners[n] = &err_pipe, is_out[n++] = false;
        if (n == 0) {
            if (wait.count() > 0) std::this_thread::sleep_for(std::min(wait, milliseconds(20)));
            return false;
        }
        int ready = ::poll(fds, n, static_cast<int>(wait.count()));
        if (ready <= 0) return false;
        bool news = false;
        for (nfds_t i = 0; i < n; ++i)
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) news = read_stream(*owners[i], is_out[i]) || news;
        return news;
    }

    bool leader_exited() {
        if (exited) return true;
        siginfo_t info{};
        // WNOWAIT: the leader stays a zombie, so its pid and group id cannot be reused until
        // the tree has been dealt with in finish().
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            if (errno == EINTR) return false;
            exited = true;  // ECHILD: reaped elsewhere; nothing more to learn
            return true;
        }
        if (info.si_pid == 0) return false;
        exited = true;
        if (info.si_code == CLD_EXITED) status.exit_code = info.si_status;
        else status.signal = info.si_status;
        return true;
    }

    void begin_ending(Ending why) {
        ending = why;
        if (why == Ending::timeout) status.timed_out = true;
        else status.stopped = true;
        kill_at = Clock::now() + spec.kill_grace;
        tree.signal(tree.refresh(), SIGTERM);
    }

    void enforce_limits() {
        auto now = Clock::now();
        if (ending == Ending::none) {
            if (spec.timeout.count() > 0 && now - started >= spec.timeout) begin_ending(Ending::timeout);
            else if (spec.should_stop && spec.should_stop()) begin_ending(Ending::stop);
        } else if (!sigkill_sent && now >= kill_at) {
            sigkill_sent = true;
            status.killed = true;
            tree.signal(tree.refresh(), SIGKILL);
        }
    }

    void finish() {
        // What the leader left in its tree: ended on request, and by default at a normal exit.
        if (ending != Ending::none || spec.end_leftovers) {
            auto grace = ending == Ending::none ? spec.kill_grace
                         : sigkill_sent         ? milliseconds(0)
                                                : std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(
                                                                                kill_at - Clock::now()));
            if (tree.end(grace, [this] { pump(milliseconds(0)); })) status.killed = true;
        }
        auto drain_until = Clock::now() + kDrainAfterExit;
        while ((out_pipe.open() || err_pipe.open()) && Clock::now() < drain_until) pump(milliseconds(50));
        out_pipe.reset();
        err_pipe.reset();
        int raw = 0;
        while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
        }
        if (!status.exit_code && !status.signal) {
            if (WIFEXITED(raw)) status.exit_code = WEXITSTATUS(raw);
            else if (WIFSIGNALED(raw)) status.signal = WTERMSIG(raw);
        }
        status.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        finished = true;
    }

    std::optional<ExitStatus> poll(milliseconds max_wait) {
        if (finished || released) return finished ? std::optional<ExitStatus>(status) : std::nullopt;
        auto deadline = Clock::now() + max_wait;
        for (;;) {
            auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
            pump(std::clamp(left, milliseconds(0), kSlice));
            if (leader_exited()) {
                finish();
                return status;
            }
            enforce_limits();
            if (Clock::now() >= deadline) return std::nullopt;
        }
    }

    ExitStatus end() {
        if (finished) return status;
        if (!leader_exited()) {
            if (ending == Ending::none) {
                ending = Ending::stop;
                status.stopped = true;
            }
            auto grace = sigkill_sent ? milliseconds(0) : spec.kill_grace;
            if (tree.end(grace, [this] { pump(milliseconds(0)); })) {
                status.killed = true;
                sigkill_sent = true;
            }
            auto give_up = Clock::now() + std::chrono::seconds(5);
            while (!leader_exited() && Clock::now() < give_up) pump(milliseconds(20));
        }
        finish();
        return status;
    }
};

ChildProcess::ChildProcess(std::unique_ptr<State> state) : state_(std::move(state)) {}
ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;
ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        if (state_ && !state_->finished && !state_->released) {
            try {
                state_->end();
            } catch (...) {
            }
        }
        state_ = std::move(other.state_);
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    if (!state_ || state_->finished || state_->released) return;
    try {
        state_->end();
    } catch (...) {
        // Ending only signals and waits; a sink that throws must not escape a destructor.
    }
}

pid_t ChildProcess::pid() const { return state_->pid; }
std::optional<ExitStatus> ChildProcess::poll(milliseconds max_wait) { return state_->poll(max_wait); }

ExitStatus ChildProcess::wait() {
    for (;;)
        if (auto s = state_->poll(std::chrono::seconds(1))) return *s;
}

ExitStatus ChildProcess::end() { return state_->end(); }
void ChildProcess::release() { state_->released = true; }
const std::string& ChildProcess::out() const { return state_->out_text; }
const std::string& ChildProcess::err() const { return state_->err_text; }

ChildProcess ChildProcess::start(ProcessSpec spec) {
    if (spec.argv.empty()) throw Error("cannot start a process: empty command line");
    std::optional<std::string> search_path;
    if (spec.env) search_path = spec.env->get("PATH");
    auto exe = find_executable(spec.argv[0], search_path);
    if (!exe)
        throw Error("cannot start '" + spec.argv[0] + "': not an executable file" +
                    (spec.argv[0].find('/') == std::string::npos ? " and not found on PATH" : ""));
    if (spec.err.kind == Output::Kind::to_stdout && spec.out.kind == Output::Kind::to_stdout)
        throw Error("cannot start " + exe->string() + ": stdout cannot go to itself");

    auto state = std::make_unique<State>();
    state->exe = *exe;

    // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
    std::vector<std::string> argv_copy = spec.argv;
    std::vector<char*> argv;
    for (auto& a : argv_copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_entries;
    std::vector<char*> envp;
    if (spec.env) {
        env_entries = spec.env->entries();
        for (auto& e : env_entries) envp.push_back(e.data());
        envp.push_back(nullptr);
    }
    const std::string exe_str = exe->string();
    const std::string cwd_str = spec.cwd.string();

    Fd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!dev_null.open()) fail_errno("cannot open /dev/null");
    // The child's end of each stream (-1: inherit) and the parent's read end for capture/sink.
    auto child_end = [&](const Output& o, Fd& read_end, const char* name) -> Fd {
        switch (o.kind) {
            case Output::Kind::inherit:
            case Output::Kind::to_stdout: return Fd();
            case Output::Kind::null: return Fd(::fcntl(dev_null.get(), F_DUPFD_CLOEXEC, 0));
            case Output::Kind::file: {
                std::error_code ec;
                if (o.path.has_parent_path()) fs::create_directories(o.path.parent_path(), ec);
                int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (o.append ? O_APPEND : O_TRUNC);
                Fd f(::open(o.path.c_str(), flags, 0644));
                if (!f.open()) fail_errno("cannot start " + exe_str + ": cannot open its " + name + " file " + o.path.string());
                return f;
            }
            case Output::Kind::capture:
            case Output::Kind::sink: {
                auto [r, w] = make_pipe();
                if (::fcntl(r.get(), F_SETFL, O_NONBLOCK) != 0) fail_errno("fcntl(O_NONBLOCK)");
                read_end = std::move(r);
                return std::move(w);
            }
        }
        return Fd();
    };
    Fd out_write = child_end(spec.out, state->out_pipe, "stdout");
    Fd err_write = child_end(spec.err, state->err_pipe, "stderr");
    auto [status_read, status_write] = make_pipe();

    const int out_fd = out_write.get(), err_fd = err_write.get(), null_fd = dev_null.get();
    const int status_fd = status_write.get();
    const bool stdin_null = spec.stdin_null;
    const bool err_to_out = spec.err.kind == Output::Kind::to_stdout;
    const bool out_to_err = spec.out.kind == Output::Kind::to_stdout;
    const Grouping grouping = spec.grouping;
    const int death_signal = spec.death_signal.value_or(0);
    const pid_t parent = ::getpid();
    const PreExecHook* hook = spec.pre_exec ? &spec.pre_exec : nullptr;
    const bool explicit_env = spec.env.has_value();

    state->started = Clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) fail_errno("cannot start " + exe_str + ": fork");
    if (pid == 0) {
        ExecFailure failure;
        auto fail = [&](int error, const char* what) {
            failure.error = error;
            copy_what(failure.what, what);
            ssize_t ignored = ::write(status_fd, &failure, sizeof failure);
            (void)ignored;
            ::_exit(127);
        };
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);  // the parent may ignore it; the child expects the default
        if (grouping == Grouping::session && ::setsid() < 0) fail(errno, "setsid");
        if (grouping == Grouping::process_group && ::setpgid(0, 0) != 0) fail(errno, "setpgid");
        if (death_signal != 0) {
            if (::prctl(PR_SET_PDEATHSIG, death_signal) != 0) fail(errno, "prctl(PR_SET_PDEATHSIG)");
            // The parent may have ended between fork() and prctl(): then nobody would signal us.
            if (::getppid() != parent) ::_exit(127);
        }
        if (stdin_null && ::dup2(null_fd, STDIN_FILENO) < 0) fail(errno, "dup2(stdin)");
        if (out_fd >= 0 && ::dup2(out_fd, STDOUT_FILENO) < 0) fail(errno, "dup2(stdout)");
        if (err_fd >= 0 && ::dup2(err_fd, STDERR_FILENO) < 0) fail(errno, "dup2(stderr)");
        if (err_to_out && ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) fail(errno, "dup2(stderr to stdout)");
        if (out_to_err && ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) fail(errno, "dup2(stdout to stderr)");
        if (!cwd_str.empty() && ::chdir(cwd_str.c_str()) != 0) fail(errno, "chdir");
        if (hook) {
            const char* what = "the pre-exec hook";
            if (int error = (*hook)(what); error != 0) fail(error, what);
        }
        if (explicit_env) ::execve(exe_str.c_str(), argv.data(), envp.data());
        else ::execv(exe_str.c_str(), argv.data());
        fail(errno, "exec");
    }
    state->pid = pid;
    // Also from the parent, so that a signal right after fork reaches the whole group.
    if (grouping == Grouping::process_group) ::setpgid(pid, pid);
    out_write.reset();
    err_write.reset();
    status_write.reset();
    ExecFailure failure;
    ssize_t n;
    while ((n = ::read(status_read.get(), &failure, sizeof failure)) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof failure)) {
        int raw = 0;
        while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
        }
        std::string what = failure.what;
        if (what == "chdir") what = "cannot enter the folder " + cwd_str;
        throw Error("cannot start " + state->program() + ": " + what + ": " + std::strerror(failure.error));
    }

    TreeScope scope;
    scope.leader = pid;
    scope.group = grouping == Grouping::inherit ? 0 : pid;
    scope.adopted = spec.end_adopted;
    scope.marker = spec.tree_marker;
    scope.cgroup = spec.tree_cgroup;
    state->tree = TreeMembers(std::move(scope));
    state->spec = std::move(spec);
    return ChildProcess(std::move(state));
}

Completed run(ProcessSpec spec) {
    auto child = ChildProcess::start(std::move(spec));
    Completed done;
    done.status = child.wait();
    done.out = child.out();
    done.err = child.err();
    return done;
}

// ---- Finding programs -------------------------------------------------------------------------

std::optional<fs::path> find_executable(std::string_view name, std::optional<std::string> search_path) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string_view::npos) {
        fs::path p(name);
        if (is_executable_file(p)) return fs::absolute(p);
        return std::nullopt;
    }
    if (!search_path) {
        const char* path_env = std::getenv("PATH");
        search_path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    }
    std::string_view path = *search_path;
    for (;;) {
        auto colon = path.find(':');
        std::string_view dir = path.substr(0, colon);
        fs::path candidate = fs::path(dir.empty() ? "." : std::string(dir)) / std::string(name);
        if (is_executable_file(candidate)) return fs::absolute(candidate);
        if (colon == std::string_view::npos) break;
        path.remove_prefix(colon + 1);
    }
    return std::nullopt;
}

std::optional<fs::path> supervisor_program(std::vector<fs::path>* tried) {
    constexpr const char* name = "autokaggle-supervise";
    std::vector<fs::path> candidates;
    if (fs::path exe = executable_path(); !exe.empty()) candidates.push_back(exe.parent_path() / name);
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&supervisor_program), &info) != 0 && info.dli_fname) {
        std::error_code ec;
        fs::path library = fs::canonical(info.dli_fname, ec);
        if (!ec) candidates.push_back((library.parent_path() / AUTOKAGGLE_BIN_FROM_LIB / name).lexically_normal());
    }
    for (const auto& candidate : candidates) {
        if (tried) tried->push_back(candidate);
        if (is_executable_file(candidate)) return candidate;
    }
    if (tried) tried->push_back(std::string(name) + " on PATH");
    return find_executable(name);
}

}  // namespace autokaggle::process
