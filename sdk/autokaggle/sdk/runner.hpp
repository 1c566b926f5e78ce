// Runner plugins run one experiment script somewhere (a local process, a Slurm job, a Kaggle
// kernel) and report its output as it arrives. The host drives them: it parses fold lines,
// applies the fold-1 kill gate, shows progress and records what it needs to re-attach after a
// crash. Nothing here is local-only, so remote runners fit without host changes.
//
// Ownership: the host owns Runner and RunHandle objects (unique_ptr) and destroys a handle only
// after it reported a terminal status or was cancelled. Thread-safety: a handle is used from one
// thread at a time; a Runner may start several handles.
#pragma once

#include <autokaggle/sdk/abi.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autokaggle {

enum class RunStatus {
    running,       ///< not finished yet
    ok,            ///< exited 0
    crash,         ///< non-zero exit or killed by a signal the host did not send
    timeout,       ///< wall-clock limit reached; the whole process tree was ended
    oom,           ///< memory cap reached
    killed_fold1,  ///< stopped by the host's fold-1 kill gate
    cancelled,     ///< stopped because the campaign is stopping
    lost,          ///< the runner can no longer find the run (job purged, kernel deleted)
};

/// Stable names used in results.tsv and state.json ("ok", "killed_fold1", ...).
inline std::string_view to_string(RunStatus s) {
    switch (s) {
        case RunStatus::running: return "running";
        case RunStatus::ok: return "ok";
        case RunStatus::crash: return "crash";
        case RunStatus::timeout: return "timeout";
        case RunStatus::oom: return "oom";
        case RunStatus::killed_fold1: return "killed_fold1";
        case RunStatus::cancelled: return "cancelled";
        case RunStatus::lost: return "lost";
    }
    return "unknown";
}

/// One script run, fully described by the host. Paths are absolute and inside the workspace.
struct RunSpec {
    int round = 0;
    std::string label;                        ///< "R03_experiment" (job and kernel names)
    std::filesystem::path script;             ///< rounds/R03_experiment.py
    std::filesystem::path work_dir;           ///< where the script runs (rounds/)
    std::filesystem::path log_file;           ///< rounds/R03_run.log, finalised atomically
    std::filesystem::path python;             ///< interpreter (local and Slurm runners)
    std::filesystem::path data_dir;           ///< the competition data as the host sees it
    std::vector<std::string> args;            ///< script arguments (see docs/script-contract.md)
    std::vector<std::pair<std::string, std::string>> env;  ///< extra environment
    std::vector<std::filesystem::path> outputs;  ///< files the run must leave in work_dir
    /// Files the script reads besides data_dir, named in args or env (the fold assignment): a
    /// runner whose machine does not see the host's files ships them with the script.
    std::vector<std::filesystem::path> inputs;
    double timeout_s = 0;                     ///< 0: the runner's own option
};

/// What poll() saw since the previous call.
struct RunPoll {
    RunStatus status = RunStatus::running;
    std::string new_output;        ///< stdout+stderr text that arrived since the last poll
    std::optional<int> exit_code;  ///< when finished and known
    std::optional<int> signal;     ///< terminating signal, when known
    std::string message;           ///< human-readable detail ("exceeded 600 s", Kaggle's failure text)
};

class AUTOKAGGLE_SDK_VISIBLE RunHandle {
public:
    virtual ~RunHandle() = default;
    /// Waits at most `max_wait_s` for news, then returns what arrived. Never throws for the
    /// script's own failures (those are statuses); throws autokaggle::Error when the runner
    /// itself cannot work (scheduler unreachable).
    virtual RunPoll poll(double max_wait_s) = 0;
    /// Ends the run and everything it started. The next poll() reports a terminal status.
    virtual void cancel(std::string_view reason) = 0;
    /// What the host persists (before waiting) so that a new process can attach() again:
    /// pid and process group, job id, kernel slug and version...
    virtual boost::json::object record() const = 0;
};

class AUTOKAGGLE_SDK_VISIBLE Runner {
public:
    virtual ~Runner() = default;
    virtual std::unique_ptr<RunHandle> start(const RunSpec& spec) = 0;
    /// Called on resume with a record() of a run started by an earlier process. Returns a
    /// handle that continues following it (or reports how it ended meanwhile), or nullptr when
    /// nothing is left to follow; the runner then ends whatever is left of it, and the phase
    /// re-runs.
    virtual std::unique_ptr<RunHandle> attach(const RunSpec& spec, const boost::json::object& record) = 0;
};

/// What an agent asks the host to run (HostServices::run_experiment).
struct ExperimentRequest {
    int round = 0;
    std::filesystem::path script;  ///< usually rounds/R{NN}_experiment.py
    std::string description;       ///< one line for logs and progress
};

/// The recorded outcome. The claimed score is the script's own CV_SCORE line; the host verifies
/// it later from the OOF file with the metric plugin. The scored_* fields are the host's own
/// numbers, computed from the OOF file and the fold assignment when the run ends: a script that
/// prints no score at all is scored this way (docs/script-contract.md, "How the core scores").
struct ExperimentResult {
    RunStatus status = RunStatus::crash;
    std::optional<double> claimed_cv;   ///< from "CV_SCORE=x"
    std::vector<double> fold_scores;    ///< from "FOLD k SCORE=x", in order
    std::optional<double> scored_cv;    ///< the metric over every validated OOF row, by the host
    std::vector<double> scored_fold_scores;  ///< the metric per fold, by the host (NaN: the fold alone cannot be scored)
    std::optional<int> exit_code;
    std::optional<int> signal;
    std::string message;                ///< why it ended as it did, with numbers
    std::filesystem::path log_file, oof_file, test_file;
    std::string log_tail;               ///< the last lines of the log (for agents)
    double seconds = 0;
};

}  // namespace autokaggle
