// The Reviewer's six checks as rules over the campaign's history. Each check passes or asks for
// a revision with a reason code the Builder maps onto a constraint (constraint_for).
#include "autopilot.hpp"

#include <autokaggle/support/text.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace autokaggle::autopilot {

namespace {

/// Imported rules at this confidence or more are acted on; below it they are only read.
constexpr double kTrusted = 0.5;

/// A line that names the family and says to stay away from it.
bool speaks_against(const std::string& line, const std::string& family) {
    const auto l = to_lower(line);
    if (l.rfind("contradicts", 0) == 0 || l.rfind("- contradicts", 0) == 0) return false;
    return l.find(family) != std::string::npos &&
           (l.find("avoid") != std::string::npos || l.find("never") != std::string::npos || l.find("hurts") != std::string::npos);
}

/// The imported rule with this wording when the store trusts it enough to act on.
const learnings::WorkspaceRule* trusted(const CampaignView& view, const char* wording) {
    const auto id = learnings::rule_id(wording);
    for (const auto& r : view.rules)
        if (r.imported && r.id == id && r.confidence && *r.confidence >= kTrusted) return &r;
    return nullptr;
}

/// The strongest family of the catalogue that no round has tried, or "".
std::string first_untried(const CampaignView& view) {
    const auto tried = view.tried_families();
    for (const auto& f : family_order(view.facts))
        if (!tried.count(f)) return f;
    return {};
}

CheckOutcome diversity(const CampaignView& view, const ExperimentSpec& p) {
    CheckOutcome c{"diversity", true, "diversity", ""};
    if (violates_diversity(view, p.family)) {
        c.pass = false;
        c.note = family_label(p.family) + " already fills 2 of the last 3 rounds; another round of it is tunnel "
                 "vision. Pick a different family.";
    } else {
        c.note = "The last rounds are not dominated by " + family_label(p.family) + ".";
    }
    return c;
}

CheckOutcome forgotten(const CampaignView& view, const ExperimentSpec& p) {
    CheckOutcome c{"forgotten learnings", true, "forgotten", ""};
    for (const auto& r : view.history) {
        if (r.spec && r.spec->key() == p.key()) {
            c.pass = false;
            c.note = "This repeats " + round_tag(r.round) + " (" + p.key() + ", " +
                     (r.cv ? "CV " + format_score(*r.cv) : r.status) + ") exactly; nothing new would be learned.";
            return c;
        }
    }
    int crashes = 0;
    for (const auto& r : view.history)
        if (r.spec && r.spec->family == p.family && !r.ok()) ++crashes;
    if (crashes >= 2) {
        c.pass = false;
        c.note = family_label(p.family) + " failed " + std::to_string(crashes) +
                 " times already; fix the cause or choose another family.";
        return c;
    }
    const auto family = to_lower(p.family);
    for (const auto& line : view.learnings) {
        if (speaks_against(line, family)) {
            c.pass = false;
            c.note = "LEARNINGS.md says: \"" + line + "\"; the plan contradicts it.";
            return c;
        }
    }
    for (const auto& rule : view.rules) {
        if (rule.imported && rule.confidence && *rule.confidence >= kTrusted && speaks_against(rule.text, family)) {
            c.pass = false;
            c.note = "LEARNINGS.md rule " + rule.id + " (confidence " + format_score(*rule.confidence) + ") says: \"" +
                     rule.text + "\"; the plan contradicts it.";
            return c;
        }
    }
    if (const auto* rule = trusted(view, lesson::kTuningGainsLittle); rule && p.is_tuning()) {
        if (const auto untried = first_untried(view); !untried.empty()) {
            c.pass = false;
            c.code = "bolder";
            c.note = "LEARNINGS.md rule " + rule->id + " (confidence " + format_score(*rule->confidence) +
                     ", from earlier campaigns): tuning a model that already works gained less than the fold noise, "
                     "while " + family_label(untried) + " is still untried.";
            return c;
        }
    }
    if (const auto* rule = trusted(view, lesson::kBlend); rule && p.family != "blend" && view.ranked_families().size() >= 3 &&
                                                          std::none_of(view.history.begin(), view.history.end(),
                                                                       [](const RoundRecord& r) { return r.family() == "blend"; })) {
        c.pass = false;
        c.code = "blend";
        c.note = "LEARNINGS.md rule " + rule->id + " (confidence " + format_score(*rule->confidence) +
                 ", from earlier campaigns): a blend of diverse families beat the best single model; " +
                 std::to_string(view.ranked_families().size()) + " families have results and none is blended yet.";
        return c;
    }
    c.note = "No earlier round or learning contradicts this plan.";
    return c;
}

CheckOutcome explore_exploit(const CampaignView& view, const ExperimentSpec& p) {
    CheckOutcome c{"exploration vs exploitation", true, "exploit", ""};
    const bool untried = view.tried_families().count(p.family) == 0 && p.family != "blend";
    const int left = view.rounds_left();
    const auto families = view.ranked_families().size();
    if (untried && left <= 1 && view.best()) {
        c.pass = false;
        c.note = "Only " + std::to_string(left) + " round(s) remain after this one: a new family has no time to be "
                 "tuned or blended. Exploit what works (tune the best family or blend).";
    } else if (p.is_tuning() && families < 3 && left > 3) {
        c.pass = false;
        c.code = "bolder";
        c.note = "Only " + std::to_string(families) + " families have results and " + std::to_string(left) +
                 " rounds remain: explore before tuning.";
    } else {
        c.note = std::to_string(left >= 1000 ? -1 : left) + " rounds left, " + std::to_string(families) +
                 " families with results; the balance is right.";
        if (left >= 1000) c.note = "No round limit, " + std::to_string(families) + " families with results; the balance is right.";
    }
    return c;
}

CheckOutcome ensemble_health(const CampaignView& view, const ExperimentSpec& p) {
    CheckOutcome c{"ensemble health", true, "blend", ""};
    const auto ranked = view.ranked_families();
    std::string corr;
    if (!view.correlations.empty()) {
        double lo = 1, hi = -1;
        for (const auto& [k, v] : view.correlations) lo = std::min(lo, v), hi = std::max(hi, v);
        corr = " OOF correlations range " + format_score(lo) + " to " + format_score(hi) + ".";
    }
    bool blended = false;
    for (const auto& r : view.history)
        if (r.family() == "blend") blended = true;
    // Two experiment rounds in a row without a new best: the single models have stalled.
    int stalled = 0;
    std::optional<double> best;
    for (const auto& r : view.history) {
        if (!r.spec) continue;
        if (r.ok() && (!best || view.better(*r.cv, *best))) {
            best = r.cv;
            stalled = 0;
        } else {
            ++stalled;
        }
    }
    if (ranked.size() >= 3 && !blended && stalled >= 2 && p.family != "blend") {
        c.pass = false;
        c.note = std::to_string(ranked.size()) + " families have results, no blend has been tried and the last " +
                 std::to_string(stalled) + " rounds found no new best: blend now." + corr;
    } else {
        c.note = std::to_string(ranked.size()) + " distinct families with results" +
                 (blended ? ", a blend exists." : ", no blend yet.") + corr;
    }
    return c;
}

CheckOutcome bolder(const CampaignView& view, const ExperimentSpec& p) {
    CheckOutcome c{"bolder alternative", true, "bolder", ""};
    const std::string untried = first_untried(view);
    const bool strong_untried = untried == "hgb" || untried == "xgboost" || untried == "linear";
    if (p.is_tuning() && strong_untried && view.rounds_left() > 1) {
        c.pass = false;
        c.note = "Tuning " + family_label(p.family) + " while " + family_label(untried) +
                 " has never been tried; the untried family is the bolder, likelier gain.";
    } else {
        c.note = untried.empty() ? "Every family in the catalogue has been tried."
                                 : "Still untried: " + family_label(untried) + "; the plan is a reasonable step.";
    }
    return c;
}

CheckOutcome cost_gain(const CampaignView& view, const ExperimentSpec& p) {
    CheckOutcome c{"cost vs expected gain", true, "cost", ""};
    if (!p.is_tuning()) {
        c.note = "Not a tuning step; the expected gain of new information justifies one run.";
        return c;
    }
    // The tuning steps of this family so far, and whether any beat the family's untuned best.
    std::optional<double> untuned;
    int tuned = 0, tuned_gains = 0;
    for (const auto& r : view.history) {
        if (!r.spec || r.spec->family != p.family || !r.ok()) continue;
        if (!r.spec->is_tuning()) {
            if (!untuned || view.better(*r.cv, *untuned)) untuned = r.cv;
        } else {
            ++tuned;
            if (untuned && view.better(*r.cv, *untuned + (view.facts.higher_is_better() ? view.fold_noise() : -view.fold_noise())))
                ++tuned_gains;
        }
    }
    if (tuned >= 2 && tuned_gains == 0) {
        c.pass = false;
        c.note = std::to_string(tuned) + " tuning steps of " + family_label(p.family) +
                 " gained nothing beyond noise (" + format_score(view.fold_noise()) +
                 "): diminishing returns, spend the round elsewhere.";
    } else {
        c.note = std::to_string(tuned) + " earlier tuning steps of this family, " + std::to_string(tuned_gains) +
                 " of them beat noise; one more is worth its cost.";
    }
    return c;
}

}  // namespace

bool PlanReview::approved() const { return first_failure() == nullptr; }

const CheckOutcome* PlanReview::first_failure() const {
    for (const auto& c : checks)
        if (!c.pass) return &c;
    return nullptr;
}

std::string PlanReview::token() const {
    const auto* f = first_failure();
    return f ? "REVISE: " + f->note : std::string("APPROVED");
}

PlanReview review_plan(const CampaignView& view, const ExperimentSpec& proposal) {
    PlanReview r;
    r.checks = {diversity(view, proposal),       forgotten(view, proposal), explore_exploit(view, proposal),
                ensemble_health(view, proposal), bolder(view, proposal),    cost_gain(view, proposal)};
    return r;
}

Constraint constraint_for(const std::string& code, const ExperimentSpec& rejected) {
    Constraint c;
    c.excluded_keys.insert(rejected.key());
    if (code == "diversity" || code == "cost") c.excluded_families.insert(rejected.family);
    if (code == "forgotten" && rejected.family != "blend") c.excluded_families.insert(rejected.family);
    if (code == "exploit") c.only_tried_families = true;
    if (code == "bolder") c.require_untried = true;
    if (code == "blend") c.prefer_blend = true;
    return c;
}

}  // namespace autokaggle::autopilot
