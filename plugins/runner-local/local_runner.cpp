#include "local_runner.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/plugin_options.hpp>
#include <autokaggle/support/process.hpp>
#include <autokaggle/support/supervised_run.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace autokaggle::local_runner {

namespace fs = std::filesystem;
namespace proc = autokaggle::process;
namespace sup = autokaggle::supervised;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxReadPerPoll = 1024 * 1024;  ///< bounds RunPoll::new_output
constexpr auto kHandshakeLimit = std::chrono::seconds(60);
constexpr auto kSupervisorSlack = std::chrono::seconds(15);  ///< beyond kill_grace_s for the supervisor to answer
constexpr const char* kTokenVariable = "AUTOKAGGLE_RUN_TOKEN";

milliseconds seconds_to_ms(double seconds) { return milliseconds(static_cast<long long>(seconds * 1000.0)); }

std::string json_string(const boost::json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

long long json_integer(const boost::json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_number()) return 0;
    return it->value().to_number<long long>();
}

void remove_quietly(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);
}

std::string show_number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

/// The files the held-out answers live in, from the submitter's options (docs/autopilot.md).
std::vector<fs::path> held_out_files(const HostServices& host) {
    const fs::path root = host.paths().root;
    std::vector<fs::path> files{root / "answers.csv", root / "leaderboard.json"};
    const auto* submitter = host.config().if_contains("submitter");
    const auto* options = submitter && submitter->is_object() ? submitter->as_object().if_contains("options") : nullptr;
    if (options && options->is_object())
        for (const char* key : {"answers", "leaderboard"})
            if (const auto* v = options->as_object().if_contains(key); v && v->is_string() && !v->as_string().empty()) {
                fs::path p(std::string(v->as_string()));
                files.push_back(p.is_absolute() ? p : (root / p).lexically_normal());
            }
    return files;
}

/// Follows one supervised run through its folder: the log as it grows, then the exit record.
class LocalRunHandle final : public RunHandle {
public:
    LocalRunHandle(RunSpec spec, sup::RunFolder folder, sup::SupervisorInfo info, std::string token,
                   std::optional<proc::ChildProcess> supervisor, double kill_grace_s)
        : spec_(std::move(spec)),
          folder_(std::move(folder)),
          info_(std::move(info)),
          token_(std::move(token)),
          supervisor_(std::move(supervisor)),
          kill_grace_s_(kill_grace_s) {}

    /// Ends the run when it is still going. The run's folder stays: until the host has recorded
    /// the outcome, a restarted orchestrator collects it from there (start() clears old ones).
    ~LocalRunHandle() override {
        try {
            if (!finished_ && !exit_) cancel("the run's handle was destroyed");
        } catch (...) {
            // Ending only signals and waits; what failed is in the supervisor's own log.
        }
        if (log_fd_ >= 0) ::close(log_fd_);
    }
    LocalRunHandle(const LocalRunHandle&) = delete;
    LocalRunHandle& operator=(const LocalRunHandle&) = delete;

    RunPoll poll(double max_wait_s) override {
        if (finished_) return terminal_;
        auto deadline = Clock::now() + milliseconds(static_cast<long long>(std::max(0.0, max_wait_s) * 1000));
        RunPoll result;
        for (;;) {
            reap_supervisor();
            // The exit record is written after the log is complete: once it is there, reading
            // to the end of the log reads everything.
            const bool complete = load_exit_record();
            const bool at_end = read_log(result.new_output);
            if (complete && at_end) return finish(std::move(result.new_output));
            if (!complete && !supervisor_running()) {
                if (load_exit_record()) continue;  // it ended between the two looks
                return lose(std::move(result.new_output));
            }
            if (!result.new_output.empty() || Clock::now() >= deadline) return result;
            std::this_thread::sleep_for(std::min<Clock::duration>(milliseconds(50), deadline - Clock::now()));
        }
    }

