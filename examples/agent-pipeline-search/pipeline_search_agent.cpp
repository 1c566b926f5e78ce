// A competition-specific Builder: it runs the user's own pipeline (config.json
// best_pipeline_script) once per round with the next value of one parameter, a small grid search
// spread over the campaign. The core runs each script through the configured runner and scores
// it itself from the OOF file, so every value's CV is a verified number; the agent only decides
// what to try and writes the round's files. Researcher and Reviewer can be any agent (the
// offline autopilot, an LLM).
//
// The pipeline receives the value as a global dict the agent puts before the script's first line:
//     AUTOKAGGLE_PARAMS = {"max_depth": 6}
// and reads it with  params = globals().get("AUTOKAGGLE_PARAMS", {}).
//
// Options (config.json agents.builder.options):
//     "parameter": "max_depth", "values": [3, 6, null]
// Round k tries values[k-1]; after the grid, the best value so far again (a confirmation run).
// What was tried is kept in agents/builder/pipeline_search.json, written atomically, so a
// campaign resumed by a new process continues the search.
#include <autokaggle/sdk/agent.hpp>
#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>
#include <autokaggle/sdk/runner.hpp>
#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/text.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace autokaggle;

class PipelineSearch final : public Agent {
public:
    PipelineSearch(HostServices& host, std::string parameter, json::array values)
        : host_(host), parameter_(std::move(parameter)), values_(std::move(values)) {}

    std::string run_phase(const PhaseRequest& request) override {
        switch (request.phase) {
            case Phase::eda: return eda(request);
            case Phase::plan: return plan(request, "");
            case Phase::revise: plan(request, request.trigger); return "REVISED";
            case Phase::code: return code(request);
            case Phase::findings: return findings(request);
            default:
                throw Error("pipeline-search: phase '" + std::string(to_string(request.phase)) +
                            "' is not a Builder phase; configure it for agents.builder only");
        }
    }

    void respawn(const fs::path&) override {}  // no conversation: everything is in the workspace

private:
    // --- the search ------------------------------------------------------------------------------

    fs::path state_file() const { return host_.paths().agents / "builder" / "pipeline_search.json"; }

    /// round -> {"value": ..., "cv": number or null}
    json::object tried() const {
        const auto text = read_file_if_exists(state_file());
        if (!text) return {};
        json::error_code ec;
        json::value v = json::parse(*text, ec);
        if (ec || !v.is_object())
            throw Error("pipeline-search: " + state_file().string() + " is not a JSON object; remove it to restart the search");
        return std::move(v.as_object());
    }

    std::optional<json::value> best_value(const json::object& runs) const {
        std::optional<json::value> best;
        double best_cv = 0;
        const Direction direction = host_.competition().metric_direction == "higher" ? Direction::higher : Direction::lower;
        for (const auto& [round, run] : runs) {
            const json::value& cv = run.as_object().at("cv");
            if (!cv.is_number()) continue;
            if (!best || improves(direction, cv.to_number<double>(), best_cv)) {
                best = run.as_object().at("value");
                best_cv = cv.to_number<double>();
            }
        }
        return best;
    }

    /// The value round `round` tries: the grid in order, then the best so far.
    json::value value_for(int round) const {
        if (values_.empty()) return nullptr;
        if (round >= 1 && static_cast<std::size_t>(round) <= values_.size()) return values_[static_cast<std::size_t>(round - 1)];
        return best_value(tried()).value_or(values_.front());
    }

    std::string setting(const json::value& value) const {
        return parameter_.empty() ? std::string("the pipeline as written") : parameter_ + " = " + json::serialize(value);
    }

    const fs::path& user_script() const {
        const auto& script = host_.competition().best_pipeline_script;
        if (!script)
            throw ConfigError("pipeline-search: config.json names no best_pipeline_script; set it to the pipeline to tune");
        return *script;
    }

    // --- the phases ------------------------------------------------------------------------------

    std::string eda(const PhaseRequest& request) {
        const auto& c = host_.competition();
        const std::string train = read_file_if_exists(c.train_csv).value_or("");
        const auto lines = split(train, '\n');
        std::size_t rows = 0;
        for (std::size_t i = 1; i < lines.size(); ++i) rows += trim(lines[i]).empty() ? 0 : 1;
        std::ostringstream md;
        md << "# " << round_tag(request.round) << " EDA\n\n"
           << "train.csv: " << rows << " rows; columns: " << (lines.empty() ? "" : trim(lines[0])) << "\n\n"
           << "Target `" << c.target_column << "`, metric " << c.metric << " (" << c.metric_direction
           << " is better). The campaign tunes " << user_script().filename().string() << ": "
           << (parameter_.empty() ? "no parameter" : parameter_ + " over " + json::serialize(values_)) << ".\n";
        atomic_write(request.output, md.str());
        return "DONE";
    }

