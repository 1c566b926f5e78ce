// The Reviewer: the six checks on each plan, a verification of each finished run, and the
// retrospective every N rounds.
#include "agents.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <autokaggle/support/atomic_file.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace autokaggle::autopilot {

namespace {

std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of("\n\r ");
    if (end == std::string::npos) return {};
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

/// A spec for a plan the autopilot did not write (another Builder plugin): its "family:" line.
ExperimentSpec spec_from_foreign_plan(const std::string& text) {
    ExperimentSpec s;
    s.family = "unknown";
    s.variant = "foreign";
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::string l = line;
        std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto pos = l.find("family:");
        if (pos == std::string::npos) continue;
        auto value = l.substr(pos + 7);
        value.erase(0, value.find_first_not_of(" *`"));
        value.erase(value.find_last_not_of(" *`.") + 1);
        if (!value.empty()) s.family = value;
        break;
    }
    s.title = "plan " + s.family;
    return s;
}

bool perfect_score(const TaskFacts& f, double v) {
    if (f.metric == "auc_roc" || f.metric == "accuracy" || f.metric == "f1" || f.metric == "r2" || f.metric == "qwk")
        return v >= 0.9999;
    if (f.metric == "logloss" || f.metric == "rmse" || f.metric == "mae" || f.metric == "rmsle") return v <= 1e-6;
    return false;
}

}  // namespace

RunVerdict verify_run(const CampaignView& view, const RoundScores& scores, const std::string& run_log) {
    RunVerdict v;
    const auto& claimed = scores.cv;
    if (!claimed) {
        v.approved = false;
        const auto line = last_line(run_log);
        v.reason = "the run has no CV score; last log line: " + (line.empty() ? std::string("(empty log)") : line);
        return v;
    }
    const auto& folds = scores.folds;
    v.notes.push_back("CV " + format_score(*claimed) + " with " + std::to_string(folds.size()) + " fold scores.");
    if (!folds.empty()) {
        double lo = *std::min_element(folds.begin(), folds.end()), hi = *std::max_element(folds.begin(), folds.end());
        double mean = 0;
        for (double s : folds) mean += s;
        mean /= static_cast<double>(folds.size());
        v.notes.push_back("Fold scores range " + format_score(lo) + " to " + format_score(hi) + " (mean " + format_score(mean) + ").");
        if (*claimed < lo - 1e-9 * std::fabs(lo) - 0.25 * (hi - lo + std::fabs(mean)) ||
            *claimed > hi + 0.25 * (hi - lo + std::fabs(mean))) {
            v.approved = false;
            v.reason = "the CV " + format_score(*claimed) + " lies far outside its own fold scores (" + format_score(lo) +
                       " to " + format_score(hi) + "): the predictions differ between folds in scale or calibration";
            return v;
        }
    }
    if (perfect_score(view.facts, *claimed)) {
        v.approved = false;
        v.reason = "a perfect " + view.facts.metric + " of " + format_score(*claimed) +
                   " means the target leaks into the features; check the feature list and in-fold encoding";
        return v;
    }
    if (const auto* best = view.best()) {
        const auto spread = view.fold_spread(best->round);
        const double jump = std::fabs(*claimed - *best->cv);
        if (spread && *spread > 0 && view.better(*claimed, *best->cv) && jump > 10 * *spread) {
            v.approved = false;
            v.reason = "the CV jumped by " + format_score(jump) + ", more than 10 fold standard deviations (" +
                       format_score(*spread) + ") over " + round_tag(best->round) + ": suspect leakage before trusting it";
            return v;
        }
        v.notes.push_back("Against the best so far (" + round_tag(best->round) + ", " + format_score(*best->cv) +
                          "): a change of " + format_score(*claimed - *best->cv) + ", plausible for this data.");
    }
    return v;
}

Reviewer::Reviewer(HostServices& host) : host_(host) {}

std::string Reviewer::run_phase(const PhaseRequest& request) {
    switch (request.phase) {
        case Phase::review: return review(request);
        case Phase::verify: return verify(request);
        case Phase::retro: return retro(request);
        default:
            throw Error("autopilot reviewer: phase '" + std::string(to_string(request.phase)) +
                        "' is not a Reviewer phase (review, verify, retro)");
    }
}

std::string Reviewer::review(const PhaseRequest& request) {
    const auto view = read_campaign(host_, request.round);
    const auto plan_file = round_file(host_.paths().rounds, request.round, "plan.md");
    const auto plan_text = read_text_or_empty(plan_file);
    if (plan_text.empty()) throw Error("autopilot reviewer: " + plan_file.string() + " is missing or empty");
    const auto proposal = read_plan_spec(plan_file).value_or(spec_from_foreign_plan(plan_text));
    const auto outcome = review_plan(view, proposal);
    std::ostringstream md;
    md << "# " << round_tag(request.round) << " review: " << proposal.key() << "\n\n";
    md << "Plan: " << proposal.title << "\n\n## Six checks\n\n";
    for (const auto& c : outcome.checks) md << "- **" << c.name << "**: " << (c.pass ? "pass" : "FAIL") << ". " << c.note << "\n";
    md << "\n## Verdict\n\n" << outcome.token() << "\n";
    if (const auto* f = outcome.first_failure()) md << "\nReason code: " << f->code << "\n";
    atomic_write(request.output, md.str());
    return outcome.token();
}

