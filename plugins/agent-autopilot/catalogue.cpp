// The experiment catalogue and the deterministic choice of the next experiment.
//
// Order of candidates (the first untried one that passes the constraint and the diversity rule
// wins): the user's best pipeline; the four strongest families for the task (research can move a
// family forward); a blend once three families have results; feature variants the EDA calls for
// (frequency/target encoding when there are categoricals, log target for skewed regression,
// class weights for imbalance); the remaining families; then exploitation: a fresh blend and
// tuned variants of the best families; finally seed-bagged repeats of the best experiment.
#include "autopilot.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>

namespace autokaggle::autopilot {

namespace json = boost::json;

namespace {

constexpr int kTuningSteps = 4;
constexpr std::size_t kMaxBlendMembers = 5;

bool tree_family(const std::string& f) {
    return f == "hgb" || f == "xgboost" || f == "random_forest" || f == "extra_trees";
}

json::object base_params(const std::string& family, const TaskFacts& facts) {
    const bool cls = is_classification(facts.task_type);
    if (family == "linear") return cls ? json::object{{"C", 1.0}} : json::object{{"alpha", 1.0}};
    if (family == "hgb")
        return {{"learning_rate", 0.05}, {"max_iter", 250}, {"max_leaf_nodes", 15}, {"min_samples_leaf", 20},
                {"l2_regularization", 1.0}};
    if (family == "xgboost")
        return {{"n_estimators", 400}, {"learning_rate", 0.05}, {"max_depth", 4}, {"subsample", 0.8},
                {"colsample_bytree", 0.8}, {"min_child_weight", 2.0}, {"reg_lambda", 1.0}};
    if (family == "random_forest" || family == "extra_trees")
        return {{"n_estimators", 400}, {"min_samples_leaf", 2}};
    if (family == "knn") return {{"n_neighbors", 25}, {"weights", "distance"}};
    if (family == "blend") return {{"steps", 40}};
    return {};
}

/// Parameter overrides for tuning step k (1-based) of a family: a small, fixed search ladder
/// around the base point, more regularised first (small data overfits before it underfits).
std::optional<json::object> tuning_step(const std::string& family, int k, const TaskFacts& facts) {
    const bool cls = is_classification(facts.task_type);
    std::vector<json::object> ladder;
    if (family == "linear") {
        if (cls) ladder = {{{"C", 0.3}}, {{"C", 3.0}}, {{"C", 0.1}}, {{"C", 10.0}}};
        else ladder = {{{"alpha", 3.0}}, {{"alpha", 0.3}}, {{"alpha", 10.0}}, {{"alpha", 30.0}}};
    } else if (family == "hgb") {
        ladder = {{{"learning_rate", 0.03}, {"max_iter", 400}, {"max_leaf_nodes", 7}, {"min_samples_leaf", 30}, {"l2_regularization", 3.0}},
                  {{"learning_rate", 0.05}, {"max_iter", 200}, {"max_leaf_nodes", 31}, {"min_samples_leaf", 10}, {"l2_regularization", 0.5}},
                  {{"learning_rate", 0.02}, {"max_iter", 600}, {"max_leaf_nodes", 10}, {"min_samples_leaf", 40}, {"l2_regularization", 5.0}},
                  {{"learning_rate", 0.1}, {"max_iter", 150}, {"max_leaf_nodes", 7}, {"min_samples_leaf", 20}, {"l2_regularization", 1.0}}};
    } else if (family == "xgboost") {
        ladder = {{{"n_estimators", 700}, {"learning_rate", 0.02}, {"max_depth", 3}, {"colsample_bytree", 0.7}, {"min_child_weight", 3.0}, {"reg_lambda", 3.0}},
                  {{"n_estimators", 300}, {"learning_rate", 0.05}, {"max_depth", 6}, {"subsample", 0.7}, {"colsample_bytree", 0.6}, {"min_child_weight", 5.0}, {"reg_lambda", 5.0}},
                  {{"n_estimators", 1000}, {"learning_rate", 0.01}, {"max_depth", 2}, {"subsample", 0.9}, {"min_child_weight", 1.0}},
                  {{"n_estimators", 500}, {"learning_rate", 0.03}, {"max_depth", 5}, {"subsample", 0.8}, {"colsample_bytree", 0.5}, {"min_child_weight", 8.0}, {"reg_lambda", 10.0}}};
    } else if (family == "random_forest" || family == "extra_trees") {
        ladder = {{{"min_samples_leaf", 5}, {"max_features", 0.5}},
                  {{"n_estimators", 600}, {"min_samples_leaf", 1}, {"max_features", 0.7}},
                  {{"min_samples_leaf", 10}, {"max_features", 0.33}},
                  {{"min_samples_leaf", 3}, {"max_features", 1.0}}};
    } else if (family == "knn") {
        ladder = {{{"n_neighbors", 50}}, {{"n_neighbors", 12}}, {{"n_neighbors", 100}}, {{"n_neighbors", 35}, {"weights", "uniform"}}};
    }
    if (k < 1 || k > static_cast<int>(ladder.size())) return std::nullopt;
    return ladder[static_cast<std::size_t>(k - 1)];
}

std::string params_text(const json::object& params) {
    std::string out;
    for (const auto& [k, v] : params) {
        if (!out.empty()) out += ", ";
        char number[32];
        if (v.is_double()) std::snprintf(number, sizeof number, "%g", v.as_double());
        out += std::string(k) + "=" + (v.is_double() ? std::string(number) : json::serialize(v));
    }
    return out;
}

/// The variant name without its tuning/seed suffix ("logt+tune2" -> "logt").
std::string base_variant(const std::string& variant) {
    auto plus = variant.find('+');
    std::string head = plus == std::string::npos ? variant : variant.substr(0, plus);
    if (head.rfind("tune", 0) == 0 || head.rfind("seed", 0) == 0) return "base";
    return head;
}

ExperimentSpec derived(const ExperimentSpec& from, const std::string& suffix) {
    ExperimentSpec s = from;
    const auto head = base_variant(from.variant);
    s.variant = head == "base" ? suffix : head + "+" + suffix;
    return s;
}

ExperimentSpec variant_of(const std::string& family, const std::string& variant, const TaskFacts& facts) {
    ExperimentSpec s = base_experiment(family, facts);
    s.variant = variant;
    if (variant == "freq") {
        s.encoding = "frequency";
        s.title = family_label(family) + " with frequency-encoded categoricals";
        s.rationale = "Category frequencies give trees a dense, ordered signal for high-cardinality columns that "
                      "ordinal codes scatter.";
    } else if (variant == "target") {
        s.encoding = "target";
        s.title = family_label(family) + " with in-fold target encoding";
        s.rationale = "Smoothed mean-target encoding (fitted inside each fold, out-of-fold on its own rows) "
                      "summarises categoricals in one column per class without leaking the target.";
    } else if (variant == "logt") {
        s.log_target = true;
        s.title = family_label(family) + " on log1p(target)";
        s.rationale = "The target is non-negative and right-skewed: fitting log1p(y) evens out the errors of the "
                      "large values and usually lowers RMSE-type metrics.";
    } else if (variant == "cw") {
        s.class_weight = true;
        s.title = family_label(family) + " with balanced class weights";
        s.rationale = "The minority class is rare: balanced weights stop the model from ignoring it.";
    }
    return s;
}

std::vector<BlendMember> blend_members(const CampaignView& view) {
    std::vector<BlendMember> members;
    for (const auto& family : view.ranked_families()) {
        const auto* best = view.best_of_family(family);
        const auto oof = round_file(view.rounds_dir, best->round, "oof.npy");
        const auto test = round_file(view.rounds_dir, best->round, "test.npy");
        if (!fs::exists(oof) || !fs::exists(test)) continue;
        members.push_back({best->round, family, oof, test});
        if (members.size() == kMaxBlendMembers) break;
    }
    return members;
}

/// A blend over the best round of each family, when there are at least three with predictions
/// and something new arrived since the last blend.
std::optional<ExperimentSpec> blend_candidate(const CampaignView& view) {
    auto members = blend_members(view);
    if (members.size() < 3) return std::nullopt;
    int last_new = 0;
    for (const auto& m : members) last_new = std::max(last_new, m.round);
    ExperimentSpec s = base_experiment("blend", view.facts);
    s.variant = "upto" + std::to_string(last_new);
    s.members = std::move(members);
    std::string names;
    for (const auto& m : s.members) names += (names.empty() ? "" : ", ") + round_tag(m.round) + " " + m.family;
    s.title = "Blend of the best model of each family (" + names + ")";
    return s;
}

std::optional<ExperimentSpec> next_tuning(const CampaignView& view, const std::string& family,
                                          const std::set<std::string>& tried) {
    const auto* best = view.best_of_family(family);
    if (!best || !best->spec) return std::nullopt;
    for (int k = 1; k <= kTuningSteps; ++k) {
        auto step = tuning_step(family, k, view.facts);
        if (!step) break;
        ExperimentSpec s = derived(*best->spec, "tune" + std::to_string(k));
        if (tried.count(s.key())) continue;
        for (const auto& [key, value] : *step) s.params[key] = value;
        s.title = family_label(family) + " tuned (step " + std::to_string(k) + "): " + params_text(*step);
        s.rationale = "Exploit the " + family_label(family) + " family, which scored " + format_score(*best->cv) +
                      " in " + round_tag(best->round) + ": step " + std::to_string(k) +
                      " of a fixed ladder that moves regularisation and capacity around its best point.";
        return s;
    }
    return std::nullopt;
}

std::optional<ExperimentSpec> seed_repeat(const CampaignView& view, const std::set<std::string>& tried) {
    const RoundRecord* best = nullptr;
    for (const auto& r : view.history)
        if (r.ok() && r.spec && r.family() != "blend" && r.family() != "user_pipeline" &&
            (!best || view.better(*r.cv, *best->cv)))
            best = &r;
    if (!best) return std::nullopt;
    for (int k = 1; k < 100; ++k) {
        ExperimentSpec s = derived(*best->spec, "seed" + std::to_string(k));
        if (tried.count(s.key())) continue;
        s.params["seed_offset"] = k;
        s.title = family_label(s.family) + " of " + round_tag(best->round) + " with model seed +" + std::to_string(k);
        s.rationale = "The catalogue is exhausted: a differently seeded copy of the best experiment adds a cheap, "
                      "slightly decorrelated member for the next blend.";
        return s;
    }
    return std::nullopt;
}

bool passes(const CampaignView& view, const ExperimentSpec& s, const Constraint& c, const std::set<std::string>& tried,
            bool enforce_diversity) {
    if (tried.count(s.key()) || c.excluded_keys.count(s.key()) || c.excluded_families.count(s.family)) return false;
    const bool family_tried = view.tried_families().count(s.family) > 0;
    if (c.only_tried_families && !family_tried && s.family != "blend") return false;
    if (c.require_untried && family_tried) return false;
    if (enforce_diversity && violates_diversity(view, s.family)) return false;
    return true;
}

}  // namespace

std::string family_label(const std::string& family) {
    static const std::map<std::string, std::string> labels{
        {"linear", "regularised linear model"}, {"hgb", "histogram gradient boosting"},
        {"xgboost", "XGBoost"}, {"random_forest", "random forest"}, {"extra_trees", "extra trees"},
        {"knn", "k-nearest neighbours"}, {"blend", "blend"}, {"user_pipeline", "the user's best pipeline"}};
    auto it = labels.find(family);
    return it == labels.end() ? family : it->second;
}

std::vector<std::string> family_order(const TaskFacts&) {
    return {"hgb", "xgboost", "linear", "random_forest", "extra_trees", "knn"};
}

ExperimentSpec base_experiment(const std::string& family, const TaskFacts& facts) {
    ExperimentSpec s;
    s.family = family;
    s.variant = "base";
    s.params = base_params(family, facts);
    s.encoding = (family == "linear" || family == "knn") ? "onehot" : "ordinal";
    s.log_target = facts.metric == "rmsle" && !is_classification(facts.task_type);
    const bool cls = is_classification(facts.task_type);
    static const std::map<std::string, std::string> why{
        {"hgb", "Gradient-boosted trees win most tabular competitions; scikit-learn's histogram booster handles "
                "missing values and categoricals natively and is a strong, quick first model."},
        {"xgboost", "XGBoost with a moderate learning rate and shallow trees is the other standard booster; its "
                    "errors differ enough from HistGradientBoosting's to help a blend."},
        {"linear", "A regularised linear model on scaled, one-hot features is strong on small or mostly linear "
                   "data and very diverse from trees, which makes it valuable in a blend even when weaker alone."},
        {"random_forest", "Bagged deep trees average away variance differently from boosting: a robust, "
                          "low-tuning model that adds diversity."},
        {"extra_trees", "Extra trees randomise split points too, giving smoother predictions and yet another "
                        "error pattern for blending."},
        {"knn", "k-nearest neighbours on scaled features captures local structure no tree or linear model "
                "sees; cheap on small data and a diversity candidate."},
        {"blend", "Greedy forward selection over the best model of each family: diverse models' errors "
                  "partly cancel, which usually beats the best single model."}};
    auto it = why.find(family);
    s.rationale = it == why.end() ? std::string() : it->second;
    const std::string model = family == "linear" ? (cls ? "logistic regression" : "ridge regression") : family_label(family);
    s.title = "Baseline " + model + (s.log_target ? " on log1p(target)" : "") + ": " + params_text(s.params);
    return s;
}

bool violates_diversity(const CampaignView& view, const std::string& family) {
    int seen = 0, same = 0;
    for (auto it = view.history.rbegin(); it != view.history.rend() && seen < 3; ++it) {
        if (!it->spec) continue;
        ++seen;
        if (it->spec->family == family) ++same;
    }
    return same >= 2;
}

ExperimentSpec choose_experiment(const CampaignView& view, const Constraint& constraint) {
    const auto tried = view.tried_keys();
    const auto& facts = view.facts;
    std::vector<ExperimentSpec> candidates;

    if (view.best_pipeline_script) {
        ExperimentSpec s;
        s.family = "user_pipeline";
        s.variant = "base";
        s.title = "The configured best pipeline (" + view.best_pipeline_script->filename().string() + "), unchanged";
        s.rationale = "Start from the user's best known pipeline so every later round has to beat it.";
        candidates.push_back(s);
    }

    // Families the research brief points at come first, in the brief's order; then the rest.
    std::vector<std::string> order;
    const auto known = family_order(facts);
    for (const auto& f : view.suggested_families)
        if (std::find(known.begin(), known.end(), f) != known.end() && std::find(order.begin(), order.end(), f) == order.end())
            order.push_back(f);
    for (const auto& f : known)
        if (std::find(order.begin(), order.end(), f) == order.end()) order.push_back(f);
    auto ranked = view.ranked_families();
    std::string best_tree = "hgb";
    for (const auto& f : ranked)
        if (tree_family(f)) {
            best_tree = f;
            break;
        }

    const auto blend = blend_candidate(view);
    if (constraint.prefer_blend && blend) candidates.push_back(*blend);
    for (std::size_t i = 0; i < order.size() && i < 4; ++i) candidates.push_back(base_experiment(order[i], facts));
    if (blend) candidates.push_back(*blend);
    if (facts.categorical > 0) {
        candidates.push_back(variant_of(best_tree, "freq", facts));
        candidates.push_back(variant_of(best_tree, "target", facts));
        candidates.push_back(variant_of("linear", "target", facts));
    }
    if (!is_classification(facts.task_type) && facts.skewed_target && facts.metric != "rmsle") {
        candidates.push_back(variant_of(best_tree, "logt", facts));
        candidates.push_back(variant_of("linear", "logt", facts));
    }
    if (is_classification(facts.task_type) && facts.imbalanced) {
        candidates.push_back(variant_of(ranked.empty() ? best_tree : ranked.front(), "cw", facts));
    }
    for (std::size_t i = 4; i < order.size(); ++i) candidates.push_back(base_experiment(order[i], facts));
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
        if (auto t = next_tuning(view, ranked[i], tried)) candidates.push_back(*t);
    if (auto s = seed_repeat(view, tried)) candidates.push_back(*s);

    for (bool diversity : {true, false})
        for (const auto& c : candidates)
            if (passes(view, c, constraint, tried, diversity)) return c;
    // The constraint excluded everything: honour only "not the rejected one".
    for (const auto& c : candidates)
        if (!tried.count(c.key()) && !constraint.excluded_keys.count(c.key())) return c;
    throw Error("autopilot: no experiment left to try in round " + std::to_string(view.round) +
                " (every catalogue entry was tried); raise the round budget only after adding knowledge or plugins");
}

}  // namespace autokaggle::autopilot