    std::string plan(const PhaseRequest& request, const std::string& objection) {
        const json::value value = value_for(request.round);
        std::ostringstream md;
        md << "# " << round_tag(request.round) << " plan: " << setting(value) << "\n\n"
           << "Family: user_pipeline\n\n"
           << "Run " << user_script().filename().string() << " with " << setting(value)
           << ", unchanged otherwise, on the competition's folds.\n";
        if (!objection.empty())
            md << "\nThe review objected (" << objection << "); the search is a fixed grid, so the plan stands.\n";
        atomic_write(request.output.empty() ? round_file(host_.paths(), request.round, "plan.md") : request.output, md.str());
        return "DONE";
    }

    std::string code(const PhaseRequest& request) {
        const json::value value = value_for(request.round);
        const auto script = round_file(host_.paths(), request.round, "experiment.py");
        const auto source = read_file_if_exists(user_script());
        if (!source) throw Error("pipeline-search: cannot read best_pipeline_script " + user_script().string());
        const json::object params = parameter_.empty() ? json::object{} : json::object{{parameter_, value}};
        // json.loads keeps JSON's null/true/false meaning in Python.
        atomic_write(script, "import json as _autokaggle_json\nAUTOKAGGLE_PARAMS = _autokaggle_json.loads(" +
                                 json::serialize(json::value(json::serialize(params))) + ")\n" + *source);

        ExperimentRequest run;
        run.round = request.round;
        run.script = script;
        run.description = "pipeline-search " + setting(value);
        const ExperimentResult result = host_.run_experiment(run);  // the core runs, watches and scores it

        json::object runs = tried();
        runs[std::to_string(request.round)] =
            json::object{{"value", value}, {"cv", result.scored_cv ? json::value(*result.scored_cv) : json::value(nullptr)},
                         {"status", std::string(to_string(result.status))}};
        atomic_write(state_file(), json::serialize(runs));
        host_.log(LogLevel::info, "pipeline-search",
                  round_tag(request.round) + " " + setting(value) + ": " + std::string(to_string(result.status)) +
                      (result.scored_cv ? ", CV " + format_score(*result.scored_cv) : ""));

        // The claim the core checks: the script's own CV_SCORE when it printed one, else the
        // core's number (exact, so the check to 1e-6 passes).
        const auto cv = result.claimed_cv ? result.claimed_cv : result.scored_cv;
        if (result.status != RunStatus::ok || !cv) return "CV_SCORE=crash";
        char buf[64];
        std::snprintf(buf, sizeof buf, "CV_SCORE=%.17g", *cv);
        return buf;
    }

    std::string findings(const PhaseRequest& request) {
        const json::object runs = tried();
        const json::value* run = runs.if_contains(std::to_string(request.round));
        const json::value value = run ? run->as_object().at("value") : value_for(request.round);
        const json::value cv = run ? run->as_object().at("cv") : json::value(nullptr);
        const auto best = best_value(runs);
        const bool is_best = cv.is_number() && best && *best == value;
        std::ostringstream md;
        md << "# " << round_tag(request.round) << " findings: " << setting(value) << "\n\n## Result\n\n"
           << (cv.is_number() ? "CV " + format_score(cv.to_number<double>()) : std::string("no verified score")) << ".\n\n"
           << "## Learnings\n\n- " << (parameter_.empty() ? std::string("the pipeline") : parameter_) << " = "
           << json::serialize(value) << " gives "
           << (cv.is_number() ? "CV " + format_score(cv.to_number<double>()) : std::string("no score")) << " on these folds.\n\n"
           << "## Submission recommendation\n\n"
           << (is_best ? "Recommendation: submit - the best value of the search so far.\n"
                       : "Recommendation: do not submit - an earlier value scored better.\n");
        atomic_write(request.output, md.str());
        return "DONE";
    }

    HostServices& host_;
    std::string parameter_;
    json::array values_;
};

std::unique_ptr<Agent> make_pipeline_search(const PluginContext& context) {
    if (context.instance != "builder") return nullptr;  // the host reports it: a Builder only
    // Validated against the schema below (defaults filled) before the factory runs.
    const json::value* p = context.options.if_contains("parameter");
    const json::value* v = context.options.if_contains("values");
    std::string parameter = p && p->is_string() ? std::string(p->as_string()) : std::string();
    json::array values = v && v->is_array() ? v->as_array() : json::array();
    if (parameter.empty() != values.empty())
        throw ConfigError("config.json: agents.builder.options: set both \"parameter\" and \"values\" (or neither)");
    return std::make_unique<PipelineSearch>(*context.host, std::move(parameter), std::move(values));
}

}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "pipeline-search", "1.0.0",
                  "Builder: the user's best_pipeline_script with one parameter searched over the rounds",
                  R"({"parameter": {"type": "string", "default": "", "doc": "the key of AUTOKAGGLE_PARAMS to vary"},
                      "values": {"type": "array", "default": [], "doc": "values to try, one per round"}})",
                  "*", make_pipeline_search)
