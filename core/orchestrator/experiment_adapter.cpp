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
        s.metric = &host_.metric();
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
    if (folds_file_.empty()) folds_file_ = metrics::ensure_folds(config_.competition);
    settings.folds_file = folds_file_;
    const OofScoring* scoring = oof_scoring();
    ExperimentRunner::Hooks hooks;
    // The end of a run is recorded below, with its result; a cancelled run's record is cleared.
    hooks.persist_record = [this](const std::string& label, const boost::json::object* record) {
        if (record) record_(label, record);
    };
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
    if (scoring) {
        gate.higher_is_better = scoring->metric->direction() == Direction::higher;
        gate.score_fold1 = partial_oof_scorer(*scoring->metric, scoring->target, scoring->fold);
    }
    const std::string label = ExperimentRunner::round_tag(request.round) + "_experiment";
    const std::string digest = ExperimentRunner::script_digest(experiment.spec_for(request).script);
    std::optional<boost::json::object> record = lookup_(label);
    if (record && finished_here_.count(label)) record.reset();  // asked again: run again
    if (record) {
        const auto* result = record->if_contains("result");
        const auto* recorded_digest = record->if_contains("script_digest");
        if (result && result->is_object()) {
            auto collected = result_from_json(result->as_object());
            if (collected && recorded_digest && recorded_digest->is_string() && recorded_digest->as_string() == digest) {
                host_.log(LogLevel::info, "runner", label + ": the run finished before the restart: " +
                                                        std::string(to_string(collected->status)) + " - " +
                                                        collected->message);
                finished_here_.insert(label);
                return *collected;
            }
            record.reset();
        }
    }
    ExperimentResult result;
    try {
        result = record ? experiment.resume(request, *record, gate) : experiment.run(request, gate);
    } catch (const Cancelled&) {
        record_(label, nullptr);
        throw;
    }
    finished_here_.insert(label);
    // The scores before the record: a restart that collects the recorded result finds them written.
    write_run_scores(round_file(host_.paths(), request.round, "scores.json"), request.round, config_.competition.metric,
                     result);
    boost::json::object finished = lookup_(label).value_or(boost::json::object{});
    finished["script_digest"] = digest;
    finished["result"] = result_to_json(result);
    record_(label, &finished);
    return result;
}

}  // namespace autokaggle
