#include "local_runner.hpp"

#include "cgroup_limit.hpp"
#include "process_tree.hpp"

#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/serialize.hpp>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/start_dir.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace autokaggle::local_runner {

namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxReadPerPump = 1024 * 1024;   ///< per poll(): bounds new_output
constexpr std::size_t kMaxPending = 4 * 1024 * 1024;   ///< output held for the host between polls
constexpr std::size_t kTailBytes = 16 * 1024;          ///< kept for the out-of-memory heuristic

/// Owns a file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

[[noreturn]] void fail_errno(const std::string& what) { throw Error(what + ": " + std::strerror(errno)); }

double number_option(const boost::json::object& options, std::string_view key, double fallback) {
    auto it = options.find(key);
    if (it == options.end() || it->value().is_null()) return fallback;
    if (it->value().is_number()) return it->value().to_number<double>();
    throw ConfigError("runner.options." + std::string(key) + " must be a number, got " +
                      boost::json::serialize(it->value()));
}

std::string json_string(const boost::json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

long long json_integer(const boost::json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_number()) return 0;
    return it->value().to_number<long long>();
}

bool looks_like_memory_error(std::string_view tail) {
    for (std::string_view marker : {"MemoryError", "std::bad_alloc", "Cannot allocate memory", "Unable to allocate",
                                    "out of memory"})
        if (tail.find(marker) != std::string_view::npos) return true;
    return false;
}

/// Runs in the forked child before exec (only async-signal-safe calls): own process group, die
/// with the parent, memory limits, output into the pipe.
struct ChildSetup : bp::extend::handler {
    int output_fd = -1;
    pid_t parent = 0;
    rlim_t address_space = 0;         ///< 0: no RLIMIT_AS
    const char* cgroup_procs = nullptr;

    template <class Executor>
    void fail(Executor& exec, const char* what) const {
        exec.set_error(std::error_code(errno, std::system_category()), what);
        ::_exit(127);
    }

    template <class Executor>
    void on_exec_setup(Executor& exec) const {
        if (::setpgid(0, 0) != 0) fail(exec, "setpgid");
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(exec, "prctl(PR_SET_PDEATHSIG)");
        // The parent may have died between fork() and prctl(): then nobody would kill us.
        if (::getppid() != parent) ::_exit(137);
        if (cgroup_procs) {
            int fd = ::open(cgroup_procs, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, "0", 1) != 1) fail(exec, "joining the run's cgroup");
            ::close(fd);
        }
        if (address_space > 0) {
            rlimit limit{address_space, address_space};
            if (::setrlimit(RLIMIT_AS, &limit) != 0) fail(exec, "setrlimit(RLIMIT_AS)");
        }
        if (::dup2(output_fd, STDOUT_FILENO) < 0 || ::dup2(output_fd, STDERR_FILENO) < 0) fail(exec, "dup2");
    }
};

struct ExitInfo {
    std::optional<int> exit_code;
    std::optional<int> signal;
};

class LocalRunHandle final : public RunHandle {
public:
    LocalRunHandle(const RunSpec& spec, const Options& options);
    ~LocalRunHandle() override;
    LocalRunHandle(const LocalRunHandle&) = delete;
    LocalRunHandle& operator=(const LocalRunHandle&) = delete;

    RunPoll poll(double max_wait_s) override;
    void cancel(std::string_view reason) override;
    boost::json::object record() const override;

private:
    enum class Ending { none, timeout, cancelled };

    void launch();
    bool pump(std::chrono::milliseconds wait);
    void keep(std::string_view chunk);
    void append_log(std::string_view chunk);
    bool leader_exited();
    void enforce_limits();
    void begin_ending(Ending why, std::string message);
    std::vector<pid_t> run_processes() const;
    void finish();
    RunPoll classify() const;
    std::chrono::milliseconds grace() const;

    RunSpec spec_;
    Options options_;
    double timeout_s_;
    std::string token_;
    fs::path partial_log_;
    Fd output_;  ///< read end of the child's stdout+stderr
    Fd log_;     ///< the .partial log
    std::unique_ptr<CgroupLimit> cgroup_;
    std::string cgroup_note_;
    pid_t pid_ = 0;
    unsigned long long start_ticks_ = 0;
    Clock::time_point started_;
    bool output_eof_ = false;

    Ending ending_ = Ending::none;
    std::string ending_message_;
    Clock::time_point kill_at_;
    bool sigkill_sent_ = false;

    bool exited_ = false;
    ExitInfo exit_;
    bool finished_ = false;
    RunPoll terminal_;

    std::string pending_;
    std::size_t omitted_ = 0;
    std::string tail_;
    std::string log_error_;  ///< why the log could not be written, when it could not
};