    void cancel(std::string_view reason) override {
        if (finished_ || load_exit_record()) return;
        try {
            atomic_write(folder_.cancel_reason(), reason.empty() ? std::string("cancelled") : std::string(reason));
        } catch (const std::exception&) {
            // Without the reason the supervisor says which signal stopped it.
        }
        signal_supervisor(SIGTERM);
        auto give_up = Clock::now() + seconds_to_ms(kill_grace_s_) + kSupervisorSlack;
        while (!load_exit_record() && supervisor_running() && Clock::now() < give_up) {
            reap_supervisor();
            std::this_thread::sleep_for(milliseconds(50));
        }
        if (load_exit_record()) return;
        // The supervisor did not answer (or is gone): end the run from here.
        signal_supervisor(SIGKILL);
        proc::end_tree(leftover_scope(), milliseconds(0));
        reap_supervisor();
        sup::ExitRecord record;
        record.status = RunStatus::cancelled;
        record.message = std::string(reason.empty() ? "cancelled" : reason) +
                         "; the supervisor did not answer, so its processes were killed";
        write_exit_record(record);
    }

    boost::json::object record() const override {
        boost::json::object r;
        r["runner"] = "local";
        r["run_dir"] = folder_.dir.string();
        r["pid"] = info_.command.pid;
        r["pgid"] = info_.command.pid;
        r["start_time"] = info_.command.start_time;
        r["supervisor_pid"] = info_.supervisor.pid;
        r["supervisor_start_time"] = info_.supervisor.start_time;
        r["boot_id"] = info_.boot_id;
        r["token"] = token_;
        r["log_partial"] = fs::path(spec_.log_file).concat(".partial").string();
        if (!info_.cgroup.empty()) r["cgroup"] = info_.cgroup.string();
        return r;
    }

private:
    void reap_supervisor() {
        if (supervisor_) supervisor_->poll(milliseconds(0));
    }

    bool supervisor_running() {
        if (supervisor_) return !supervisor_->poll(milliseconds(0)).has_value();
        return info_.supervisor_alive();
    }

    void signal_supervisor(int sig) {
        if (supervisor_running()) info_.supervisor.signal(sig);
    }

    proc::TreeScope leftover_scope() const {
        proc::TreeScope scope;
        scope.descendants = false;
        if (info_.command.alive()) scope.leader = scope.group = info_.command.pid;
        scope.marker = std::string(kTokenVariable) + "=" + token_;
        scope.cgroup = info_.cgroup;
        return scope;
    }

    bool load_exit_record() {
        if (exit_) return true;
        try {
            if (auto json = sup::read_json_object(folder_.exit_record())) exit_ = sup::ExitRecord::from_json(*json);
        } catch (const std::exception&) {
            // Written atomically, so unreadable only if damaged: treated as not there yet.
        }
        return exit_.has_value();
    }

    void write_exit_record(const sup::ExitRecord& record) {
        const fs::path partial = fs::path(spec_.log_file).concat(".partial");
        std::error_code ec;
        if (fs::exists(partial, ec)) atomic_install(partial, spec_.log_file);
        atomic_write(folder_.exit_record(), boost::json::serialize(record.to_json()) + "\n");
        exit_ = record;
    }

