// HostServices::run_experiment for a campaign: creates the configured Runner plugin on first
// use and hands each request to the core's ExperimentRunner (fold-1 kill gate against the best
// verified experiment, progress on the terminal, run records persisted in state.json so that
// a restarted orchestrator re-attaches to a run still going or collects a finished one). Every
// run gets the competition's fold assignment; the core scores its OOF file fold by fold with the
// metric plugin when it ends and writes the scores to rounds/R{NN}_scores.json
// (docs/script-contract.md).
#pragma once

#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "metrics/target.hpp"
#include "runner/experiment_runner.hpp"
#include "runner/kill_gate.hpp"
#include "runner/progress.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace autokaggle {

class ExperimentAdapter {
public:
    /// Persists (record != nullptr) or clears (nullptr) the run record of a label in state.json.
    using RecordFn = std::function<void(const std::string& label, const boost::json::object* record)>;
    using LookupFn = std::function<std::optional<boost::json::object>(const std::string& label)>;
    /// What the kill gate compares a new run with (the best verified experiment so far).
    using GateFn = std::function<KillGateContext()>;

    ExperimentAdapter(const Config& config, const PluginHost& plugins, HostServices& host, RecordFn record,
                      LookupFn lookup, GateFn gate);
    /// Runs the request, or after a restart follows the run recorded for its label. A run that
    /// finished stays recorded with its result (until the round is recorded), so that an
    /// orchestrator killed before the agent's reply was recorded collects it instead of running
    /// it again; a second request for the same label within one process runs it again.
    ExperimentResult run(const ExperimentRequest& request);

private:
    /// What scoring an OOF file needs, loaded once: nullptr (after a warning) when it cannot be.
    struct OofScoring {
        const Metric* metric = nullptr;  ///< the host's
        metrics::TargetEncoding target;
        std::vector<int> fold;
    };
    const OofScoring* oof_scoring();

    Runner& runner();
    std::set<std::string> finished_here_;  ///< labels run to their end by this process
    const Config& config_;
    const PluginHost& plugins_;
    HostServices& host_;
    RecordFn record_;
    LookupFn lookup_;
    GateFn gate_;
    std::shared_ptr<Runner> runner_;
    std::optional<OofScoring> scoring_;
    bool scoring_failed_ = false;
    /// The fold assignment handed to every run, made (or found) once: finding it hashes train.csv.
    std::filesystem::path folds_file_;
    ProgressDisplay progress_;
};

}  // namespace autokaggle