LocalRunHandle::LocalRunHandle(const RunSpec& spec, const Options& options)
    : spec_(spec),
      options_(options),
      timeout_s_(spec.timeout_s > 0 ? spec.timeout_s : options.timeout_s),
      token_(make_run_token()),
      partial_log_(fs::path(spec.log_file).concat(".partial")) {
    launch();
}

LocalRunHandle::~LocalRunHandle() {
    if (finished_) return;
    try {
        cancel("the run's handle was destroyed");
    } catch (...) {
        // Only installing the log can fail, and that happens after every process was ended.
    }
}

std::chrono::milliseconds LocalRunHandle::grace() const {
    return std::chrono::milliseconds(static_cast<long long>(options_.kill_grace_s * 1000.0));
}

void LocalRunHandle::launch() {
    if (spec_.python.empty()) throw ConfigError("runner: no Python interpreter given for " + spec_.label);
    std::error_code ec;
    fs::create_directories(spec_.log_file.parent_path(), ec);
    log_ = Fd(::open(partial_log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!log_) fail_errno("runner: cannot create the log " + partial_log_.string());

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("runner: pipe2");
    output_ = Fd(fds[0]);
    Fd write_end(fds[1]);
    if (::fcntl(output_.get(), F_SETFL, O_NONBLOCK) != 0) fail_errno("runner: fcntl(O_NONBLOCK)");

    if (options_.memory_mb > 0) {
        cgroup_ = CgroupLimit::try_create(token_, options_.memory_mb * 1024 * 1024, cgroup_note_);
    }

    bp::environment env = boost::this_process::environment();
    for (const auto& [name, value] : spec_.env) env[name] = value;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (options_.threads > 0) {
        for (const char* name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"})
            env[name] = std::to_string(options_.threads);
    }
    env["AUTOKAGGLE_THREADS"] = std::to_string(options_.threads > 0 ? static_cast<unsigned>(options_.threads) : cores);
    env[std::string(kRunTokenVariable)] = token_;

    ChildSetup setup;
    setup.output_fd = write_end.get();
    setup.parent = ::getpid();
    setup.address_space = options_.memory_mb > 0 ? static_cast<rlim_t>(options_.memory_mb) * 1024 * 1024 : 0;
    setup.cgroup_procs = cgroup_ ? cgroup_->procs_file().c_str() : nullptr;

    std::vector<std::string> args{spec_.script.string()};
    args.insert(args.end(), spec_.args.begin(), spec_.args.end());
    try {
        bp::child child(bp::exe(spec_.python.string()), bp::args(args), env, bp::start_dir(spec_.work_dir.string()),
                        bp::std_in < bp::null, setup);
        pid_ = child.id();
        child.detach();  // the handle waits for it itself (waitid without reaping, see leader_exited)
    } catch (const std::exception& e) {
        throw Error("runner: cannot start " + spec_.python.string() + " " + spec_.script.string() + " in " +
                    spec_.work_dir.string() + ": " + e.what());
    }
    started_ = Clock::now();
    if (auto stat = read_process_stat(pid_)) start_ticks_ = stat->start_time;
    if (!cgroup_note_.empty()) {
        std::string note = "[runner] memory cap " + std::to_string(options_.memory_mb) +
                           " MB applied with RLIMIT_AS only (no cgroup: " + cgroup_note_ + ")\n";
        append_log(note);
    }
}

boost::json::object LocalRunHandle::record() const {
    boost::json::object r;
    r["runner"] = "local";
    r["pid"] = pid_;
    r["pgid"] = pid_;
    r["start_time"] = start_ticks_;
    r["boot_id"] = boot_id();
    r["token"] = token_;
    r["log_partial"] = partial_log_.string();
    if (cgroup_) r["cgroup"] = cgroup_->dir().string();
    return r;
}

void LocalRunHandle::append_log(std::string_view chunk) {
    // A full disk must not stop the runner from ending the run: the failure is reported in the
    // outcome's message and the output still reaches the host through poll().
    while (!chunk.empty() && log_error_.empty()) {
        ssize_t n = ::write(log_.get(), chunk.data(), chunk.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            log_error_ = std::strerror(errno);
            break;
        }
        chunk.remove_prefix(static_cast<std::size_t>(n));
    }
}

void LocalRunHandle::keep(std::string_view chunk) {
    append_log(chunk);
    pending_.append(chunk);
    if (pending_.size() > kMaxPending) {
        // The host is not polling fast enough: keep the newest half; the log has everything.
        std::size_t drop = pending_.size() - kMaxPending / 2;
        omitted_ += drop;
        pending_.erase(0, drop);
    }
    tail_.append(chunk);
    if (tail_.size() > 2 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
}

bool LocalRunHandle::pump(std::chrono::milliseconds wait) {
    if (output_eof_) {
        if (wait.count() > 0) std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(20)));
        return false;
    }
    pollfd pfd{output_.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(wait.count()));
    if (ready <= 0) return false;
    std::size_t total = 0;
    char buf[kReadChunk];
    while (total < kMaxReadPerPump) {
        ssize_t n = ::read(output_.get(), buf, sizeof buf);
        if (n > 0) {
            keep(std::string_view(buf, static_cast<std::size_t>(n)));
            total += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) {
            output_eof_ = true;
            break;
        }
        if (errno == EINTR) continue;
        break;  // EAGAIN: nothing more right now
    }
    return total > 0;
}

bool LocalRunHandle::leader_exited() {
    if (exited_) return true;
    siginfo_t info{};
    // WNOWAIT: the leader stays a zombie, so its pid and process group id cannot be reused
    // until the whole group has been dealt with in finish().
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        if (errno == EINTR) return false;
        exited_ = true;  // ECHILD: reaped elsewhere; nothing more to learn
        return true;
    }
    if (info.si_pid == 0) return false;
    exited_ = true;
    if (info.si_code == CLD_EXITED) exit_.exit_code = info.si_status;
    else exit_.signal = info.si_status;
    return true;
}

