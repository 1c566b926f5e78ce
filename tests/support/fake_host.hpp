// A HostServices for driving the autopilot's agents and plugins without an orchestrator: a
// temporary workspace holding a copy of one reference competition, and run_experiment running
// the script directly with the real Python, following the script contract.
#pragma once

#include "base/plugin_host.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <autokaggle/sdk/runner.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace autokaggle::test {

struct CompetitionSpec {
    std::string name;  ///< folder under competitions/ of the repository
    std::string task_type, metric, direction, target;
};

CompetitionSpec pima();
CompetitionSpec vehicle();
CompetitionSpec boston();

class FakeHost final : public HostDouble {
public:
    /// Copies competitions/<name> into `root` (data/) and its answers.csv into held_out()
    /// beside it, and lays out the workspace.
    FakeHost(const fs::path& root, const CompetitionSpec& spec, int max_rounds = 0);
    ~FakeHost() override;

    /// <root>-heldout: the held-out answers (and the local leaderboard), outside the workspace.
    fs::path held_out() const;

    /// Runs the script with the real interpreter, the contract's arguments and the competition's
    /// folds (what the local runner does, minus the kill gate); scores the OOF file with the
    /// metric plugin and records the round in results.tsv and R{NN}_scores.json like the core.
    ExperimentResult run_experiment(const ExperimentRequest& request) override;

    /// Extra script arguments for every experiment (e.g. {"--max-train-rows", "200"}).
    std::vector<std::string> extra_args;
    /// "FOLD k ..." lines the scripts printed, over every run.
    int folds_reported = 0;

private:
    PluginHost plugins_;  ///< the built plugins, for metric()
};

/// Appends or replaces one row of results.tsv (the columns the core writes).
void record_result(const fs::path& results, int round, const std::string& cv, const std::string& status,
                   const std::string& description);

}  // namespace autokaggle::test
