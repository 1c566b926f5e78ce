// blend: the core's blender (core/metrics/blend.hpp) over the experiment registry. Returns the
// members, their weights and the blend's CV, and writes blends/ like `autokaggle blend`. With
// as_experiment (Builder, code phase) the blend becomes the round's experiment: its OOF and test
// arrays are written as rounds/R{NN}_oof.npy and R{NN}_test.npy, verified like any run's, and
// the orchestrator verifies, decides and submits them as it does for every round.
#include "tools/experiment_verdict.hpp"
#include "tools/run_journal.hpp"
#include "tools/tool_args.hpp"
#include "tools/tool_groups.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"
#include "metrics/blend.hpp"
#include "metrics/npy.hpp"
#include "runner/experiment_runner.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <sstream>

namespace autokaggle::tools {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string tag(int round) { return ExperimentRunner::round_tag(round); }

std::string fixed(double v, int digits) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string report(const metrics::BlendResult& r, const Metric& metric) {
    std::ostringstream out;
    out << "metric: " << metric.name() << (r.rank_average ? " (rank averaging)" : "") << "\n"
        << "best single model: " << r.best_single_id << " cv " << format_cv(r.best_single_cv) << "\n"
        << "blend cv: " << format_cv(r.blend_cv) << " (" << r.steps << " selection steps)\n"
        << "members (id, family, cv, weight):\n";
    for (const auto& c : r.candidates)
        if (c.weight > 0) out << "  " << c.id << "  " << (c.family.empty() ? "-" : c.family) << "  " << format_cv(c.cv) << "  " << fixed(c.weight, 4) << "\n";
    std::string unused;
    for (const auto& c : r.candidates)
        if (c.weight == 0) unused += (unused.empty() ? "" : ", ") + c.id;
    if (!unused.empty()) out << "candidates not picked: " << unused << "\n";
    for (const auto& e : r.excluded) out << "not blended: " << e << "\n";
    return out.str();
}

/// A readable record of the blend as the round's script: the members and weights, and code
/// that rebuilds the arrays (the arrays the core wrote are the ones verified).
std::string recipe(const metrics::BlendResult& r, const std::vector<metrics::ExperimentRecord>& registry, int round) {
    std::ostringstream py;
    py << "# " << tag(round) << ": blend of earlier experiments, built by the core's blend tool (not run by the runner).\n"
       << "# The core wrote " << tag(round) << "_oof.npy and " << tag(round) << "_test.npy itself and verified them;\n"
       << "# this script rebuilds them from the members' files for reference.\n"
       << "# blend CV " << format_cv(r.blend_cv) << ", best single " << r.best_single_id << " " << format_cv(r.best_single_cv) << "\n"
       << "import numpy as np\n\nMEMBERS = [  # (oof file, test file, weight)\n";
    for (const auto& c : r.candidates) {
        if (c.weight <= 0) continue;
        for (const auto& e : registry)
            if (e.id == c.id)
                py << "    (\"" << e.oof.generic_string() << "\", \"" << e.test.generic_string() << "\", " << format_cv(c.weight) << "),\n";
    }
    py << "]\nRANK_AVERAGE = " << (r.rank_average ? "True" : "False") << "\n\n"
       << "def prepare(a):\n"
       << "    if not RANK_AVERAGE:\n        return a\n"
       << "    return (np.argsort(np.argsort(a, kind='stable'), kind='stable') + 1) / len(a)\n\n"
       << "oof = sum(w * prepare(np.load(o)) for o, _, w in MEMBERS)\n"
       << "test = sum(w * prepare(np.load(t)) for _, t, w in MEMBERS)\n"
       << "np.save(\"rounds/" << tag(round) << "_oof_rebuilt.npy\", oof)\n"
       << "np.save(\"rounds/" << tag(round) << "_test_rebuilt.npy\", test)\n";
    return py.str();
}

std::string blend(ToolHost& host, const ToolSettings& settings, const ToolCallContext& context, const json::object& args) {
    const bool as_experiment = bool_arg(args, "as_experiment", false);
    if (as_experiment) {
        if (context.role != "builder") throw ToolError("only the Builder can make the blend the round's experiment");
        if (!context.phase.empty() && context.phase != "code")
            throw ToolError("as_experiment belongs to the code phase (now: " + context.phase + ")");
        if (context.round < 1) throw ToolError("round 0 has no experiment");
    }
    const Metric* metric = host.metric();
    if (!metric) throw Error("no metric plugin provides " + host.host().competition().metric);
    const auto& paths = host.host().paths();
    const auto& competition = host.host().competition();
    const auto registry = metrics::read_experiments(paths.experiments);
    const auto target = metrics::load_train_target(competition, metric->prediction_kind());
    metrics::BlendOptions options;
    options.config = settings.blend;
    metrics::BlendResult result;
    try {
        result = metrics::blend_experiments(*metric, target, registry, paths.root, options);
    } catch (const MetricError& e) {
        throw ToolError(e.what());
    }
    metrics::write_blend_outputs(result, competition, *metric, target, paths.root / "blends");
    std::string text = report(result, *metric) + "written to blends/ (blend_oof.npy, blend_test.npy, blend.json)\n";
    if (!as_experiment) return text + "to make this blend the round's experiment, call blend with as_experiment=true in the code phase\n";

    std::size_t members = 0;
    for (const auto& c : result.candidates) members += c.weight > 0 ? 1 : 0;
    if (members < 2)
        throw ToolError("the blend holds one model only (" + result.best_single_id +
                        "); it adds nothing as an experiment. Run a new experiment instead");
    const RunLock lock(paths.rounds, context.round);
    const fs::path oof = paths.rounds / (tag(context.round) + "_oof.npy");
    const fs::path test = paths.rounds / (tag(context.round) + "_test.npy");
    const fs::path script = paths.rounds / (tag(context.round) + "_experiment.py");
    const fs::path log = paths.rounds / (tag(context.round) + "_run.log");
    metrics::write_npy(oof, result.oof);
    metrics::write_npy(test, result.test);
    const std::string source = recipe(result, registry, context.round);
    atomic_write(script, source);
    atomic_write(log, "[blend] " + tag(context.round) + " is a blend built by the core, not a script run\n" + text);
    json::object outcome;
    outcome["status"] = "ok";
    outcome["message"] = "blend of " + std::to_string(members) + " models";
    outcome["fold_scores"] = json::array();
    outcome["printed_cv"] = "";
    outcome["seconds"] = 0;
    verify_predictions(host, settings, oof, test, "", outcome);
    outcome["script"] = (fs::path("rounds") / script.filename()).generic_string();
    outcome["script_hash"] = content_hash(source);
    outcome["log"] = (fs::path("rounds") / log.filename()).generic_string();
    RunJournal(paths.rounds, context.round).save_outcome(outcome);
    const auto* verification = outcome.if_contains("verification");
    return text + "the blend is now " + tag(context.round) + "'s experiment: " + script.filename().string() + ", " +
           oof.filename().string() + ", " + test.filename().string() + "\nverified: " +
           std::string(verification ? verification->as_string() : "") + "\nanswer for the code phase: " +
           std::string(outcome.at("answer").as_string()) + "\n(state family: blend in the plan)\n";
}

}  // namespace

void add_blend_tool(std::vector<ToolDefinition>& table, ToolHost& host, const ToolSettings& settings) {
    table.push_back(
        {"blend",
         "Blend the experiments of the registry (experiments.json) with the core's blender: greedy selection with "
         "replacement on the OOF metric (rank averaging for rank metrics), near-duplicates merged. Returns the "
         "members, their weights and the blend's CV. With as_experiment=true (Builder, code phase) the blend "
         "becomes this round's experiment: the core writes and verifies its OOF and test arrays and returns the "
         "answer for the code phase.",
         object_schema({{"as_experiment", property("boolean", "make the blend this round's experiment (default false)")}}),
         {"builder", "reviewer"},
         [&host, &settings](const ToolCallContext& context, const json::object& args) {
             return blend(host, settings, context, args);
         }});
}

}  // namespace autokaggle::tools
