#include "slurm_runner.hpp"

#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/plugin_options.hpp>
#include <autokaggle/support/process.hpp>
#include <autokaggle/support/text.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace autokaggle::slurm {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
namespace proc = autokaggle::process;

namespace {

constexpr std::size_t kMaxReadPerPoll = 1024 * 1024;
constexpr auto kCommandTimeout = std::chrono::seconds(60);

std::chrono::milliseconds ms(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(std::max(0.0, seconds) * 1000));
}

std::string json_string(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

std::string trimmed(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

/// What a Slurm command printed and how it ended.
struct CommandResult {
    std::optional<int> exit_code;  ///< unset when a signal (or our timeout) ended it
    bool timed_out = false;
    std::string out, err;
};

CommandResult run_tool(const fs::path& exe, std::vector<std::string> args, const fs::path& cwd = {}) {
    proc::ProcessSpec spec;
    spec.argv.push_back(exe.string());
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = cwd;
    spec.out = proc::Output::capture();
    spec.err = proc::Output::capture();
    spec.death_signal = SIGTERM;
    spec.timeout = kCommandTimeout;
    auto done = proc::run(std::move(spec));
    return {done.status.exit_code, done.status.timed_out, std::move(done.out), std::move(done.err)};
}

std::string command_failure(const std::string& what, const CommandResult& r) {
    std::string text = trimmed(r.err.empty() ? r.out : r.err);
    std::string how = r.timed_out ? "timed out" : r.exit_code ? "exit code " + std::to_string(*r.exit_code) : "failed";
    return what + " (" + how + ")" + (text.empty() ? "" : ": " + text_tail(text, 600));
}

bool says_invalid_job(const CommandResult& r) {
    std::string text = r.err + r.out;
    return text.find("Invalid job id") != std::string::npos || text.find("invalid job id") != std::string::npos;
}

/// What Slurm says about a job right now.
struct JobView {
    enum class Known { yes, gone, unreachable } known = Known::yes;
    std::string state, exit_code, reason, name;
    std::string error;  ///< for unreachable
};

class SlurmRunHandle final : public RunHandle {
public:
    /// Submits the job.
    SlurmRunHandle(const RunSpec& spec, const Options& options);
    /// Follows a job submitted by an earlier process.
    SlurmRunHandle(const RunSpec& spec, const Options& options, std::string job_id);
    /// Leaves an unfinished job alone: it keeps running on the cluster and a resumed campaign
    /// re-attaches to it from the record (the host cancels explicitly when it means to).
    ~SlurmRunHandle() override = default;
    SlurmRunHandle(const SlurmRunHandle&) = delete;
    SlurmRunHandle& operator=(const SlurmRunHandle&) = delete;

    RunPoll poll(double max_wait_s) override;
    void cancel(std::string_view reason) override;
    json::object record() const override;
    /// Stops following without touching the job (it is not ours, or Slurm forgot it).
    void abandon() { finished_ = true; }
    /// A re-attached job that is still queued checks for the marker file when it starts.
    void ensure_sentinel() const {
        if (!fs::exists(sentinel_)) atomic_write(sentinel_, "job " + job_id_ + "\n");
    }

    JobView view() const;
    const std::string& job_id() const { return job_id_; }
    std::string expected_name() const { return job_name(options_.job, spec_); }

private:
    void submit();
    bool read_output();
    /// Asks Slurm for the job's state; finishes the run when it has ended.
    void check_state();
    void finish(JobOutcome outcome);
    void request_cancel(std::string reason, bool as_timeout);

    RunSpec spec_;
    Options options_;
    double timeout_s_;
    fs::path output_;    ///< the job's output file (log_file + ".partial"), written by slurmd
    fs::path sentinel_;  ///< proves to the job that it sees the workspace
    fs::path script_;    ///< the batch script, kept next to the experiment
    std::string job_id_;

    std::uintmax_t offset_ = 0;
    bool output_seen_ = false;
    std::string pending_;

    Clock::time_point next_check_{};
    std::optional<Clock::time_point> running_since_;
    std::optional<Clock::time_point> unreachable_since_;
    std::string last_state_;

    bool we_cancelled_ = false;
    bool as_timeout_ = false;
    std::string cancel_reason_;
    bool finished_ = false;
    RunPoll terminal_;
};

SlurmRunHandle::SlurmRunHandle(const RunSpec& spec, const Options& options)
    : spec_(spec),
      options_(options),
      timeout_s_(spec.timeout_s > 0 ? spec.timeout_s : options.job.timeout_s),
      output_(fs::path(spec.log_file).concat(".partial")),
      sentinel_(spec.work_dir / (".autokaggle-slurm-" + spec.label)),
      script_(spec.work_dir / (spec.label + ".sbatch")) {
    submit();
}

SlurmRunHandle::SlurmRunHandle(const RunSpec& spec, const Options& options, std::string job_id)
    : spec_(spec),
      options_(options),
      timeout_s_(spec.timeout_s > 0 ? spec.timeout_s : options.job.timeout_s),
      output_(fs::path(spec.log_file).concat(".partial")),
      sentinel_(spec.work_dir / (".autokaggle-slurm-" + spec.label)),
      script_(spec.work_dir / (spec.label + ".sbatch")),
      job_id_(std::move(job_id)) {}

void SlurmRunHandle::submit() {
    if (spec_.python.empty() && options_.job.python.empty())
        throw ConfigError("runner: no Python interpreter given for " + spec_.label);
    std::error_code ec;
    fs::create_directories(spec_.log_file.parent_path(), ec);
    fs::remove(output_, ec);
    atomic_write(sentinel_, "submitting " + spec_.label + "\n");
    atomic_write(script_, batch_script(options_.job, spec_, sentinel_));
    ::chmod(script_.c_str(), 0755);

    double slurm_limit = timeout_s_ > 0 ? timeout_s_ + 60 : 0;  // the runner cancels first
    std::vector<std::string> args = sbatch_args(options_.job, spec_, output_, slurm_limit);
    args.push_back(script_.string());
    CommandResult r = run_tool(options_.sbatch, args, spec_.work_dir);
    if (r.exit_code != 0)
        throw Error(command_failure("runner slurm: sbatch refused " + spec_.label, r) +
                    " - check runner.options (partition, account, qos, gres, mem_mb, cpus) against `sinfo`");
    auto id = parse_sbatch_id(r.out);
    if (!id) throw Error("runner slurm: sbatch printed no job id for " + spec_.label + ": " + text_tail(r.out, 300));
    job_id_ = *id;
    atomic_write(sentinel_, "job " + job_id_ + "\n");
}

json::object SlurmRunHandle::record() const {
    json::object r;
    r["runner"] = "slurm";
    r["job_id"] = job_id_;
    r["job_name"] = expected_name();
    r["output"] = output_.string();
    r["script"] = script_.string();
    return r;
}

JobView SlurmRunHandle::view() const {
    JobView v;
    CommandResult q = run_tool(options_.squeue, {"-h", "-j", job_id_, "-o", "%T"});
    if (q.exit_code == 0 && !trimmed(q.out).empty()) {
        v.state = trimmed(q.out);
        if (is_active_state(v.state)) return v;
    } else if (q.exit_code != 0 && !says_invalid_job(q)) {
        v.known = JobView::Known::unreachable;
        v.error = command_failure("squeue -j " + job_id_, q);
        return v;
    }
    // Out of the queue (or finishing): scontrol keeps finished jobs for MinJobAge.
    CommandResult s = run_tool(options_.scontrol, {"show", "job", "-o", job_id_});
    if (s.exit_code == 0 && !trimmed(s.out).empty()) {
        auto fields = parse_scontrol_line(trimmed(s.out));
        v.state = fields["JobState"];
        v.exit_code = fields["ExitCode"];
        v.reason = fields["Reason"];
        v.name = fields["JobName"];
        return v;
    }
    if (!says_invalid_job(s)) {
        v.known = JobView::Known::unreachable;
        v.error = command_failure("scontrol show job " + job_id_, s);
        return v;
    }
    // Purged from the controller's memory: accounting, when the cluster keeps it.
    if (!options_.sacct.empty()) {
        CommandResult a = run_tool(options_.sacct, {"-n", "-X", "-P", "-j", job_id_, "-o", "State,ExitCode,JobName"});
        std::string line = trimmed(a.out);
        line = line.substr(0, line.find('\n'));
        if (a.exit_code == 0 && line.find('|') != std::string::npos) {  // not "accounting storage is disabled"
            std::istringstream parts(line);
            std::getline(parts, v.state, '|');
            std::getline(parts, v.exit_code, '|');
            std::getline(parts, v.name, '|');
            if (!v.state.empty()) return v;
        }
    }
    v.known = JobView::Known::gone;
    return v;
}

bool SlurmRunHandle::read_output() {
    int fd = ::open(output_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    bool news = false;
    if (::fstat(fd, &st) == 0) {
        output_seen_ = true;
        auto size = static_cast<std::uintmax_t>(st.st_size);
        if (size < offset_) {
            // Truncated: the job was requeued and started again.
            pending_ += "[runner-slurm: job " + job_id_ + " restarted; its output starts again]\n";
            offset_ = 0;
        }
        if (size > offset_) {
            std::size_t want = static_cast<std::size_t>(std::min<std::uintmax_t>(size - offset_, kMaxReadPerPoll));
            std::string buf(want, '\0');
            ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset_));
            if (n > 0) {
                buf.resize(static_cast<std::size_t>(n));
                pending_ += buf;
                offset_ += static_cast<std::uintmax_t>(n);
                news = true;
            }
        }
    }
    ::close(fd);
    return news;
}

void SlurmRunHandle::request_cancel(std::string reason, bool as_timeout) {
    CommandResult r = run_tool(options_.scancel, {job_id_});
    if (r.exit_code != 0 && !says_invalid_job(r) && (r.err + r.out).find("already completed") == std::string::npos)
        throw Error(command_failure("runner slurm: scancel " + job_id_, r));
    if (!we_cancelled_) {
        we_cancelled_ = true;
        as_timeout_ = as_timeout;
        cancel_reason_ = std::move(reason);
    }
}

void SlurmRunHandle::check_state() {
    JobView v = view();
    auto now = Clock::now();
    if (v.known == JobView::Known::unreachable) {
        if (!unreachable_since_) unreachable_since_ = now;
        if (now - *unreachable_since_ > ms(options_.scheduler_grace_s))
            throw Error("runner slurm: the scheduler has not answered for " +
                        std::to_string(static_cast<long long>(options_.scheduler_grace_s)) + " s about job " + job_id_ +
                        ": " + v.error);
        return;
    }
    unreachable_since_.reset();
    if (v.known == JobView::Known::gone) {
        JobOutcome lost;
        lost.status = we_cancelled_ ? (as_timeout_ ? RunStatus::timeout : RunStatus::cancelled) : RunStatus::lost;
        lost.message = "job " + job_id_ + " is no longer known to Slurm (squeue, scontrol" +
                       std::string(options_.sacct.empty() ? "" : ", sacct") + ")";
        finish(lost);
        return;
    }
    last_state_ = v.state;
    if (v.state.rfind("RUNNING", 0) == 0 && !running_since_) running_since_ = now;
    if (is_active_state(v.state)) {
        if (!we_cancelled_ && running_since_ && timeout_s_ > 0 && now - *running_since_ >= ms(timeout_s_)) {
            std::ostringstream why;
            why << "exceeded the wall-clock limit of " << timeout_s_ << " s";
            request_cancel(why.str(), true);
        }
        return;
    }
    JobOutcome outcome = classify(v.state, v.exit_code, v.reason, we_cancelled_);
    if (we_cancelled_ && outcome.status == RunStatus::cancelled) {
        outcome.status = as_timeout_ ? RunStatus::timeout : RunStatus::cancelled;
        outcome.message = cancel_reason_ + "; job " + job_id_ + " cancelled with scancel";
    }
    finish(outcome);
}

void SlurmRunHandle::finish(JobOutcome outcome) {
    // The node may still be flushing the file (network filesystems lag): read until it stops
    // growing for half a second, at most five seconds.
    auto give_up = Clock::now() + std::chrono::seconds(5);
    auto quiet_since = Clock::now();
    while (Clock::now() < give_up && Clock::now() - quiet_since < std::chrono::milliseconds(500)) {
        if (read_output()) quiet_since = Clock::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!output_seen_) {
        outcome.message += "; the job's output file " + output_.string() +
                           " never appeared: the node probably cannot see the workspace (a shared filesystem is needed)";
        if (outcome.status == RunStatus::ok) outcome.status = RunStatus::crash;
        atomic_write(spec_.log_file, "[runner-slurm] job " + job_id_ + ": " + outcome.message + "\n");
    } else {
        std::string note = "[runner-slurm] job " + job_id_ + ": " + outcome.message + "\n";
        int fd = ::open(output_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t ignored = ::write(fd, note.data(), note.size());
            (void)ignored;
            ::close(fd);
        }
        atomic_install(output_, spec_.log_file);
    }
    std::error_code ec;
    fs::remove(sentinel_, ec);
    terminal_.status = outcome.status;
    terminal_.exit_code = outcome.exit_code;
    terminal_.signal = outcome.signal;
    terminal_.message = "Slurm job " + job_id_ + ": " + outcome.message;
    finished_ = true;
}

RunPoll SlurmRunHandle::poll(double max_wait_s) {
    auto deadline = Clock::now() + ms(max_wait_s);
    while (!finished_) {
        bool news = read_output();
        if (Clock::now() >= next_check_) {
            check_state();
            next_check_ = Clock::now() + ms(options_.poll_interval_s);
            if (finished_) break;
        }
        if (news || Clock::now() >= deadline) break;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        std::this_thread::sleep_for(std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(100)));
    }
    RunPoll result = finished_ ? terminal_ : RunPoll{};
    result.new_output = std::move(pending_);
    pending_.clear();
    return result;
}

