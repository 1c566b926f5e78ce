#include "orchestrator/experiment_adapter.hpp"

#include "metrics/folds.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/npy.hpp"
#include "metrics/verify.hpp"
#include "orchestrator/workspace.hpp"
#include "runner/run_scores.hpp"

#include <autokaggle/sdk/errors.hpp>


namespace autokaggle {

namespace fs = std::filesystem;

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

const ExperimentAdapter::OofScoring* ExperimentAdapter::oof_scoring() {
    if (scoring_ || scoring_failed_) return scoring_ ? &*scoring_ : nullptr;
    try {
        OofScoring s;
        s.metric = metrics::load_metric(plugins_, config_.competition.metric, {}, &host_);
        s.target = metrics::load_train_target(config_.competition, s.metric->prediction_kind());
        s.fold = metrics::load_folds(config_.competition);
        scoring_ = std::move(s);
    } catch (const std::exception& e) {
        scoring_failed_ = true;
        host_.log(LogLevel::warn, "runner", std::string("the core cannot score experiments' OOF files: ") + e.what());
    }
    return scoring_ ? &*scoring_ : nullptr;
}

ExperimentResult ExperimentAdapter::run(const ExperimentRequest& request) {
    const auto& paths = host_.paths();
    ExperimentRunner::Settings settings;
    settings.rounds_dir = paths.rounds;
    settings.data_dir = paths.data;
    settings.python = config_.competition.python;
    settings.folds_file = metrics::ensure_folds(config_.competition);
    const OofScoring* scoring = oof_scoring();
    ExperimentRunner::Hooks hooks;
    hooks.persist_record = record_;
    hooks.progress = &progress_;
    hooks.cancel_requested = [this] { return host_.cancel_requested(); };
    hooks.log = [this](LogLevel level, std::string_view message) { host_.log(level, "runner", message); };
    if (scoring) {
        hooks.score_oof = [scoring](const fs::path& oof) {
            return metrics::score_folds(*scoring->metric, scoring->target, scoring->fold, metrics::read_npy(oof),
                                        oof.filename().string());
        };
    }
    ExperimentRunner experiment(runner(), config_.competition, config_.kill_gate, settings, std::move(hooks));
    KillGateContext gate = gate_ ? gate_() : KillGateContext{};
    if (scoring) gate.score_fold1 = partial_oof_scorer(*scoring->metric, scoring->target, scoring->fold);
    const std::string label = ExperimentRunner::round_tag(request.round) + "_experiment";
    auto record = lookup_(label);
    ExperimentResult result = record ? experiment.resume(request, *record, gate) : experiment.run(request, gate);
    write_run_scores(round_file(host_.paths(), request.round, "scores.json"), request.round, config_.competition.metric,
                     result);
    return result;
}

}  // namespace autokaggle
