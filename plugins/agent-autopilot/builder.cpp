// The Builder: EDA, plan, revise, code (write and run the experiment) and findings.
#include "agents.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <autokaggle/support/atomic_file.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace autokaggle::autopilot {

namespace {

std::string python_of(const CompetitionInfo& c) { return c.python.empty() ? "/usr/bin/python3" : c.python.string(); }

/// At most this much of a run log is read, from its end (a log can be large).
constexpr std::size_t kLogReadBytes = 1024 * 1024;

std::string tail_lines(const std::string& text, std::size_t n) {
    if (text.empty()) return text;
    std::size_t pos = text.size();
    for (std::size_t i = 0; i < n && pos > 0; ++i) {
        pos = text.rfind('\n', pos - 1);
        if (pos == std::string::npos) return text;
    }
    return text.substr(pos + 1);
}

std::string direction_words(const TaskFacts& f) { return f.higher_is_better() ? "higher is better" : "lower is better"; }

/// "+0.0123 (better)" from the metric's point of view.
std::string delta_text(const CampaignView& view, double now, double before) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%+.6g", now - before);
    return std::string(buf) + (view.better(now, before) ? " (better)" : now == before ? " (equal)" : " (worse)");
}

std::string history_table(const CampaignView& view) {
    if (view.history.empty()) return "No experiment has run yet.\n";
    std::string out = "| round | family | variant | CV | status |\n|---|---|---|---|---|\n";
    for (const auto& r : view.history)
        out += "| " + round_tag(r.round) + " | " + r.family() + " | " + (r.spec ? r.spec->variant : "-") + " | " +
               (r.cv ? format_score(*r.cv) : "-") + " | " + (r.status.empty() ? "-" : r.status) + " |\n";
    return out;
}

std::string plan_markdown(const CampaignView& view, const ExperimentSpec& spec, const std::string& revision) {
    const auto& f = view.facts;
    std::ostringstream md;
    md << "# " << round_tag(view.round) << " plan: " << spec.title << "\n\n";
    md << "## Situation\n\n";
    md << "Round " << view.round;
    if (view.max_rounds > 0) md << " of " << view.max_rounds << " (" << view.rounds_left() << " left after this one)";
    md << ". Task " << f.task_type << ", metric " << f.metric << " (" << direction_words(f) << ")";
    if (f.rows > 0) md << ", " << f.rows << " training rows, " << f.categorical << " categorical columns";
    md << ".\n";
    if (const auto* best = view.best())
        md << "Best so far: " << round_tag(best->round) << " " << family_label(best->family()) << " with CV "
           << format_score(*best->cv) << ".\n";
    const auto ranked = view.ranked_families();
    md << "Families with results: " << (ranked.empty() ? std::string("none") : [&] {
        std::string s;
        for (const auto& r : ranked) s += (s.empty() ? "" : ", ") + r;
        return s;
    }()) << ".\n\n" << history_table(view) << "\n";
    md << "## Last-round assessment\n\n";
    if (view.history.empty()) {
        md << "This is the first experiment; R00_eda.md describes the data.\n\n";
    } else {
        const auto& last = view.history.back();
        md << round_tag(last.round) << " (" << last.family() << (last.spec ? ", " + last.spec->variant : "") << ") ";
        if (last.ok()) {
            md << "scored " << format_score(*last.cv);
            const RoundRecord* before = nullptr;
            for (const auto& r : view.history)
                if (r.round < last.round && r.ok() && (!before || view.better(*r.cv, *before->cv))) before = &r;
            if (before) md << ", " << delta_text(view, *last.cv, *before->cv) << " against the best before it";
            md << ".\n\n";
        } else {
            md << "did not produce a verified score (status " << (last.status.empty() ? "unknown" : last.status)
               << "); its family is not repeated blindly.\n\n";
        }
    }
    if (!view.suggested_families.empty()) {
        md << "The research brief points at: ";
        for (std::size_t i = 0; i < view.suggested_families.size(); ++i)
            md << (i ? ", " : "") << view.suggested_families[i];
        md << ".\n\n";
    }
    md << "## Hypothesis\n\n" << spec.rationale << "\n\n";
    md << "## Experiment specification\n\n";
    md << "- family: " << spec.family << "\n";
    md << "- variant: " << spec.variant << "\n";
    md << "- features: all columns; numeric as-is" << (spec.family == "linear" || spec.family == "knn" ? " (median-imputed, scaled)" : "")
       << ", categoricals " << spec.encoding << "-encoded" << (spec.log_target ? "; target log1p-transformed" : "")
       << (spec.class_weight ? "; balanced class weights" : "") << "\n";
    md << "- params: " << boost::json::serialize(spec.params) << "\n";
    if (!spec.members.empty()) {
        md << "- members:";
        for (const auto& m : spec.members) md << " " << round_tag(m.round) << " (" << m.family << ")";
        md << "\n";
    }
    md << "- validation: " << (is_classification(f.task_type) ? "StratifiedKFold" : "KFold")
       << " as configured, fixed seed shared by every round, so OOF rows line up for blending\n\n";
    md << "```json\n" << boost::json::serialize(spec.to_json()) << "\n```\n\n";
    md << "## Success criterion\n\n";
    if (const auto* best = view.best()) {
        md << "Success: CV " << (f.higher_is_better() ? "above " : "below ") << format_score(*best->cv)
           << " (the best so far) by more than the fold noise. ";
        if (spec.family != "blend")
            md << "A weaker score still counts if the model is a different family whose OOF predictions correlate "
                  "below 0.995 with the best, because then it can lift a blend.\n";
        else
            md << "A blend that cannot beat its best member means the members are too similar.\n";
    } else {
        md << "Success: a valid, verified CV score to set the baseline every later round must beat.\n";
    }
    if (!revision.empty()) md << "\n## Revision\n\n" << revision << "\n";
    return md.str();
}