void SlurmRunHandle::cancel(std::string_view reason) {
    if (finished_) return;
    request_cancel(reason.empty() ? std::string("cancelled") : std::string(reason), false);
    auto give_up = Clock::now() + ms(options_.cancel_wait_s);
    while (!finished_ && Clock::now() < give_up) {
        read_output();
        check_state();
        if (!finished_) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (!finished_) {
        JobOutcome o;
        o.status = RunStatus::cancelled;
        o.message = cancel_reason_ + "; scancel sent but job " + job_id_ + " was still " + last_state_ + " after " +
                    std::to_string(static_cast<long long>(options_.cancel_wait_s)) + " s";
        finish(o);
    }
}

fs::path slurm_tool(const fs::path& bin_dir, const char* name, bool required) {
    if (!bin_dir.empty()) {
        fs::path p = bin_dir / name;
        if (proc::find_executable(p.string())) return p;
    } else if (auto found = proc::find_executable(name)) {
        return *found;
    }
    if (!required) return {};
    throw ConfigError(std::string("runner.options: the Slurm command '") + name + "' was not found " +
                      (bin_dir.empty() ? "on PATH" : "in runner.options.bin_dir (" + bin_dir.string() + ")") +
                      "; install the Slurm client tools (Debian: apt-get install slurm-client) or set "
                      "runner.options.bin_dir to the folder that holds sbatch");
}

}  // namespace

