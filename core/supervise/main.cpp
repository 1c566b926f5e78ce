// autokaggle-supervise: the small program that owns a tree of processes (docs/runner-local.md).
//
//   autokaggle-supervise run RUN_FOLDER
//       Runs the order in RUN_FOLDER/order.json detached from the orchestrator: enforces its
//       timeout and memory limits, streams the output into the capped run log, ends every
//       process the command started (it is their subreaper), and writes RUN_FOLDER/exit.json
//       atomically. SIGTERM (or SIGINT, SIGHUP) asks it to end the run; RUN_FOLDER/cancel.txt
//       says why. One JSON line on stdout tells the starter whether the command started.
//
//   autokaggle-supervise reap [--grace-ms N] -- PROGRAM [ARGS...]
//       Runs PROGRAM as its child with the same stdin, stdout and stderr, as the subreaper of
//       everything PROGRAM starts; when PROGRAM ends, or on SIGTERM/SIGINT/SIGHUP, everything
//       left is ended (SIGTERM, N ms, SIGKILL). Exits as PROGRAM did. For long-lived CLIs whose
//       tools start daemons in sessions of their own.
//
// Built on the process module only; no configuration, no plugins.
#include "runner/supervised_run.hpp"

#include "base/atomic_file.hpp"
#include "base/cgroup.hpp"
#include "base/process.hpp"
#include "base/utc_time.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/serialize.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
namespace proc = autokaggle::process;
namespace sup = autokaggle::supervised;
using Clock = std::chrono::steady_clock;

constexpr int kUsage = 2;
constexpr int kCannotStart = 127;

/// SIGTERM, SIGINT and SIGHUP as a request to stop, read from a signalfd: no handler, no global.
/// Children get an empty signal mask from the process module, so the blocking stays here.
class StopSignals {
public:
    StopSignals() {
        sigemptyset(&set_);
        for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set_, sig);
        ::sigprocmask(SIG_BLOCK, &set_, nullptr);
        fd_ = ::signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd_ < 0) throw autokaggle::Error(std::string("signalfd: ") + std::strerror(errno));
        ::signal(SIGPIPE, SIG_IGN);
    }
    ~StopSignals() { ::close(fd_); }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    bool requested() {
        signalfd_siginfo info{};
        if (received_ == 0 && ::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
            received_ = static_cast<int>(info.ssi_signo);
        return received_ != 0;
    }
    int received() const { return received_; }

private:
    sigset_t set_{};
    int fd_ = -1;
    int received_ = 0;
};

/// Ends this process the way `status` says the child ended, so that its starter sees the same.
[[noreturn]] void exit_like(const proc::ExitStatus& status) {
    if (status.signal) {
        rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        ::signal(*status.signal, SIG_DFL);
        sigset_t all;
        sigfillset(&all);
        ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
        ::raise(*status.signal);
    }
    std::exit(status.exit_code.value_or(1));
}

int reap(std::chrono::milliseconds grace, std::vector<std::string> argv) {
    StopSignals stops;
    proc::become_subreaper();
    proc::ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.stdin_null = false;
    spec.kill_grace = grace;
    spec.should_stop = [&stops] { return stops.requested(); };
    spec.end_adopted = true;
    std::optional<proc::ChildProcess> child;
    try {
        child.emplace(proc::ChildProcess::start(spec));
    } catch (const std::exception& e) {
        std::cerr << "autokaggle-supervise: " << e.what() << std::endl;
        return kCannotStart;
    }
    proc::ExitStatus status = child->wait();
    proc::reap_adopted(0);
    exit_like(status);
}

/// The pre-exec part of the run's limits: join the cgroup, cap the address space.
struct Limits {
    rlim_t address_space = 0;     ///< 0: no RLIMIT_AS
    const char* cgroup_procs = nullptr;

