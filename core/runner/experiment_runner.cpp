#include "runner/experiment_runner.hpp"

#include "runner/python_env.hpp"
#include "runner/score_lines.hpp"
#include "runner/supervised_run.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"
#include "metrics/folds.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/metric.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace autokaggle {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

void remove_quietly(const fs::path& path) {
    std::error_code ec;
    fs::remove(path, ec);
}

}  // namespace

ExperimentRunner::ExperimentRunner(Runner& runner, CompetitionInfo competition, KillGateConfig kill_gate,
                                   Settings settings, Hooks hooks)
    : runner_(runner),
      competition_(std::move(competition)),
      kill_gate_(kill_gate),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)) {
    if (settings_.data_dir.empty()) settings_.data_dir = competition_.train_csv.parent_path();
    if (settings_.python.empty()) settings_.python = competition_.python;
    // Runners start the interpreter by path: an absent or bare name is resolved (and checked) now.
    if (settings_.python.empty() || settings_.python.string().find('/') == std::string::npos) {
        PythonChoice choice = resolve_python(settings_.python);
        log(LogLevel::info, "python for experiments: " + choice.interpreter.string() + " (" + choice.reason + ")");
        settings_.python = choice.interpreter;
    }
}

std::string ExperimentRunner::round_tag(int round) { return ::autokaggle::round_tag(round); }

std::string ExperimentRunner::script_digest(const fs::path& script) {
    try {
        return content_hash(read_file(script));
    } catch (const std::exception&) {
        return {};
    }
}

boost::json::object result_to_json(const ExperimentResult& r) {
    boost::json::array folds;
    for (double f : r.fold_scores) folds.emplace_back(f);
    auto optional_int = [](const std::optional<int>& v) { return v ? boost::json::value(*v) : boost::json::value(); };
    return {{"status", std::string(to_string(r.status))},
            {"claimed_cv", r.claimed_cv ? boost::json::value(*r.claimed_cv) : boost::json::value()},
            {"fold_scores", std::move(folds)},
            {"exit_code", optional_int(r.exit_code)},
            {"signal", optional_int(r.signal)},
            {"message", r.message},
            {"log_file", r.log_file.string()},
            {"oof_file", r.oof_file.string()},
            {"test_file", r.test_file.string()},
            {"log_tail", r.log_tail},
            {"seconds", r.seconds}};
}

std::optional<ExperimentResult> result_from_json(const boost::json::object& o) {
    auto text = [&](const char* key) -> std::optional<std::string> {
        const auto* v = o.if_contains(key);
        if (!v || !v->is_string()) return std::nullopt;
        return std::string(v->as_string());
    };
    auto status = text("status");
    const auto* folds = o.if_contains("fold_scores");
    if (!status || !folds || !folds->is_array()) return std::nullopt;
    auto known = supervised::run_status_named(*status);
    if (!known) return std::nullopt;
    ExperimentResult r;
    r.status = *known;
    if (const auto* v = o.if_contains("claimed_cv"); v && v->is_number()) r.claimed_cv = v->to_number<double>();
    for (const auto& f : folds->as_array())
        if (f.is_number()) r.fold_scores.push_back(f.to_number<double>());
    if (const auto* v = o.if_contains("exit_code"); v && v->is_number()) r.exit_code = v->to_number<int>();
    if (const auto* v = o.if_contains("signal"); v && v->is_number()) r.signal = v->to_number<int>();
    r.message = text("message").value_or("");
    r.log_file = text("log_file").value_or("");
    r.oof_file = text("oof_file").value_or("");
    r.test_file = text("test_file").value_or("");
    r.log_tail = text("log_tail").value_or("");
    if (const auto* v = o.if_contains("seconds"); v && v->is_number()) r.seconds = v->to_number<double>();
    return r;
}

fs::path ExperimentRunner::partial_oof(int round) const {
    return settings_.rounds_dir / (round_tag(round) + "_oof_partial.npy");
}