Options Options::from_json(const json::object& options) {
    constexpr std::string_view section = "runner.options";  // where the options stand in config.json
    const json::object o = with_schema_defaults(kOptionsSchema, options);
    Options out;
    JobOptions& j = out.job;
    j.partition = string_option(o, section, "partition");
    j.account = string_option(o, section, "account");
    j.qos = string_option(o, section, "qos");
    j.gres = string_option(o, section, "gres");
    j.constraint = string_option(o, section, "constraint");
    j.cpus = static_cast<long long>(number_option(o, section, "cpus"));
    j.mem_mb = static_cast<long long>(number_option(o, section, "mem_mb"));
    j.timeout_s = number_option(o, section, "timeout_s");
    j.extra_directives = strings_option(o, section, "extra_directives");
    j.setup = strings_option(o, section, "setup");
    j.python = string_option(o, section, "python");
    j.job_name_prefix = string_option(o, section, "job_name_prefix");
    out.poll_interval_s = number_option(o, section, "poll_interval_s");
    out.cancel_wait_s = number_option(o, section, "cancel_wait_s");
    out.scheduler_grace_s = number_option(o, section, "scheduler_grace_s");
    auto require = [](bool ok, const char* key, const char* rule) {
        if (!ok) throw ConfigError(std::string("runner.options.") + key + " " + rule);
    };
    require(j.cpus >= 0, "cpus", "must be >= 0 (0 = not given)");
    require(j.mem_mb >= 0, "mem_mb", "must be >= 0 (0 = not given)");
    require(j.timeout_s >= 0, "timeout_s", "must be >= 0 (0 = no limit)");
    require(out.poll_interval_s > 0, "poll_interval_s", "must be > 0");
    require(out.cancel_wait_s >= 0, "cancel_wait_s", "must be >= 0");
    require(out.scheduler_grace_s >= 0, "scheduler_grace_s", "must be >= 0");
    for (const auto& d : j.extra_directives)
        require(d.find('\n') == std::string::npos, "extra_directives", "entries must be single lines");
    fs::path bin_dir = string_option(o, section, "bin_dir");
    out.sbatch = slurm_tool(bin_dir, "sbatch", true);
    out.squeue = slurm_tool(bin_dir, "squeue", true);
    out.scontrol = slurm_tool(bin_dir, "scontrol", true);
    out.scancel = slurm_tool(bin_dir, "scancel", true);
    out.sacct = slurm_tool(bin_dir, "sacct", false);
    return out;
}