std::string Reviewer::verify(const PhaseRequest& request) {
    const auto view = read_campaign(host_, request.round);
    const auto log = read_text_or_empty(round_file(host_.paths().rounds, request.round, "run.log"));
    const auto verdict = verify_run(view, round_scores(host_.paths().rounds, request.round), log);
    const std::string heading = "\n## Verification of the run\n";
    std::ostringstream md;
    md << heading << "\n";
    for (const auto& n : verdict.notes) md << "- " << n << "\n";
    const std::string token = verdict.approved ? "APPROVED" : "REVISE: " + verdict.reason;
    md << "\nVerdict: " << token << "\n";
    // The verdict goes to the phase's own file and is appended to the round's review, so the
    // review holds the whole story of the round. Re-running replaces the appended section.
    const auto review_file = round_file(host_.paths().rounds, request.round, "review.md");
    for (const auto& file : {review_file, request.output}) {
        if (file.empty()) continue;
        std::string text = read_text_or_empty(file);
        if (auto pos = text.find(heading); pos != std::string::npos) text.erase(pos);
        if (file != review_file) text = "# " + round_tag(request.round) + " verification\n";
        atomic_write(file, text + md.str());
        if (request.output.empty()) break;
    }
    return token;
}

std::string Reviewer::retro(const PhaseRequest& request) {
    const auto view = read_campaign(host_, request.round);
    std::ostringstream md;
    md << "# " << round_tag(request.round) << " retrospective\n\n";
    md << "## What worked\n\n";
    const auto ranked = view.ranked_families();
    if (ranked.empty()) md << "Nothing has a verified score yet.\n";
    for (const auto& f : ranked) {
        const auto* b = view.best_of_family(f);
        md << "- " << family_label(f) << ": best CV " << format_score(*b->cv) << " (" << round_tag(b->round) << ", "
           << (b->spec ? b->spec->variant : "-") << ")\n";
    }
    for (const auto& r : view.history)
        if (r.family() == "blend" && r.ok()) md << "- blend " << round_tag(r.round) << ": CV " << format_score(*r.cv) << "\n";
    md << "\n## Dropped too early\n\n";
    int dropped = 0;
    const auto* best = view.best();
    for (const auto& f : ranked) {
        int runs = 0;
        for (const auto& r : view.history)
            if (r.family() == f) ++runs;
        const auto* b = view.best_of_family(f);
        if (runs == 1 && best && b != best && std::fabs(*b->cv - *best->cv) <= 0.02 * std::fabs(*best->cv) + 1e-12) {
            md << "- " << family_label(f) << " was run once and landed within 2% of the best (" << format_score(*b->cv)
               << " vs " << format_score(*best->cv) << "): untuned, so not exhausted.\n";
            ++dropped;
        }
    }
    if (dropped == 0) md << "No family close to the best was abandoned after a single run.\n";
    md << "\n## Diminishing returns\n\n";
    std::optional<double> best_half1, best_half2;
    const std::size_t half = view.history.size() / 2;
    for (std::size_t i = 0; i < view.history.size(); ++i) {
        const auto& r = view.history[i];
        if (!r.ok()) continue;
        auto& slot = i < half ? best_half1 : best_half2;
        if (!slot || view.better(*r.cv, *slot)) slot = r.cv;
    }
    if (best_half1 && best_half2) {
        const bool gained = view.better(*best_half2, *best_half1);
        md << "Best of the first " << half << " rounds " << format_score(*best_half1) << ", of the later ones "
           << format_score(*best_half2) << ": "
           << (gained ? "still improving." : "no gain in the second half; diminishing returns, change approach.") << "\n";
    } else {
        md << "Too few verified rounds to judge.\n";
    }
    md << "\n## Top 5 next experiments\n\n";
    Constraint c;
    for (int i = 1; i <= 5; ++i) {
        ExperimentSpec next;
        try {
            next = choose_experiment(view, c);
        } catch (const Error&) {
            break;
        }
        md << i << ". " << next.key() << ": " << next.title << "\n";
        c.excluded_keys.insert(next.key());
    }
    md << "\n## Learnings\n\n";
    const auto lessons = campaign_lessons(view);
    if (lessons.empty()) md << "(nothing general measured yet)\n";
    for (const auto& l : lessons) md << "- " << l << "\n";
    atomic_write(request.output, md.str());
    return "DONE";
}

}  // namespace autokaggle::autopilot