    int operator()(const char*& what) const {
        if (cgroup_procs) {
            int fd = ::open(cgroup_procs, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, "0", 1) != 1) {
                what = "joining the run's cgroup";
                int error = errno;
                if (fd >= 0) ::close(fd);
                return error;
            }
            ::close(fd);
        }
        if (address_space > 0) {
            rlimit limit{address_space, address_space};
            if (::setrlimit(RLIMIT_AS, &limit) != 0) {
                what = "setrlimit(RLIMIT_AS)";
                return errno;
            }
        }
        return 0;
    }
};

void handshake(const boost::json::object& message) {
    std::cout << boost::json::serialize(message) << std::endl;
    // The starter may end long before the run: nothing must ever write to its pipe again.
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, STDOUT_FILENO);
        ::close(null);
    }
}

int run(const fs::path& dir) {
    const sup::RunFolder folder{dir};
    StopSignals stops;
    sup::RunOrder order;
    try {
        auto json = sup::read_json_object(folder.order());
        if (!json) throw autokaggle::Error(folder.order().string() + " does not exist");
        order = sup::RunOrder::from_json(*json);
    } catch (const std::exception& e) {
        handshake({{"failed", e.what()}});
        return kUsage;
    }
    proc::become_subreaper();

    const fs::path partial = fs::path(order.log_file).concat(".partial");
    std::string cgroup_why_not, memory_note;
    auto cgroup = proc::Cgroup::try_create(order.token, order.memory_mb * 1024 * 1024, cgroup_why_not, memory_note);
    std::optional<sup::CappedLog> log;
    try {
        log.emplace(partial, order.log_head_bytes, order.log_tail_bytes);
    } catch (const std::exception& e) {
        handshake({{"failed", e.what()}});
        return kCannotStart;
    }

    proc::ProcessSpec spec;
    spec.argv = order.argv;
    spec.cwd = order.cwd;
    proc::Environment env;
    for (const auto& [name, value] : order.env) env.set(name, value);
    spec.env = env;
    spec.out = proc::Output::sink([&log](std::string_view chunk) { log->write(chunk); });
    spec.err = proc::Output::to_stdout();
    spec.grouping = proc::Grouping::process_group;
    spec.death_signal = SIGKILL;  // a supervisor killed outright takes its command along
    spec.timeout = std::chrono::milliseconds(static_cast<long long>(order.timeout_s * 1000.0));
    spec.kill_grace = std::chrono::milliseconds(static_cast<long long>(order.kill_grace_s * 1000.0));
    spec.should_stop = [&stops] { return stops.requested(); };
    spec.end_adopted = true;
    spec.tree_marker = "AUTOKAGGLE_RUN_TOKEN=" + order.token;
    Limits limits;
    limits.address_space = order.memory_mb > 0 ? static_cast<rlim_t>(order.memory_mb) * 1024 * 1024 : 0;

    std::optional<proc::ChildProcess> child;
    const auto wall_start = std::chrono::system_clock::now();
    for (;;) {
        limits.cgroup_procs = cgroup ? cgroup->procs_file().c_str() : nullptr;
        spec.pre_exec = limits;
        spec.tree_cgroup = cgroup ? cgroup->dir() : fs::path();
        try {
            child.emplace(proc::ChildProcess::start(spec));
            break;
        } catch (const std::exception& e) {
            std::string what = e.what();
            if (cgroup && what.find("joining the run's cgroup") != std::string::npos) {
                cgroup_why_not = "cannot move the command into " + cgroup->dir().string() + ": " + what;
                cgroup.reset();
                continue;  // the same run without the cgroup
            }
            handshake({{"failed", what}});
            return kCannotStart;
        }
    }
    std::string notes;
    if (!cgroup) notes = "no cgroup: " + cgroup_why_not;
    if (order.memory_mb > 0 && !(cgroup && cgroup->caps_memory()))
        log->note("memory cap " + std::to_string(order.memory_mb) + " MB applied with RLIMIT_AS only (no cgroup" +
                  std::string(cgroup ? " memory controller: " + memory_note : ": " + cgroup_why_not) + ")");

    sup::SupervisorInfo info;
    info.supervisor = proc::ProcessIdentity::of(::getpid()).value_or(proc::ProcessIdentity{::getpid(), 0});
    info.command = proc::ProcessIdentity::of(child->pid()).value_or(proc::ProcessIdentity{child->pid(), 0});
    info.boot_id = proc::boot_id();
    info.cgroup = cgroup ? cgroup->dir() : fs::path();
    info.notes = notes;
    try {
        autokaggle::atomic_write(folder.supervisor(), boost::json::serialize(info.to_json()) + "\n");
    } catch (const std::exception& e) {
        std::cerr << "autokaggle-supervise: " << e.what() << std::endl;  // the handshake still carries it
    }
    handshake({{"started", info.to_json()}});

    // Orphans that end are reaped now and then; the command itself is reaped by the module.
    auto next_reap = Clock::now();
    std::optional<proc::ExitStatus> status;
    while (!(status = child->poll(std::chrono::seconds(1)))) {
        if (Clock::now() >= next_reap) {
            proc::reap_adopted(child->pid());
            next_reap = Clock::now() + std::chrono::seconds(2);
        }
    }
    proc::reap_adopted(0);

    sup::EndFacts facts;
    facts.exit = *status;
    if (status->stopped) {
        facts.stop_reason = autokaggle::read_file_if_exists(folder.cancel_reason()).value_or("");
        if (facts.stop_reason.empty())
            facts.stop_reason = "stopped by " + proc::signal_name(stops.received()) + " to the supervisor";
    }
    facts.timeout_s = order.timeout_s;
    facts.memory_mb = order.memory_mb;
    facts.cgroup_oom_kills = cgroup ? cgroup->oom_kills() : 0;
    facts.output_tail = log->recent();
    facts.sandboxed = order.sandboxed;
    sup::ExitRecord record = sup::classify(facts);
    record.started_at = autokaggle::utc_timestamp(wall_start);
    record.ended_at = autokaggle::utc_timestamp(std::chrono::system_clock::now());
    // A run that did not succeed says so in its own log: a silent script that timed out must
    // not leave an empty log behind.
    log->finish(record.status == autokaggle::RunStatus::ok
                    ? std::string()
                    : std::string(autokaggle::to_string(record.status)) + ": " + record.message);
    record.output_bytes = log->output_bytes();
    record.dropped_bytes = log->dropped_bytes();
    if (!log->error().empty()) record.message += "; the log " + partial.string() + " could not be written: " + log->error();
    // The log first: an exit record means the log under its final name is complete.
    autokaggle::atomic_install(partial, order.log_file);
    autokaggle::atomic_write(folder.exit_record(), boost::json::serialize(record.to_json()) + "\n");
    cgroup.reset();
    return 0;
}

int usage() {
    std::cerr << "usage: autokaggle-supervise run RUN_FOLDER\n"
                 "       autokaggle-supervise reap [--grace-ms N] -- PROGRAM [ARGS...]\n";
    return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.size() == 2 && args[0] == "run") return run(args[1]);
        if (!args.empty() && args[0] == "reap") {
            std::size_t at = 1;
            std::chrono::milliseconds grace(3000);
            if (at + 1 < args.size() && args[at] == "--grace-ms") {
                grace = std::chrono::milliseconds(std::stoll(args[at + 1]));
                at += 2;
            }
            if (at >= args.size() || args[at] != "--" || at + 1 >= args.size()) return usage();
            return reap(grace, std::vector<std::string>(args.begin() + static_cast<long>(at) + 1, args.end()));
        }
        return usage();
    } catch (const std::exception& e) {
        std::cerr << "autokaggle-supervise: " << e.what() << std::endl;
        return 1;
    }
}