    /// Appends up to kMaxReadPerPoll bytes of new log; true when the end of the file was reached.
    bool read_log(std::string& into) {
        if (log_fd_ < 0) {
            // The log is "<log>.partial" while the run goes on and "<log>" after (the same file,
            // renamed: an open descriptor follows it).
            for (const fs::path& p : {fs::path(spec_.log_file).concat(".partial"), spec_.log_file}) {
                log_fd_ = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
                if (log_fd_ >= 0) break;
            }
            if (log_fd_ < 0) return true;
        }
        char buf[kReadChunk];
        while (into.size() < kMaxReadPerPoll) {
            ssize_t n = ::read(log_fd_, buf, std::min(sizeof buf, kMaxReadPerPoll - into.size()));
            if (n > 0) {
                into.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            return true;
        }
        return false;
    }

    RunPoll finish(std::string output) {
        finished_ = true;
        if (log_fd_ >= 0) ::close(log_fd_);
        log_fd_ = -1;
        reap_supervisor();
        terminal_.status = exit_->status;
        terminal_.exit_code = exit_->exit_code;
        terminal_.signal = exit_->signal;
        terminal_.message = exit_->message;
        RunPoll last = terminal_;
        last.new_output = std::move(output);
        return last;
    }

    RunPoll lose(std::string output) {
        proc::end_tree(leftover_scope(), seconds_to_ms(kill_grace_s_));
        sup::ExitRecord record;
        record.status = RunStatus::lost;
        record.message = "the run's supervisor (pid " + std::to_string(info_.supervisor.pid) +
                         ") ended without recording how the run ended; see " + folder_.diagnostics().string();
        try {
            write_exit_record(record);
        } catch (const std::exception&) {
            exit_ = record;
        }
        return finish(std::move(output));
    }

    RunSpec spec_;
    sup::RunFolder folder_;
    sup::SupervisorInfo info_;
    std::string token_;
    std::optional<proc::ChildProcess> supervisor_;  ///< set when this process started the supervisor
    double kill_grace_s_;
    int log_fd_ = -1;
    std::optional<sup::ExitRecord> exit_;
    bool finished_ = false;
    RunPoll terminal_;
};

/// Ends a supervised run found in `folder` that is not wanted any more, and waits for it.
void end_supervised_run(const sup::RunFolder& folder, const sup::SupervisorInfo& info, const std::string& token,
                        const std::string& why, double kill_grace_s) {
    try {
        atomic_write(folder.cancel_reason(), why);
    } catch (const std::exception&) {
    }
    info.supervisor.signal(SIGTERM);
    auto give_up = Clock::now() + seconds_to_ms(kill_grace_s) + kSupervisorSlack;
    while (info.supervisor.alive() && Clock::now() < give_up) std::this_thread::sleep_for(milliseconds(50));
    info.supervisor.signal(SIGKILL);
    proc::TreeScope scope;
    scope.descendants = false;
    if (!token.empty()) scope.marker = std::string(kTokenVariable) + "=" + token;
    scope.cgroup = info.cgroup;
    proc::end_tree(scope, milliseconds(0));
}

std::optional<sup::SupervisorInfo> read_supervisor_info(const sup::RunFolder& folder) {
    try {
        if (auto json = sup::read_json_object(folder.supervisor())) return sup::SupervisorInfo::from_json(*json);
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

/// Removes the folders of earlier runs in `runs` that are over (an exit record, or no live
/// supervisor), except `keep`.
void clear_finished_runs(const fs::path& runs, const fs::path& keep) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(runs, ec)) {
        if (entry.path() == keep) continue;
        const sup::RunFolder folder{entry.path()};
        auto info = read_supervisor_info(folder);
        // A folder without supervisor.json may be a run starting right now (another runner).
        const auto written = fs::last_write_time(folder.order(), ec);
        const bool starting = !info && !ec && fs::file_time_type::clock::now() - written < std::chrono::minutes(2);
        if (fs::exists(folder.exit_record()) || (!starting && (!info || !info->supervisor_alive())))
            remove_quietly(folder.dir);
    }
}

void require_range(double value, double low, double high, const char* key, const char* meaning) {
    if (!(value >= low && value <= high))
        throw ConfigError("runner.options." + std::string(key) + " is " + show_number(value) + "; it must be between " +
                          show_number(low) + " and " + show_number(high) + " (" + meaning + ")");
}

}  // namespace

Options Options::from_json(const boost::json::object& given) {
    constexpr std::string_view section = "runner.options";  // where the options stand in config.json
    const boost::json::object options = with_schema_defaults(kOptionsSchema, given);
    Options o;
    const double timeout = number_option(options, section, "timeout_s");
    const double memory = number_option(options, section, "memory_mb");
    const double threads = number_option(options, section, "threads");
    const double grace = number_option(options, section, "kill_grace_s");
    const double log_limit = number_option(options, section, "log_limit_mb");
    // Durations become milliseconds and sizes bytes: past these bounds they would overflow.
    require_range(timeout, 0, 31536000, "timeout_s", "seconds, 0 = no limit; 31536000 is a year");
    require_range(memory, 0, 1 << 30, "memory_mb", "MB, 0 = no cap");
    require_range(threads, 0, 4096, "threads", "0 = all cores");
    require_range(grace, 0, 3600, "kill_grace_s", "seconds between SIGTERM and SIGKILL");
    require_range(log_limit, 0, 1 << 20, "log_limit_mb", "MB, 0 = no limit");
    o.timeout_s = timeout;
    o.memory_mb = static_cast<long long>(memory);
    o.threads = static_cast<int>(threads);
    o.kill_grace_s = grace;
    o.log_limit_mb = log_limit;
    if (auto it = options.find("sandbox"); it != options.end() && !it->value().is_null()) {
        const std::string value = it->value().is_string() ? std::string(it->value().as_string()) : "";
        if (value == "auto") o.sandbox = Sandbox::automatic;
        else if (value == "bwrap") o.sandbox = Sandbox::bwrap;
        else if (value == "off") o.sandbox = Sandbox::off;
        else
            throw ConfigError("runner.options.sandbox is " + boost::json::serialize(it->value()) +
                              "; it must be \"auto\", \"bwrap\" or \"off\"");
    }
    if (auto it = options.find("network"); it != options.end() && !it->value().is_null()) {
        if (!it->value().is_bool()) throw ConfigError("runner.options.network must be true or false");
        o.network = it->value().as_bool();
    }
    if (auto it = options.find("pass_env"); it != options.end() && !it->value().is_null()) {
        if (!it->value().is_array()) throw ConfigError("runner.options.pass_env must be an array of variable names");
        for (const auto& name : it->value().as_array()) {
            if (!name.is_string() || name.as_string().empty())
                throw ConfigError("runner.options.pass_env must hold variable names (strings)");
            if (proc::looks_like_secret(name.as_string()))
                throw ConfigError("runner.options.pass_env: " + std::string(name.as_string()) +
                                  " looks like a secret; runs never see secrets");
            o.pass_env.emplace_back(name.as_string());
        }
    }
    return o;
}