std::vector<pid_t> LocalRunHandle::run_processes() const { return live_run_processes(pid_, token_, ::getpid()); }

void LocalRunHandle::begin_ending(Ending why, std::string message) {
    ending_ = why;
    ending_message_ = std::move(message);
    kill_at_ = Clock::now() + grace();
    signal_processes(pid_, run_processes(), SIGTERM);
}

void LocalRunHandle::enforce_limits() {
    auto now = Clock::now();
    if (ending_ == Ending::none && timeout_s_ > 0 &&
        std::chrono::duration<double>(now - started_).count() >= timeout_s_) {
        std::ostringstream msg;
        msg << "exceeded the wall-clock limit of " << timeout_s_ << " s";
        begin_ending(Ending::timeout, msg.str());
    }
    if (ending_ != Ending::none && !sigkill_sent_ && now >= kill_at_) {
        sigkill_sent_ = true;
        signal_processes(pid_, run_processes(), SIGKILL);
    }
}

RunPoll LocalRunHandle::poll(double max_wait_s) {
    auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(std::max(0.0, max_wait_s) * 1000));
    while (!finished_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        bool news = pump(std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(100)));
        if (leader_exited()) {
            finish();
            break;
        }
        enforce_limits();
        if (news || Clock::now() >= deadline) break;
    }
    RunPoll result = finished_ ? terminal_ : RunPoll{};
    if (omitted_ > 0) {
        result.new_output = "[runner: " + std::to_string(omitted_) + " bytes of output not shown here; see " +
                            spec_.log_file.string() + "]\n";
        omitted_ = 0;
    }
    result.new_output += pending_;
    pending_.clear();
    return result;
}

void LocalRunHandle::cancel(std::string_view reason) {
    if (finished_) return;
    if (leader_exited()) {
        finish();
        return;
    }
    if (ending_ == Ending::none) {  // a timeout already under way stays the reason
        ending_ = Ending::cancelled;
        ending_message_ = reason.empty() ? "cancelled" : std::string(reason);
    }
    sigkill_sent_ = end_processes([this] { return run_processes(); }, pid_, grace(),
                                  [this] { pump(std::chrono::milliseconds(0)); }) ||
                    sigkill_sent_;
    auto give_up = Clock::now() + std::chrono::seconds(5);
    while (!leader_exited() && Clock::now() < give_up) pump(std::chrono::milliseconds(20));
    finish();
}

void LocalRunHandle::finish() {
    // Children the script left behind (same group, or carrying the run's marker) go too.
    end_processes([this] { return run_processes(); }, pid_, grace(), [this] { pump(std::chrono::milliseconds(0)); });
    auto drain_until = Clock::now() + std::chrono::seconds(2);
    while (!output_eof_ && Clock::now() < drain_until) pump(std::chrono::milliseconds(50));
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    if (!exit_.exit_code && !exit_.signal) {
        if (WIFEXITED(status)) exit_.exit_code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) exit_.signal = WTERMSIG(status);
    }
    finished_ = true;
    terminal_ = classify();
    cgroup_.reset();
    output_.reset();
    log_.reset();
    atomic_install(partial_log_, spec_.log_file);
}