/// Where the code phase leaves how its run ended, for the findings phase (a later call, maybe
/// in a later process) to read.
fs::path run_outcome_file(const HostServices& host, int round) {
    return host.paths().agents / "builder" / (round_tag(round) + "_run_outcome.json");
}

RunOutcome read_run_outcome(const HostServices& host, int round) {
    RunOutcome out;
    boost::system::error_code ec;
    const auto value = boost::json::parse(read_text_or_empty(run_outcome_file(host, round)), ec);
    if (ec || !value.is_object()) return out;
    if (const auto* v = value.as_object().if_contains("status"); v && v->is_string()) out.status = v->as_string();
    if (const auto* v = value.as_object().if_contains("message"); v && v->is_string()) out.message = v->as_string();
    return out;
}

/// The reason code of a REVISE verdict: the autopilot Reviewer's explicit line, else keywords.
std::string reason_code(const std::string& review_text, const std::string& trigger) {
    const std::string marker = "Reason code: ";
    auto pos = review_text.rfind(marker);
    if (pos != std::string::npos) {
        auto end = review_text.find('\n', pos);
        return review_text.substr(pos + marker.size(), end == std::string::npos ? std::string::npos : end - pos - marker.size());
    }
    std::string t = review_text + " " + trigger;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (t.find("blend") != std::string::npos || t.find("ensemble") != std::string::npos) return "blend";
    if (t.find("tunnel") != std::string::npos || t.find("divers") != std::string::npos) return "diversity";
    if (t.find("remain") != std::string::npos || t.find("exploit") != std::string::npos) return "exploit";
    if (t.find("untried") != std::string::npos || t.find("bold") != std::string::npos || t.find("explore") != std::string::npos)
        return "bolder";
    if (t.find("diminish") != std::string::npos || t.find("cost") != std::string::npos) return "cost";
    return "forgotten";
}

}  // namespace

Builder::Builder(HostServices& host) : host_(host) {}

std::string Builder::run_phase(const PhaseRequest& request) {
    switch (request.phase) {
        case Phase::eda: return eda(request);
        case Phase::plan: return plan(request);
        case Phase::revise: return revise(request);
        case Phase::code: return code(request);
        case Phase::findings: return findings(request);
        default:
            throw Error("autopilot builder: phase '" + std::string(to_string(request.phase)) +
                        "' is not a Builder phase (eda, plan, revise, code, findings)");
    }
}

void Builder::respawn(const fs::path&) {
    // Stateless between phases: every decision is re-read from the workspace files.
}