SandboxDecision decide_sandbox(Options::Sandbox option) {
    SandboxDecision d;
    if (option == Options::Sandbox::off) {
        d.reason = "runner.options.sandbox is \"off\"";
        return d;
    }
    SandboxCheck check = check_sandbox();
    if (check.usable) {
        d.on = true;
        d.bwrap = check.program;
        d.reason = "bubblewrap " + check.program.string();
        return d;
    }
    if (option == Options::Sandbox::bwrap)
        throw ConfigError("runner.options.sandbox is \"bwrap\", but " + check.why_not +
                          "; fix that, or set it to \"auto\" (sandbox where it works) or \"off\"");
    d.reason = check.why_not;
    return d;
}

LocalRunner::LocalRunner(Options options, HostServices* host) : options_(std::move(options)), host_(host) {}

void LocalRunner::log(LogLevel level, const std::string& message) const {
    if (host_) host_->log(level, "runner-local", message);
}

const SandboxDecision& LocalRunner::sandbox() {
    if (!sandbox_) {
        sandbox_ = decide_sandbox(options_.sandbox);
        if (!sandbox_->on && options_.sandbox == Options::Sandbox::automatic)
            log(LogLevel::warn, "experiments run without the sandbox: " + sandbox_->reason);
    }
    return *sandbox_;
}

