#include "orchestrator/standalone_tools.hpp"

#include "base/atomic_file.hpp"
#include "orchestrator/state.hpp"
#include "orchestrator/workspace.hpp"
#include "tools/run_journal.hpp"

#include <cstdlib>

namespace autokaggle {

namespace fs = std::filesystem;

namespace {
/// The round a runner label belongs to ("R03_experiment" -> 3).
int round_of(const std::string& label) { return label.size() > 1 ? std::atoi(label.c_str() + 1) : 0; }

CampaignState peek_state(const WorkspacePaths& paths) {
    return StateStore(paths.state).peek([](const std::string&) {});
}
}  // namespace

StandaloneTools::StandaloneTools(const Config& config, const PluginHost& plugins, Logger& logger,
                                 std::function<std::string()> stop_reason)
    : config_(config), plugins_(plugins), paths_(workspace_paths(config)), host_(config, paths_, plugins, logger) {
    ensure_workspace_folders(paths_);
    host_.set_stop_check(std::move(stop_reason));
    const fs::path rounds = paths_.rounds;
    adapter_ = std::make_unique<ExperimentAdapter>(
        config, plugins, host_,
        [rounds](const std::string& label, const boost::json::object* record) {
            tools::RunJournal(rounds, round_of(label)).save_run_record(record);
        },
        [rounds](const std::string& label) { return tools::RunJournal(rounds, round_of(label)).run_record(); },
        [this] { return kill_gate(); });
    host_.set_experiment_runner([this](const ExperimentRequest& request) { return adapter_->run(request); });
}

StandaloneTools::~StandaloneTools() = default;

ToolCallContext StandaloneTools::context(const std::string& role) {
    const CampaignState state = peek_state(paths_);
    host_.set_round(state.round);
    return ToolCallContext{role, state.round, state.phase == "start" ? std::string() : state.phase};
}

KillGateContext StandaloneTools::kill_gate() {
    const CampaignState state = peek_state(paths_);
    // The adapter sets the direction and the fold-1 scorer from the metric it scores runs with.
    return gate_against_best(paths_, state.best_cv_round, state.best_cv, config_.competition.metric_direction != "lower");
}

}  // namespace autokaggle