RunSpec ExperimentRunner::spec_for(const ExperimentRequest& request) const {
    const std::string tag = round_tag(request.round);
    const fs::path& rounds = settings_.rounds_dir;
    RunSpec spec;
    spec.round = request.round;
    spec.label = tag + "_experiment";
    spec.script = request.script.is_absolute() ? request.script : rounds.parent_path() / request.script;
    spec.work_dir = rounds;
    spec.log_file = rounds / (tag + "_run.log");
    spec.python = settings_.python;
    spec.data_dir = settings_.data_dir;
    const fs::path oof = rounds / (tag + "_oof.npy");
    const fs::path test = rounds / (tag + "_test.npy");
    const fs::path partial = partial_oof(request.round);
    spec.outputs = {oof, test};
    const std::string folds = std::to_string(competition_.cv_folds);
    const std::string seed = std::to_string(competition_.seed);
    spec.args = {"--data-dir", spec.data_dir.string(), "--oof-out",  oof.string(), "--test-out", test.string(),
                 "--oof-partial", partial.string(),   "--folds",   folds,        "--seed",     seed};
    spec.env = {
        {"PYTHONUNBUFFERED", "1"},  // fold lines must arrive as they are printed
        {"PYTHONFAULTHANDLER", "1"},
        {"AUTOKAGGLE_ROUND", std::to_string(request.round)},
        {"AUTOKAGGLE_DATA_DIR", spec.data_dir.string()},
        {"AUTOKAGGLE_OOF_OUT", oof.string()},
        {"AUTOKAGGLE_TEST_OUT", test.string()},
        {"AUTOKAGGLE_OOF_PARTIAL", partial.string()},
        {"AUTOKAGGLE_FOLDS", folds},
        {"AUTOKAGGLE_SEED", seed},
        {"AUTOKAGGLE_TASK_TYPE", competition_.task_type},
        {"AUTOKAGGLE_METRIC", competition_.metric},
        {"AUTOKAGGLE_METRIC_DIRECTION", competition_.metric_direction},
        {"AUTOKAGGLE_TARGET_COLUMN", competition_.target_column},
        {"AUTOKAGGLE_ID_COLUMN", competition_.id_column},
        {"AUTOKAGGLE_CV_STRATEGY", competition_.cv_strategy},
        {"AUTOKAGGLE_GROUP_COLUMN", competition_.group_column},
        {"AUTOKAGGLE_TIME_COLUMN", competition_.time_column},
    };
    if (!settings_.folds_file.empty()) {
        spec.inputs = {settings_.folds_file, metrics::fit_file_of(settings_.folds_file)};
        spec.env.emplace_back("AUTOKAGGLE_FOLDS_FILE", spec.inputs[0].string());
        spec.env.emplace_back("AUTOKAGGLE_FOLDS_FIT_FILE", spec.inputs[1].string());
    }
    return spec;
}

void ExperimentRunner::log(LogLevel level, std::string_view message) const {
    if (hooks_.log) hooks_.log(level, message);
}

ExperimentResult ExperimentRunner::run(const ExperimentRequest& request, const KillGateContext& gate) {
    RunSpec spec = spec_for(request);
    // Files of an earlier attempt must not make this one look successful.
    for (const auto& output : spec.outputs) remove_quietly(output);
    remove_quietly(partial_oof(request.round));
    std::unique_ptr<RunHandle> handle = runner_.start(spec);
    if (hooks_.persist_record) {
        boost::json::object record = handle->record();
        record["script_digest"] = script_digest(spec.script);
        hooks_.persist_record(spec.label, &record);
    }
    return follow(*handle, spec, request, gate);
}

ExperimentResult ExperimentRunner::resume(const ExperimentRequest& request, const boost::json::object& record,
                                          const KillGateContext& gate) {
    RunSpec spec = spec_for(request);
    std::unique_ptr<RunHandle> handle = runner_.attach(spec, record);
    const auto* digest = record.if_contains("script_digest");
    if (handle && digest && (!digest->is_string() || digest->as_string() != script_digest(spec.script))) {
        // A run of another script (or of this one before it was rewritten) must not count.
        log(LogLevel::info, spec.label + ": the recorded run is of another version of the script; ending it");
        handle->cancel("the script changed after the run started");
        for (int polls = 0; handle->poll(0.2).status == RunStatus::running && polls < 3000; ++polls) {
        }
        handle.reset();
    }
    if (!handle) {
        log(LogLevel::info, spec.label + ": the recorded run cannot be followed; running it again");
        return run(request, gate);
    }
    log(LogLevel::info, spec.label + ": following the run recorded before the restart");
    return follow(*handle, spec, request, gate);
}

std::optional<KillDecision> ExperimentRunner::apply_gate(const KillGateContext& gate, const RunSpec& spec,
                                                         double printed_fold1) const {
    if (!kill_gate_.enabled || competition_.cv_folds <= 1) return std::nullopt;
    const fs::path partial = partial_oof(spec.round);
    const bool have_partial = non_empty_file(partial);
    double fold1 = printed_fold1;
    std::string source = "printed";
    if (gate.score_fold1 && have_partial) {
        if (auto recomputed = gate.score_fold1(partial)) {
            fold1 = *recomputed;
            source = "recomputed from " + partial.filename().string();
        }
    }
    std::optional<double> correlation;
    if (gate.best_oof && have_partial) {
        correlation = gate.correlation ? gate.correlation(partial, *gate.best_oof) : oof_correlation(partial, *gate.best_oof);
    }
    if (!gate.best_cv && !correlation) return std::nullopt;
    KillDecision decision = evaluate_fold1(kill_gate_, gate, fold1, correlation);
    decision.message += " [fold 1 score " + source + "]";
    return decision;
}