std::string Builder::eda(const PhaseRequest& request) {
    const auto& c = host_.competition();
    const auto dir = host_.paths().agents / "builder";
    fs::create_directories(dir);
    const auto script = dir / "eda.py";
    atomic_write(script, python_source("eda.py"));
    const auto log = dir / "eda.log";
    atomic_write(log, "");
    const std::vector<std::string> argv{python_of(c), script.string(), "--train", c.train_csv.string(),
                                        "--test", c.test_csv.string(), "--target", c.target_column,
                                        "--id", c.id_column, "--task", c.task_type, "--metric", c.metric,
                                        "--folds", std::to_string(c.cv_folds), "--out-md", request.output.string(),
                                        "--out-json", (dir / "eda_facts.json").string()};
    const int rc = run_process(argv, log, 600, &host_);
    if (rc != 0)
        throw Error("autopilot builder: the EDA script failed (exit " + std::to_string(rc) + ", log " + log.string() +
                    "):\n" + tail_lines(read_file_tail(log, kLogReadBytes), 8));
    host_.log(LogLevel::info, "autopilot", "EDA written to " + request.output.string());
    return "DONE";
}

std::string Builder::plan(const PhaseRequest& request) {
    const auto view = read_campaign(host_, request.round);
    const auto spec = choose_experiment(view);
    atomic_write(request.output, plan_markdown(view, spec, ""));
    return "DONE";
}

std::string Builder::revise(const PhaseRequest& request) {
    const auto view = read_campaign(host_, request.round);
    const auto plan_file = round_file(host_.paths().rounds, request.round, "plan.md");
    const auto review_text = read_text_or_empty(round_file(host_.paths().rounds, request.round, "review.md"));
    const auto rejected = read_plan_spec(plan_file).value_or(choose_experiment(view));
    const auto code = reason_code(review_text, request.trigger);
    const auto spec = choose_experiment(view, constraint_for(code, rejected));
    std::string why = request.trigger;
    if (auto pos = review_text.rfind("REVISE: "); pos != std::string::npos)
        why = review_text.substr(pos, review_text.find('\n', pos) - pos);
    const std::string revision = "The review rejected \"" + rejected.title + "\" (" + rejected.key() + "): " + why +
                                 "\n\nReason code `" + code + "`; this plan replaces it with " + spec.key() +
                                 ", which honours that reason.";
    atomic_write(request.output.empty() ? plan_file : request.output, plan_markdown(view, spec, revision));
    return "REVISED";
}

std::string Builder::code(const PhaseRequest& request) {
    const auto& paths = host_.paths();
    const auto plan_file = round_file(paths.rounds, request.round, "plan.md");
    auto spec = read_plan_spec(plan_file);
    if (!spec)
        throw Error("autopilot builder: " + plan_file.string() +
                    " has no experiment specification (a ```json block); re-run the plan phase");
    const auto script = request.output.extension() == ".py" ? request.output
                                                              : round_file(paths.rounds, request.round, "experiment.py");
    if (spec->family == "user_pipeline") {
        const auto& user = host_.competition().best_pipeline_script;
        if (!user) throw Error("autopilot builder: the plan runs best_pipeline_script, but config.json names none");
        atomic_write(script, read_file(*user));
    } else {
        atomic_write(script, experiment_script(*spec, host_.competition()));
    }
    ExperimentRequest run;
    run.round = request.round;
    run.script = script;
    run.description = "[" + spec->family + "/" + spec->variant + "] " + spec->title;
    const auto result = host_.run_experiment(run);
    atomic_write(run_outcome_file(host_, request.round),
                 boost::json::serialize(boost::json::object{{"status", to_string(result.status)}, {"message", result.message}}));
    // The autopilot's scripts print no score: the core's CV from the OOF file is the claim. A
    // user pipeline that prints CV_SCORE keeps its own claim, which the core then checks.
    const auto cv = result.claimed_cv ? result.claimed_cv : result.scored_cv;
    if (result.status != RunStatus::ok || !cv) return "CV_SCORE=crash";
    char buf[64];
    std::snprintf(buf, sizeof buf, "CV_SCORE=%.17g", *cv);  // exact: the core checks it to 1e-6
    return buf;
}

