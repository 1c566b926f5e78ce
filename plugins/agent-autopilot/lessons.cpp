// The general rules the autopilot states from what it measured (docs/learnings.md). A claim is
// always worded the same, so the learnings store sees one rule confirmed or contradicted
// across competitions; the evidence says how much it changed in fold-noise units and on what
// kind of data, never the competition or a raw score.
#include "autopilot.hpp"

#include <cmath>
#include <cstdio>

namespace autokaggle::autopilot {

namespace {

const std::set<std::string> kBoosted{"hgb", "xgboost"};

std::string times_noise(double gain, double noise) {
    if (noise <= 0) return gain > 0 ? "more than the fold noise" : "no more than the fold noise";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f times the fold noise", std::fabs(gain) / noise);
    return buf;
}

std::string confirms(const char* rule, const std::string& what) { return std::string(rule) + " (evidence: " + what + ")"; }
std::string contradicts(const char* rule, const std::string& what) {
    return "contradicts: " + std::string(rule) + " (evidence: " + what + ")";
}

/// The signed gain of `now` over `before` in the metric's direction.
double gain(const CampaignView& view, double now, double before) {
    return view.facts.higher_is_better() ? now - before : before - now;
}

/// A claim that something "improved" or "beat": confirmed beyond the fold noise, contradicted
/// when it did not gain at all, left alone in between (a tie says little either way).
void improvement_lesson(const char* rule, double gain, double noise, const std::string& what, std::vector<std::string>& out) {
    if (gain > noise) out.push_back(confirms(rule, what));
    else if (gain <= 0) out.push_back(contradicts(rule, what));
}

const RoundRecord* best_where(const CampaignView& view, int before_round, const std::function<bool(const RoundRecord&)>& pick) {
    const RoundRecord* best = nullptr;
    for (const auto& r : view.history)
        if (r.round < before_round && r.ok() && pick(r) && (!best || view.better(*r.cv, *best->cv))) best = &r;
    return best;
}

const char* variant_rule(const std::string& variant) {
    if (variant == "freq") return lesson::kFrequencyEncoding;
    if (variant == "target") return lesson::kTargetEncoding;
    if (variant == "logt") return lesson::kLogTarget;
    if (variant == "cw") return lesson::kClassWeights;
    return nullptr;
}

/// The first time a boosted family and the linear model both have scores: which won.
void family_lessons(const CampaignView& view, const RoundRecord& current, std::vector<std::string>& out) {
    const bool is_boosted = kBoosted.count(current.family()) > 0;
    if (!is_boosted && current.family() != "linear") return;
    auto boosted = [](const RoundRecord& r) { return kBoosted.count(r.family()) > 0; };
    auto linear = [](const RoundRecord& r) { return r.family() == "linear"; };
    const RoundRecord* other = best_where(view, current.round, is_boosted ? std::function<bool(const RoundRecord&)>(linear) : boosted);
    const RoundRecord* same_kind_before = best_where(view, current.round, is_boosted ? std::function<bool(const RoundRecord&)>(boosted) : linear);
    if (!other || same_kind_before) return;  // not comparable yet, or compared in an earlier round
    const double linear_cv = is_boosted ? *other->cv : *current.cv, boosted_cv = is_boosted ? *current.cv : *other->cv;
    const double g = gain(view, boosted_cv, linear_cv), noise = view.fold_noise();
    const bool small = view.facts.rows > 0 && view.facts.rows < 10000;
    const std::string what = data_context(view.facts) + ": the best boosted model scored " + times_noise(g, noise) +
                             (g >= 0 ? " above" : " below") + " the linear model";
    if (g > noise) {
        out.push_back(confirms(lesson::kBoostedBeatLinear, what));
        if (small) out.push_back(contradicts(lesson::kLinearOnSmallData, what));
    } else {
        if (g < -noise) out.push_back(contradicts(lesson::kBoostedBeatLinear, what));
        if (small) out.push_back(confirms(lesson::kLinearOnSmallData, what));
    }
}

}  // namespace

std::string data_context(const TaskFacts& facts) {
    std::string task = facts.task_type.empty() ? "tabular" : facts.task_type;
    for (char& c : task)
        if (c == '_') c = ' ';
    const int n = facts.rows;
    const char* size = n <= 0         ? "data of unknown size"
                       : n < 1000     ? "hundreds of rows"
                       : n < 10000    ? "thousands of rows"
                       : n < 100000   ? "tens of thousands of rows"
                                      : "hundreds of thousands of rows or more";
    return task + ", " + size;
}

std::vector<std::string> round_lessons(const CampaignView& view, int round, const RunOutcome& run) {
    std::vector<std::string> out;
    const std::string context = data_context(view.facts);
    if (run.status == "killed_fold1") {
        const bool copy = run.message.find("near-copy") != std::string::npos;
        out.push_back(confirms(copy ? lesson::kNearCopyStopped : lesson::kKillGate,
                               context + (copy ? ": a run whose first fold nearly copied the best model was stopped there"
                                               : ": a clearly weaker run was stopped after its first fold")));
    }
    const RoundRecord* current = nullptr;
    for (const auto& r : view.history)
        if (r.round == round) current = &r;
    if (!current || !current->ok() || !current->spec) return out;
    const double noise = view.fold_noise();
    const auto& spec = *current->spec;
    if (spec.family == "blend") {
        if (const auto* single = best_where(view, round, [](const RoundRecord& r) { return r.family() != "blend"; })) {
            const double g = gain(view, *current->cv, *single->cv);
            const std::string what = context + ": a blend of " + std::to_string(spec.members.size()) + " families " +
                                     (g > 0 ? "gained " + times_noise(g, noise) + " over" : "did not beat") +
                                     " the best single model";
            improvement_lesson(lesson::kBlend, g, noise, what, out);
        }
        return out;
    }
    if (const char* rule = variant_rule(spec.variant)) {
        const auto* base = best_where(view, round, [&](const RoundRecord& r) {
            return r.family() == spec.family && r.spec && r.spec->variant == "base";
        });
        if (base) {
            const double g = gain(view, *current->cv, *base->cv);
            const std::string what = context + ", " + family_label(spec.family) + ": " + times_noise(g, noise) +
                                     (g > 0 ? " better" : " worse") + " than the plain model";
            improvement_lesson(rule, g, noise, what, out);
        }
    }
    if (spec.is_tuning()) {
        const auto* untuned = best_where(view, round, [&](const RoundRecord& r) {
            return r.family() == spec.family && r.spec && !r.spec->is_tuning();
        });
        if (untuned) {
            const double g = gain(view, *current->cv, *untuned->cv);
            const std::string what = context + ", " + family_label(spec.family) + ": a tuning step " +
                                     (g > noise ? "gained " + times_noise(g, noise) : "gained no more than the fold noise");
            out.push_back(g > noise ? contradicts(lesson::kTuningGainsLittle, what) : confirms(lesson::kTuningGainsLittle, what));
        }
    }
    family_lessons(view, *current, out);
    return out;
}

std::vector<std::string> campaign_lessons(const CampaignView& view) {
    std::vector<std::string> out;
    const std::string context = data_context(view.facts);
    const int after = view.round + 1;
    const auto* single = best_where(view, after, [](const RoundRecord& r) { return r.family() != "blend"; });
    const auto* blend = best_where(view, after, [](const RoundRecord& r) { return r.family() == "blend"; });
    const double noise = view.fold_noise();
    if (single && blend) {
        const double g = gain(view, *blend->cv, *single->cv);
        const std::string what = context + ": over the campaign the best blend " +
                                 (g > 0 ? "gained " + times_noise(g, noise) + " over" : "did not beat") +
                                 " the best single model";
        improvement_lesson(lesson::kBlend, g, noise, what, out);
    }
    int tuned = 0, tuned_gains = 0;
    for (const auto& r : view.history) {
        if (!r.ok() || !r.spec || !r.spec->is_tuning()) continue;
        const auto* untuned = best_where(view, r.round, [&](const RoundRecord& o) {
            return o.family() == r.family() && o.spec && !o.spec->is_tuning();
        });
        if (!untuned) continue;
        ++tuned;
        if (gain(view, *r.cv, *untuned->cv) > noise) ++tuned_gains;
    }
    if (tuned > 0) {
        const std::string what = context + ": " + std::to_string(tuned_gains) + " of " + std::to_string(tuned) +
                                 " tuning steps gained more than the fold noise";
        out.push_back(tuned_gains == 0 ? confirms(lesson::kTuningGainsLittle, what)
                                       : contradicts(lesson::kTuningGainsLittle, what));
    }
    return out;
}

}  // namespace autokaggle::autopilot
