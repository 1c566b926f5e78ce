#include "orchestrator/experiment_adapter.hpp"

#include <autokaggle/sdk/errors.hpp>

namespace autokaggle {

ExperimentAdapter::ExperimentAdapter(const Config& config, const PluginHost& plugins, HostServices& host, RecordFn record,
                                     LookupFn lookup, GateFn gate)
    : config_(config), plugins_(plugins), host_(host), record_(std::move(record)), lookup_(std::move(lookup)),
      gate_(std::move(gate)), progress_(ProgressDisplay::for_stderr()) {}

Runner& ExperimentAdapter::runner() {
    if (!runner_) {
        if (config_.runner.plugin.empty()) {
            throw ConfigError("config.json: runner: no runner plugin configured; add \"runner\": {\"plugin\": \"local\"}");
        }
        PluginContext context;
        context.options = config_.runner.options;
        context.host = &host_;
        runner_ = plugins_.create_runner(config_.runner.plugin, context);
    }
    return *runner_;
}

ExperimentResult ExperimentAdapter::run(const ExperimentRequest& request) {
    const auto& paths = host_.paths();
    ExperimentRunner::Settings settings;
    settings.rounds_dir = paths.rounds;
    settings.data_dir = paths.data;
    settings.python = config_.competition.python;
    ExperimentRunner::Hooks hooks;
    hooks.persist_record = record_;
    hooks.progress = &progress_;
    hooks.cancel_requested = [this] { return host_.cancel_requested(); };
    hooks.log = [this](LogLevel level, std::string_view message) { host_.log(level, "runner", message); };
    ExperimentRunner experiment(runner(), config_.competition, config_.kill_gate, settings, std::move(hooks));
    const KillGateContext gate = gate_ ? gate_() : KillGateContext{};
    const std::string label = ExperimentRunner::round_tag(request.round) + "_experiment";
    if (auto record = lookup_(label)) return experiment.resume(request, *record, gate);
    return experiment.run(request, gate);
}

}  // namespace autokaggle