SlurmRunner::SlurmRunner(Options options, HostServices* host) : options_(std::move(options)), host_(host) {}

std::unique_ptr<RunHandle> SlurmRunner::start(const RunSpec& spec) {
    auto handle = std::make_unique<SlurmRunHandle>(spec, options_);
    if (host_) {
        const JobOptions& j = options_.job;
        std::string where = j.partition.empty() ? "default partition" : "partition " + j.partition;
        if (!j.gres.empty()) where += ", gres " + j.gres;
        host_->log(LogLevel::info, "runner-slurm",
                   spec.label + ": submitted Slurm job " + handle->job_id() + " (" + where + ")");
    }
    return handle;
}

std::unique_ptr<RunHandle> SlurmRunner::attach(const RunSpec& spec, const json::object& record) {
    std::string job_id = json_string(record, "job_id");
    auto note = [&](const std::string& message) {
        if (host_) host_->log(LogLevel::warn, "runner-slurm", message);
    };
    if (job_id.empty()) {
        note(spec.label + ": the recorded run has no Slurm job id; the experiment runs again");
        return nullptr;
    }
    auto handle = std::make_unique<SlurmRunHandle>(spec, options_, job_id);
    JobView v = handle->view();
    if (v.known == JobView::Known::unreachable)
        throw Error("runner slurm: cannot ask the scheduler about job " + job_id + " of " + spec.label + ": " + v.error);
    if (v.known == JobView::Known::gone) {
        note(spec.label + ": Slurm no longer knows job " + job_id + " (finished more than MinJobAge ago, or the "
             "cluster was reset); the experiment runs again");
        handle->abandon();
        return nullptr;
    }
    if (!v.name.empty() && v.name != handle->expected_name()) {
        note(spec.label + ": job " + job_id + " is now '" + v.name + "', not " + handle->expected_name() +
             " (the id was reused); the experiment runs again");
        handle->abandon();
        return nullptr;
    }
    handle->ensure_sentinel();
    if (host_)
        host_->log(LogLevel::info, "runner-slurm",
                   spec.label + ": re-attached to Slurm job " + job_id + " (" + (v.state.empty() ? "?" : v.state) + ")");
    return handle;
}

}  // namespace autokaggle::slurm
