// The host side of an experiment run, behind HostServices::run_experiment: builds the script's
// arguments (docs/script-contract.md), starts the run through the configured Runner plugin and
// records it (so a restarted orchestrator can find it), follows the output as it arrives,
// parses fold and CV lines, applies the fold-1 kill gate, shows progress, and turns the end of
// the run into an ExperimentResult.
#pragma once

#include "base/config.hpp"
#include "metrics/verify.hpp"
#include "runner/kill_gate.hpp"
#include "runner/progress.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace autokaggle {

/// A finished run as the orchestrator keeps it until its round is recorded, so that a restart
/// collects it instead of running it again.
boost::json::object result_to_json(const ExperimentResult& result);
/// nullopt when `o` is not a result written by result_to_json.
std::optional<ExperimentResult> result_from_json(const boost::json::object& o);

class ExperimentRunner {
public:
    /// Where things are. Empty data_dir: the folder of competition.train_csv. Empty python:
    /// competition.python; when that is empty too or a bare name, resolve_python() picks the
    /// interpreter at construction (and throws ConfigError when none qualifies).
    struct Settings {
        std::filesystem::path rounds_dir;  ///< the workspace's rounds/ (relative scripts resolve against its parent)
        std::filesystem::path data_dir;
        std::filesystem::path python;
        /// The fold assignment (metrics/folds.hpp, ensure_folds) handed to the script; empty: none.
        std::filesystem::path folds_file;
        double poll_interval_s = 0.5;      ///< longest wait for output between progress updates
        std::size_t log_tail_lines = 40;   ///< lines kept in ExperimentResult::log_tail
    };

    /// Everything the runner reports back to its owner; every member may be left empty.
    struct Hooks {
        /// Called with the run's record right after the start, before any waiting, and with
        /// nullptr once the run has ended; the orchestrator keeps it in state.json by label.
        std::function<void(const std::string& label, const boost::json::object* record)> persist_record;
        ProgressSink* progress = nullptr;
        /// Polled between output polls; true ends the run and makes run() throw Cancelled.
        std::function<bool()> cancel_requested;
        std::function<void(LogLevel, std::string_view)> log;
        /// Scores the OOF file of a run that exited 0 (fold scores and CV from the fold
        /// assignment); throws when it cannot. When set, a script that printed no CV_SCORE line
        /// is scored instead of counting as a crash.
        std::function<metrics::FoldScores(const std::filesystem::path& oof)> score_oof;
    };

    ExperimentRunner(Runner& runner, CompetitionInfo competition, KillGateConfig kill_gate, Settings settings,
                     Hooks hooks);

    /// Runs the script and blocks until it ends. The script's failures are statuses in the
    /// result (crash, timeout, oom, killed_fold1); a run that exits 0 without a CV_SCORE line
    /// or without its OOF/test files is a crash. Throws Cancelled (after ending the run and
    /// installing its log) when the campaign stops, and autokaggle::Error when the runner
    /// itself fails.
    ExperimentResult run(const ExperimentRequest& request, const KillGateContext& gate = {});

    /// After a restart: hands the recorded run to Runner::attach. When the runner can follow it,
    /// it is followed to its end, unless the record's script_digest says it runs another version
    /// of the script: then, as when the runner cannot follow it, it is ended and the script runs
    /// again from the start.
    ExperimentResult resume(const ExperimentRequest& request, const boost::json::object& record,
                            const KillGateContext& gate = {});

    /// The RunSpec for a request: label R{NN}_experiment, log rounds/R{NN}_run.log, outputs
    /// rounds/R{NN}_oof.npy and R{NN}_test.npy, the contract's arguments and environment.
    RunSpec spec_for(const ExperimentRequest& request) const;

    /// "R03" (at least two digits).
    static std::string round_tag(int round);
    /// A fingerprint of a script's content, kept in the run's record ("" when unreadable).
    static std::string script_digest(const std::filesystem::path& script);
    /// The partial OOF file of a round (rounds/R{NN}_oof_partial.npy).
    std::filesystem::path partial_oof(int round) const;

private:
    ExperimentResult follow(RunHandle& handle, const RunSpec& spec, const ExperimentRequest& request,
                            const KillGateContext& gate);
    std::optional<KillDecision> apply_gate(const KillGateContext& gate, const RunSpec& spec, double printed_fold1) const;
    void finalise(ExperimentResult& result, const RunSpec& spec) const;
    void log(LogLevel level, std::string_view message) const;

    Runner& runner_;
    CompetitionInfo competition_;
    KillGateConfig kill_gate_;
    Settings settings_;
    Hooks hooks_;
};

}  // namespace autokaggle