ExperimentResult ExperimentRunner::follow(RunHandle& handle, const RunSpec& spec, const ExperimentRequest& request,
                                          const KillGateContext& gate) {
    const auto started = Clock::now();
    ScoreLineParser parser(settings_.log_tail_lines);
    ProgressSink* progress = hooks_.progress;
    if (progress) progress->begin(request.round, "experiment", request.description);
    std::optional<KillDecision> kill;
    bool gate_checked = false, cancelled = false;
    RunPoll poll;
    try {
        for (;;) {
            if (!cancelled && !kill && hooks_.cancel_requested && hooks_.cancel_requested()) {
                handle.cancel("the campaign is stopping");
                cancelled = true;
            }
            poll = handle.poll(settings_.poll_interval_s);
            std::vector<ScoreEvent> events = parser.feed(poll.new_output);
            if (poll.status != RunStatus::running) {
                auto last = parser.finish();
                events.insert(events.end(), last.begin(), last.end());
            }
            for (const ScoreEvent& event : events) {
                if (event.kind != ScoreEvent::Kind::fold) continue;
                if (progress)
                    progress->folds(static_cast<int>(parser.folds().size()), competition_.cv_folds, event.value);
                if (event.fold != 1 || gate_checked || poll.status != RunStatus::running || cancelled) continue;
                gate_checked = true;
                kill = apply_gate(gate, spec, event.value);
                if (!kill) continue;
                log(kill->kill ? LogLevel::warn : LogLevel::info, spec.label + ": fold-1 kill gate: " + kill->message);
                if (kill->kill) handle.cancel("stopped by the fold-1 kill gate: " + kill->message);
                else kill.reset();
            }
            if (progress) progress->tick();
            if (poll.status != RunStatus::running) break;
        }
    } catch (...) {
        if (progress) progress->end("runner error");
        throw;
    }

    ExperimentResult result;
    result.status = kill ? RunStatus::killed_fold1 : poll.status;
    result.message = kill ? "stopped by the fold-1 kill gate: " + kill->message : poll.message;
    result.exit_code = poll.exit_code;
    result.signal = poll.signal;
    result.claimed_cv = parser.cv_score();
    result.fold_scores = parser.fold_scores();
    result.log_file = spec.log_file;
    result.oof_file = spec.outputs.at(0);
    result.test_file = spec.outputs.at(1);
    result.log_tail = parser.tail();
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    finalise(result, spec);
    remove_quietly(partial_oof(spec.round));
    if (hooks_.persist_record) hooks_.persist_record(spec.label, nullptr);

    std::string outcome(to_string(result.status));
    if (auto cv = result.claimed_cv ? result.claimed_cv : result.scored_cv; result.status == RunStatus::ok && cv)
        outcome += " CV " + format_score(*cv);
    if (progress) progress->end(outcome);
    log(result.status == RunStatus::ok ? LogLevel::info : LogLevel::warn,
        spec.label + ": " + outcome + " - " + result.message);
    if (cancelled && !kill) throw Cancelled(spec.label + " stopped: " + result.message);
    return result;
}

void ExperimentRunner::finalise(ExperimentResult& result, const RunSpec& spec) const {
    if (result.status != RunStatus::ok) return;
    std::vector<std::string> problems;
    for (const auto& output : spec.outputs)
        if (!non_empty_file(output)) problems.push_back("did not write " + output.string());
    if (problems.empty() && hooks_.score_oof) {
        const fs::path& oof = spec.outputs.at(0);
        std::string why;
        try {
            metrics::FoldScores scores = hooks_.score_oof(oof);
            if (std::isfinite(scores.cv)) result.scored_cv = scores.cv;
            else why = "the metric is " + format_score(scores.cv);
            result.scored_fold_scores = std::move(scores.folds);
        } catch (const std::exception& e) {
            why = e.what();
        }
        if (!result.claimed_cv && !result.scored_cv)
            problems.push_back("printed no CV_SCORE=x line and the core could not score " + oof.filename().string() + ": " + why);
    } else if (!result.claimed_cv && !hooks_.score_oof) {
        problems.push_back("printed no CV_SCORE=x line (the script contract requires it at the end)");
    }
    if (problems.empty()) return;
    result.status = RunStatus::crash;
    std::string joined;
    for (const auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
    result.message = "exited 0 but " + joined;
}

}  // namespace autokaggle