RunPoll LocalRunHandle::classify() const {
    RunPoll r;
    r.exit_code = exit_.exit_code;
    r.signal = exit_.signal;
    double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    std::ostringstream msg;
    msg.precision(3);
    auto how_ended = [&] {
        if (exit_.exit_code) return "exit code " + std::to_string(*exit_.exit_code);
        if (exit_.signal) return "killed by " + signal_name(*exit_.signal);
        return std::string("unknown exit status");
    };
    if (ending_ == Ending::cancelled) {
        r.status = RunStatus::cancelled;
        msg << ending_message_ << " after " << seconds << " s (" << how_ended() << ")";
    } else if (ending_ == Ending::timeout) {
        r.status = RunStatus::timeout;
        msg << ending_message_ << "; the process group was ended with SIGTERM"
            << (sigkill_sent_ ? " and SIGKILL" : "") << " (" << how_ended() << ")";
    } else if (cgroup_ && cgroup_->oom_kills() > 0) {
        r.status = RunStatus::oom;
        msg << "memory cap of " << options_.memory_mb << " MB reached: the cgroup's OOM killer ended the run ("
            << how_ended() << ")";
    } else if (exit_.exit_code == 0) {
        r.status = RunStatus::ok;
        msg << "exit code 0 after " << seconds << " s";
    } else if (looks_like_memory_error(tail_)) {
        r.status = RunStatus::oom;
        msg << "ran out of memory";
        if (options_.memory_mb > 0) msg << " (cap " << options_.memory_mb << " MB)";
        msg << ": the output reports a failed allocation (" << how_ended() << ")";
    } else if (exit_.signal == SIGKILL && options_.memory_mb > 0) {
        r.status = RunStatus::oom;
        msg << "killed by SIGKILL that the runner did not send, with a memory cap of " << options_.memory_mb
            << " MB: most likely the kernel's OOM killer";
    } else {
        r.status = RunStatus::crash;
        msg << "crashed: " << how_ended();
        if (exit_.signal == SIGKILL) msg << " (not sent by the runner; the kernel's OOM killer is a common cause)";
    }
    if (!log_error_.empty()) msg << "; the log " << partial_log_.string() << " could not be written: " << log_error_;
    r.message = msg.str();
    return r;
}

}  // namespace

Options Options::from_json(const boost::json::object& options) {
    Options o;
    o.timeout_s = number_option(options, "timeout_s", o.timeout_s);
    o.memory_mb = static_cast<long long>(number_option(options, "memory_mb", static_cast<double>(o.memory_mb)));
    o.threads = static_cast<int>(number_option(options, "threads", o.threads));
    o.kill_grace_s = number_option(options, "kill_grace_s", o.kill_grace_s);
    auto require = [](bool ok, const char* key, const char* rule) {
        if (!ok) throw ConfigError(std::string("runner.options.") + key + " " + rule);
    };
    require(o.timeout_s >= 0, "timeout_s", "must be >= 0 (0 = no limit)");
    require(o.memory_mb >= 0, "memory_mb", "must be >= 0 (0 = no cap)");
    require(o.threads >= 0, "threads", "must be >= 0 (0 = all cores)");
    require(o.kill_grace_s >= 0, "kill_grace_s", "must be >= 0");
    return o;
}

LocalRunner::LocalRunner(Options options, HostServices* host) : options_(options), host_(host) {}

std::unique_ptr<RunHandle> LocalRunner::start(const RunSpec& spec) {
    return std::make_unique<LocalRunHandle>(spec, options_);
}

std::unique_ptr<RunHandle> LocalRunner::attach(const RunSpec& spec, const boost::json::object& record) {
    std::string recorded_boot = json_string(record, "boot_id");
    if (recorded_boot.empty() || recorded_boot != boot_id()) return nullptr;  // a reboot ended everything
    auto pid = static_cast<pid_t>(json_integer(record, "pid"));
    auto start_ticks = static_cast<unsigned long long>(json_integer(record, "start_time"));
    std::string token = json_string(record, "token");
    auto find = [&] {
        // The recorded leader only if it is still the same process (pid reuse), and through it
        // its group; every process that inherited the run's marker in any case.
        pid_t group = 0;
        if (auto stat = read_process_stat(pid); stat && stat->start_time == start_ticks && stat->state != 'Z')
            group = stat->pgrp == pid ? pid : 0;
        auto found = live_run_processes(group, token, ::getpid());
        return found;
    };
    auto leftovers = find();
    if (leftovers.empty()) return nullptr;
    std::string list;
    for (pid_t p : leftovers) list += (list.empty() ? "" : ", ") + std::to_string(p);
    bool killed = end_processes(find, 0, std::chrono::milliseconds(static_cast<long long>(options_.kill_grace_s * 1000)),
                                nullptr);
    if (host_) {
        host_->log(LogLevel::warn, "runner-local",
                   "ended processes left over from an earlier run of " + spec.label + " (pids " + list + ")" +
                       (killed ? " with SIGKILL after SIGTERM" : " with SIGTERM") + "; the phase runs again");
    }
    return nullptr;
}

}  // namespace autokaggle::local_runner