std::string Builder::findings(const PhaseRequest& request) {
    const auto view = read_campaign(host_, request.round + 1);
    const RoundRecord* current = nullptr;
    for (const auto& r : view.history)
        if (r.round == request.round) current = &r;
    const RoundRecord* before = nullptr;
    for (const auto& r : view.history)
        if (r.round < request.round && r.ok() && (!before || view.better(*r.cv, *before->cv))) before = &r;
    const auto log = read_file_tail(round_file(host_.paths().rounds, request.round, "run.log"), kLogReadBytes);
    const auto folds = round_scores(host_.paths().rounds, request.round).folds;
    const auto spread = view.fold_spread(request.round);
    const std::string family = current ? current->family() : "unknown";
    const std::string variant = current && current->spec ? current->spec->variant : "unknown";

    std::ostringstream md;
    md << "# " << round_tag(request.round) << " findings: " << family_label(family) << " (" << variant << ")\n\n";
    md << "## Result\n\n";
    const RunOutcome run = read_run_outcome(host_, request.round);
    if (!current || !current->ok()) {
        const std::string status = !run.status.empty() && run.status != "ok" ? run.status
                                   : current && !current->status.empty()     ? current->status
                                                                             : "unknown";
        md << "No verified score (status " << status << (run.message.empty() ? "" : ": " + run.message) << "). ";
        if (log.find_first_not_of(" \t\r\n") == std::string::npos) md << "The run log is empty.\n\n";
        else md << "Last lines of the run log:\n\n```\n" << tail_lines(log, 6) << "\n```\n\n";
        md << "## What it means\n\nThe experiment taught nothing about the model; the next plan avoids repeating it "
              "unchanged.\n\n";
    } else {
        md << "CV " << format_score(*current->cv);
        if (!folds.empty()) {
            md << " from " << folds.size() << " folds (";
            for (std::size_t i = 0; i < folds.size(); ++i) md << (i ? ", " : "") << format_score(folds[i]);
            md << ")";
        }
        if (spread) md << ", fold standard deviation " << format_score(*spread);
        if (current->lb) md << "; public LB " << format_score(*current->lb);
        md << ".\n\n## What it means\n\n";
        const double noise = spread ? *spread / std::sqrt(static_cast<double>(std::max<std::size_t>(folds.size(), 1))) : 0.0;
        if (!before) {
            md << "The first verified score: the baseline every later round has to beat.\n\n";
        } else if (view.better(*current->cv, *before->cv)) {
            const double gain = std::fabs(*current->cv - *before->cv);
            md << "A new best, " << delta_text(view, *current->cv, *before->cv) << " over " << round_tag(before->round)
               << " (" << before->family() << "). "
               << (gain > noise ? "The gain is larger than the fold noise (" + format_score(noise) + "), so it is real. "
                                : "The gain is within the fold noise (" + format_score(noise) +
                                      "): treat it as a tie until confirmed. ")
               << "It is the submission candidate.\n\n";
        } else {
            md << "Below the best (" << round_tag(before->round) << ", " << format_score(*before->cv) << ") by "
               << format_score(std::fabs(*current->cv - *before->cv)) << ". "
               << (family != before->family() && family != "blend"
                       ? "As a different family it stays a blend candidate if its predictions are not near-duplicates."
                       : "Within the same family this setting is a dead end.")
               << "\n\n";
        }
    }
    const auto next = choose_experiment(view);
    md << "## Next round\n\nThe catalogue's next step is " << next.key() << ": " << next.title << ".\n\n";
    // The orchestrator reads this line before it decides (and records whether it followed it).
    md << "## Submission recommendation\n\n";
    if (current && current->ok() && (!before || view.better(*current->cv, *before->cv)))
        md << "Recommendation: submit - it is the best verified CV so far.\n\n";
    else
        md << "Recommendation: do not submit - it does not beat the best verified CV.\n\n";
    // General rules only: what this round measured, worded as it would hold on other data.
    const auto learnings = round_lessons(view, request.round, run);
    md << "## Learnings\n\n";
    if (learnings.empty()) md << "(nothing general was measured this round)\n";
    for (const auto& l : learnings) md << "- " << l << "\n";
    atomic_write(request.output, md.str());
    return "DONE";
}

}  // namespace autokaggle::autopilot