std::vector<std::string> LocalRunner::command_for(const RunSpec& spec, const fs::path& run_dir) {
    std::vector<std::string> command{spec.python.string(), spec.script.string()};
    command.insert(command.end(), spec.args.begin(), spec.args.end());
    const SandboxDecision& box = sandbox();
    if (!box.on) return command;
    using Access = SandboxMount::Access;
    SandboxSpec s;
    s.bwrap = box.bwrap;
    s.cwd = spec.work_dir;
    s.network = options_.network;
    std::vector<fs::path> hidden;
    if (host_) {
        hidden = held_out_files(*host_);
        hidden.push_back(host_->paths().agents);  // conversations may quote what a model was told
        // The workspace read-only, entry by entry, so that what is hidden at its top is absent.
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(host_->paths().root, ec)) {
            bool keep_out = std::find(hidden.begin(), hidden.end(), entry.path()) != hidden.end();
            if (!keep_out) s.mounts.push_back({entry.path(), Access::read_only});
        }
        // Earlier out-of-fold predictions the config points at (blends read them).
        if (const auto& oofs = host_->competition().existing_oof_dir) s.mounts.push_back({*oofs, Access::read_only});
    }
    s.mounts.push_back({spec.data_dir, Access::read_only});
    if (spec.script.has_parent_path()) s.mounts.push_back({spec.script.parent_path(), Access::read_only});
    for (const auto& dir : interpreter_installation(spec.python)) s.mounts.push_back({dir, Access::read_only});
    if (auto pythonpath = proc::Environment::inherited().get("PYTHONPATH"))
        for (std::string_view rest = *pythonpath; !rest.empty();) {
            auto colon = rest.find(':');
            if (auto dir = rest.substr(0, colon); !dir.empty()) s.mounts.push_back({fs::path(dir), Access::read_only});
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    s.mounts.push_back({spec.work_dir, Access::read_write});
    // The supervisor's files stay its own; the run's scratch HOME inside them is writable.
    s.mounts.push_back({run_dir, Access::read_only});
    s.mounts.push_back({sup::RunFolder{run_dir}.home(), Access::read_write});
    for (const auto& h : hidden) s.mounts.push_back({h, Access::hidden});
    auto argv = sandbox_argv(s);
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

std::unique_ptr<RunHandle> LocalRunner::start(const RunSpec& spec) {
    if (spec.python.empty()) throw ConfigError("runner: no Python interpreter given for " + spec.label);
    const std::string what = spec.python.string() + " " + spec.script.string() + " in " + spec.work_dir.string();
    if (!proc::find_executable(spec.python.string()))
        throw Error("runner: cannot start " + what + ": " + spec.python.string() + " is not an executable file");
    auto supervisor_program = [] {
        std::vector<fs::path> tried;
        if (auto found = proc::supervisor_program(&tried)) return *found;
        std::string list;
        for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t.string();
        throw Error("runner: the supervisor program autokaggle-supervise was not found (looked at " + list +
                    "); reinstall AutoKaggle");
    }();

    const sup::RunFolder folder = sup::RunFolder::of(spec.work_dir, spec.label);
    const std::string token = proc::random_token();
    sup::RunOrder order;
    order.label = spec.label;
    order.argv = command_for(spec, folder.dir);
    order.sandboxed = sandbox().on;
    order.cwd = spec.work_dir;
    proc::Environment env = proc::Environment::inherited().for_generated_code(options_.pass_env);
    for (const auto& [name, value] : spec.env) env.set(name, value);
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (options_.threads > 0)
        for (const char* name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"})
            env.set(name, std::to_string(options_.threads));
    env.set("AUTOKAGGLE_THREADS", std::to_string(options_.threads > 0 ? static_cast<unsigned>(options_.threads) : cores));
    env.set(kTokenVariable, token);
    env.set("HOME", folder.home().string());
    if (order.sandboxed) env.set("TMPDIR", "/tmp");
    order.env = env.variables();
    order.log_file = spec.log_file;
    order.timeout_s = spec.timeout_s > 0 ? spec.timeout_s : options_.timeout_s;
    order.kill_grace_s = options_.kill_grace_s;
    order.memory_mb = options_.memory_mb;
    order.token = token;
    if (options_.log_limit_mb > 0) {
        const auto half = static_cast<std::uint64_t>(options_.log_limit_mb * 1024.0 * 1024.0 / 2.0);
        order.log_head_bytes = order.log_tail_bytes = std::max<std::uint64_t>(half, 1);
    } else {
        order.log_head_bytes = order.log_tail_bytes = std::uint64_t(1) << 62;
    }

    // A run of the same order may be under way already: this process was killed after starting
    // it and before the host could record it. It is followed rather than started twice.
    if (auto info = read_supervisor_info(folder); info && info->supervisor_alive()) {
        std::optional<sup::RunOrder> existing;
        try {
            if (auto json = sup::read_json_object(folder.order())) existing = sup::RunOrder::from_json(*json);
        } catch (const std::exception&) {
        }
        if (existing && !fs::exists(folder.exit_record()) && existing->fingerprint() == order.fingerprint()) {
            log(LogLevel::info, spec.label + ": following the run already under way (supervisor pid " +
                                    std::to_string(info->supervisor.pid) + ")");
            return std::make_unique<LocalRunHandle>(spec, folder, *info, existing->token, std::nullopt,
                                                    options_.kill_grace_s);
        }
        log(LogLevel::warn, spec.label + ": ending an earlier run of it (supervisor pid " +
                                std::to_string(info->supervisor.pid) + ") before starting again");
        end_supervised_run(folder, *info, existing ? existing->token : std::string(), "replaced by a new run of " + spec.label,
                           options_.kill_grace_s);
    }
    remove_quietly(folder.dir);
    clear_finished_runs(folder.dir.parent_path(), folder.dir);
    std::error_code ec;
    fs::create_directories(folder.home(), ec);
    if (ec) throw Error("runner: cannot create " + folder.home().string() + ": " + ec.message());
    atomic_write(folder.order(), boost::json::serialize(order.to_json()) + "\n");

    proc::ProcessSpec supervise;
    supervise.argv = {supervisor_program.string(), "run", folder.dir.string()};
    supervise.env = proc::Environment::inherited().without_secrets();
    supervise.grouping = proc::Grouping::session;  // no terminal, no death signal: it outlives us
    supervise.out = proc::Output::capture();
    supervise.err = proc::Output::file(folder.diagnostics());
    supervise.end_leftovers = false;
    supervise.kill_grace = seconds_to_ms(options_.kill_grace_s) + kSupervisorSlack;
    proc::ChildProcess child = proc::ChildProcess::start(std::move(supervise));

    // The supervisor answers with one line once the command started (or could not).
    auto give_up = Clock::now() + kHandshakeLimit;
    bool exited = false;
    while (child.out().find('\n') == std::string::npos && !exited && Clock::now() < give_up)
        exited = child.poll(milliseconds(50)).has_value();
    const std::string line = child.out().substr(0, child.out().find('\n'));
    boost::system::error_code json_error;
    auto answer = boost::json::parse(line, json_error);
    if (json_error || !answer.is_object() || !answer.as_object().contains("started")) {
        std::string why = answer.is_object() && answer.as_object().contains("failed")
                              ? json_string(answer.as_object(), "failed")
                              : "the supervisor did not start it (" +
                                    (exited ? std::string("it ended") : std::string("no answer")) + "; see " +
                                    folder.diagnostics().string() + ")";
        if (!exited) child.end();
        if (exited) remove_quietly(folder.dir);
        throw Error("runner: cannot start " + what + ": " + why);
    }
    auto info = sup::SupervisorInfo::from_json(answer.as_object().at("started").as_object());
    if (!info.notes.empty()) log(LogLevel::debug, spec.label + ": " + info.notes);
    return std::make_unique<LocalRunHandle>(spec, folder, std::move(info), token, std::move(child),
                                            options_.kill_grace_s);
}

std::unique_ptr<RunHandle> LocalRunner::attach(const RunSpec& spec, const boost::json::object& record) {
    std::string recorded_boot = json_string(record, "boot_id");
    if (recorded_boot.empty() || recorded_boot != proc::boot_id()) return nullptr;  // a reboot ended everything
    const std::string token = json_string(record, "token");
    std::string run_dir = json_string(record, "run_dir");
    if (run_dir.empty() && !spec.work_dir.empty()) run_dir = sup::RunFolder::of(spec.work_dir, spec.label).dir.string();
    const sup::RunFolder folder{run_dir};
    // A record of another run (another round, or the workspace before it was moved) is not
    // followed: what is left of it is ended below.
    const bool this_run = spec.work_dir.empty() || run_dir == sup::RunFolder::of(spec.work_dir, spec.label).dir.string();
    if (!run_dir.empty() && this_run) {
        auto info = read_supervisor_info(folder);
        if (info && (fs::exists(folder.exit_record()) || info->supervisor_alive())) {
            log(LogLevel::info, spec.label + (fs::exists(folder.exit_record())
                                                  ? ": collecting the run that ended while nothing followed it"
                                                  : ": following the run again (supervisor pid " +
                                                        std::to_string(info->supervisor.pid) + ")"));
            return std::make_unique<LocalRunHandle>(spec, folder, *info, token, std::nullopt, options_.kill_grace_s);
        }
    }
    // Nothing follows the run any more: end whatever is left of it, so the phase runs again.
    proc::TreeScope scope;
    scope.descendants = false;
    auto pid = static_cast<pid_t>(json_integer(record, "pid"));
    auto start_ticks = static_cast<unsigned long long>(json_integer(record, "start_time"));
    if (auto stat = proc::read_process_stat(pid); stat && stat->start_time == start_ticks && stat->live())
        scope.leader = scope.group = stat->pgrp == pid ? pid : 0;
    if (!token.empty()) scope.marker = std::string(kTokenVariable) + "=" + token;
    scope.cgroup = json_string(record, "cgroup");
    if (!run_dir.empty() && !this_run) {
        if (auto info = read_supervisor_info(folder); info && info->supervisor_alive())
            end_supervised_run(folder, *info, token, "replaced by a run of " + spec.label, options_.kill_grace_s);
    }
    auto leftovers = proc::find_tree(scope);
    if (!run_dir.empty()) remove_quietly(folder.dir);
    if (leftovers.empty()) return nullptr;
    std::string list;
    for (const auto& p : leftovers) list += (list.empty() ? "" : ", ") + std::to_string(p.pid);
    bool killed = proc::end_tree(scope, seconds_to_ms(options_.kill_grace_s));
    log(LogLevel::warn, "ended processes left over from an earlier run of " + spec.label + " (pids " + list + ")" +
                            (killed ? " with SIGKILL after SIGTERM" : " with SIGTERM") + "; the phase runs again");
    return nullptr;
}

}  // namespace autokaggle::local_runner
