// A HostServices for driving the autopilot's agents and plugins without an orchestrator: a
// temporary workspace holding a copy of one reference competition, and run_experiment running
// the script directly with the real Python, following the script contract.
#pragma once

#include "support/test_support.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace autokaggle::test {

struct CompetitionSpec {
    std::string name;  ///< folder under shared/competitions
    std::string task_type, metric, direction, target;
};

CompetitionSpec pima();
CompetitionSpec vehicle();
CompetitionSpec boston();

class FakeHost final : public HostServices {
public:
    /// Copies shared/competitions/<name> into `root` (data/, answers.csv) and lays out the workspace.
    FakeHost(const fs::path& root, const CompetitionSpec& spec, int max_rounds = 0);

    const WorkspacePaths& paths() const override { return paths_; }
    const CompetitionInfo& competition() const override { return competition_; }
    const boost::json::object& config() const override { return config_; }
    void log(LogLevel level, std::string_view source, std::string_view message) override;
    bool cancel_requested() const override { return false; }
    void report_usage(std::string_view, const Usage&) override {}
    LlmProvider& llm(std::string_view name) override;
    /// Runs the script with the real interpreter and the contract's arguments (what the local
    /// runner does, minus the kill gate); records the round in results.tsv like the core.
    ExperimentResult run_experiment(const ExperimentRequest& request) override;

    CompetitionInfo& mutable_competition() { return competition_; }
    boost::json::object& mutable_config() { return config_; }
    /// Extra script arguments for every experiment (e.g. {"--max-train-rows", "200"}).
    std::vector<std::string> extra_args;
    std::vector<std::string> messages;

private:
    WorkspacePaths paths_;
    CompetitionInfo competition_;
    boost::json::object config_;
};

/// Appends or replaces one row of results.tsv (the columns the core writes).
void record_result(const fs::path& results, int round, const std::string& cv, const std::string& status,
                   const std::string& description);

}  // namespace autokaggle::test
