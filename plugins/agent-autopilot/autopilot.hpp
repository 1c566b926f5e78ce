// The offline autopilot: a deterministic Builder, Reviewer and Researcher. Everything they
// decide is a function of the workspace's files (results.tsv, experiments.json, the round
// files), so a resumed campaign makes the same choices as an uninterrupted one.
#pragma once


#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/support/learnings_rules.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace autokaggle::autopilot {

namespace fs = std::filesystem;

/// Task types the autopilot's experiment families can serve.
inline constexpr const char* kSupportedTasks = "binary_classification,multiclass_classification,regression";
bool supported_task(const std::string& task_type);
bool is_classification(const std::string& task_type);

/// What round 0's EDA found that changes what is worth trying (agents/builder/eda_facts.json).
struct TaskFacts {
    std::string task_type, metric, direction;  ///< direction: "higher" | "lower"
    int rows = 0;
    int categorical = 0;
    bool imbalanced = false;
    bool skewed_target = false;
    bool nonnegative_target = false;
    bool missing_any = false;
    bool higher_is_better() const { return direction != "lower"; }
};

/// One member of a blend experiment: an earlier round's predictions.
struct BlendMember {
    int round = 0;
    std::string family;
    fs::path oof, test;
};

/// A fully specified experiment: family, feature options and parameters.
struct ExperimentSpec {
    std::string family;     ///< linear, hgb, xgboost, random_forest, extra_trees, knn, blend, user_pipeline
    std::string variant;    ///< "base", "freq", "target", "logt", "cw", "tune2", "logt+tune1", ...
    std::string encoding;   ///< onehot | ordinal | frequency | target
    bool log_target = false;
    bool class_weight = false;
    boost::json::object params;
    std::vector<BlendMember> members;  ///< blend only
    std::string title;      ///< one line: what it is
    std::string rationale;  ///< why this experiment now (the hypothesis)

    std::string key() const { return family + ":" + variant; }
    bool is_tuning() const { return variant.find("tune") != std::string::npos; }
    boost::json::object to_json() const;
    static ExperimentSpec from_json(const boost::json::object& o);
};

/// A finished (or attempted) round as the workspace records it.
struct RoundRecord {
    int round = 0;
    std::optional<ExperimentSpec> spec;  ///< from R{NN}_plan.md
    std::optional<double> cv;            ///< verified CV (results.tsv), else the claimed one
    std::optional<double> lb;
    std::string status;                  ///< ok | crash | killed_fold1 | ... ("" when unknown)
    bool submitted = false;
    std::string description;
    bool ok() const { return cv.has_value() && (status.empty() || status == "ok"); }
    std::string family() const { return spec ? spec->family : std::string("unknown"); }
};

/// Everything the rules look at, read once per phase from the workspace.
struct CampaignView {
    TaskFacts facts;
    int round = 0;         ///< the round being worked on
    int max_rounds = 0;    ///< 0: no limit
    std::vector<RoundRecord> history;  ///< rounds before `round`, ascending, experiments only
    std::vector<std::string> learnings;  ///< non-empty lines of LEARNINGS.md outside the imported section
    std::vector<learnings::WorkspaceRule> rules;  ///< LEARNINGS.md's rules, the imported ones with their confidence
    std::vector<std::string> suggested_families;  ///< from the latest research brief
    std::map<std::string, double> correlations;   ///< experiments.json "R03|R05" -> Pearson
    std::optional<fs::path> best_pipeline_script;
    fs::path rounds_dir;

    int rounds_left() const;  ///< rounds after this one (large when unlimited)
    bool better(double a, double b) const;
    const RoundRecord* best() const;  ///< best ok round (any family)
    const RoundRecord* best_of_family(const std::string& family) const;
    std::vector<std::string> ranked_families() const;  ///< ok families, best first (no blend)
    std::set<std::string> tried_keys() const;
    std::set<std::string> tried_families() const;
    /// Fold-score spread of a round (stdev of round_scores' folds), when it has two or more.
    std::optional<double> fold_spread(int round) const;
    /// What "did it improve" is measured against: the best round's fold spread over sqrt(5),
    /// else 0.1% of its score; 0 before any verified score.
    double fold_noise() const;
};

/// Reads the view for `round` from the workspace (never throws for a missing optional file).
CampaignView read_campaign(const HostServices& host, int round);

/// The experiment spec a plan file carries (the fenced JSON block), when there is one.
std::optional<ExperimentSpec> read_plan_spec(const fs::path& plan_file);

// ---- the experiment catalogue -------------------------------------------------------------

/// A constraint the Builder honours when a review asked for a revision.
struct Constraint {
    std::set<std::string> excluded_keys;
    std::set<std::string> excluded_families;
    bool only_tried_families = false;  ///< exploit: tune or blend what already worked
    bool require_untried = false;      ///< bolder: a family never tried
    bool prefer_blend = false;
};

/// The next experiment: the first candidate of the deterministic order that has not been tried
/// and passes `constraint` and the diversity rule.
ExperimentSpec choose_experiment(const CampaignView& view, const Constraint& constraint = {});

/// Base (first-try) experiment of a family for the task.
ExperimentSpec base_experiment(const std::string& family, const TaskFacts& facts);
/// Every family the autopilot knows, in its default order of prior strength for the task.
std::vector<std::string> family_order(const TaskFacts& facts);
/// "gradient boosting", ... for plans and reviews.
std::string family_label(const std::string& family);

// ---- the Reviewer's rules -----------------------------------------------------------------

struct CheckOutcome {
    std::string name;    ///< "diversity", "forgotten learnings", ...
    bool pass = true;
    std::string code;    ///< reason code for the Builder's revision ("diversity", "exploit", ...)
    std::string note;    ///< the reasoning, one or two sentences
};

struct PlanReview {
    std::vector<CheckOutcome> checks;  ///< the six checks, in order
    bool approved() const;
    const CheckOutcome* first_failure() const;
    std::string token() const;         ///< "APPROVED" | "REVISE: <why>"
};

PlanReview review_plan(const CampaignView& view, const ExperimentSpec& proposal);
/// The constraint a REVISE reason code asks of the Builder.
Constraint constraint_for(const std::string& code, const ExperimentSpec& rejected);
/// True when `family` already fills 2 of the last 3 experiment rounds.
bool violates_diversity(const CampaignView& view, const std::string& family);

// ---- general rules from what was measured (lessons.cpp, docs/learnings.md) -----------------

/// The wording of each claim the autopilot can confirm or contradict. Most equal a starter rule
/// (competitions/learnings-starter.md), so campaigns move the confidence of one shared rule.
namespace lesson {
inline constexpr const char* kBoostedBeatLinear = "Gradient-boosted trees beat a linear model on tabular data.";
inline constexpr const char* kLinearOnSmallData =
    "On small tabular data a linear model can match gradient-boosted trees, and its errors differ from theirs in a blend.";
inline constexpr const char* kBlend =
    "A blend of two to four diverse model families, weighted on the out-of-fold predictions, beat the best single model.";
inline constexpr const char* kKillGate =
    "Scoring fold 1 first and stopping clearly weaker runs saved the time of the remaining folds.";
inline constexpr const char* kNearCopyStopped =
    "A run whose first-fold predictions nearly copy the best model's adds nothing to a blend; stopping it after fold 1 "
    "saved the remaining folds.";
inline constexpr const char* kTuningGainsLittle =
    "Tuning the hyperparameters of a model that already works gained less than the fold noise; a new family or a blend "
    "gained more.";
inline constexpr const char* kFrequencyEncoding = "Frequency encoding of categorical columns improved on the family's plain encoding.";
inline constexpr const char* kTargetEncoding =
    "In-fold target encoding of categorical columns improved on the family's plain encoding.";
inline constexpr const char* kLogTarget = "Training on log1p of a skewed non-negative regression target improved the model.";
inline constexpr const char* kClassWeights = "Balanced class weights improved a model on imbalanced classes.";
}  // namespace lesson

/// How a round's run ended, as the runner reported it to the code phase.
struct RunOutcome {
    std::string status;   ///< "ok", "killed_fold1", "crash", ... (empty: unknown)
    std::string message;
};

/// "binary classification, hundreds of rows": the kind of data, never which data.
std::string data_context(const TaskFacts& facts);
/// The findings' "## Learnings" bullets for `round` ("<rule> (evidence: ...)" or
/// "contradicts: <rule> (evidence: ...)"); `view` must include the round in its history.
std::vector<std::string> round_lessons(const CampaignView& view, int round, const RunOutcome& run);
/// The retrospective's bullets: the campaign's verdict on blending and on tuning so far.
std::vector<std::string> campaign_lessons(const CampaignView& view);

// ---- Python sources (embedded at build time) ----------------------------------------------

const std::string& python_source(const std::string& name);  ///< "runtime.py", "family_hgb.py", "eda.py"

/// The self-contained experiment script for `spec`.
std::string experiment_script(const ExperimentSpec& spec, const CompetitionInfo& competition);

// ---- small helpers ------------------------------------------------------------------------

std::string read_text_or_empty(const fs::path& path);
/// A round's CV and fold scores.
struct RoundScores {
    std::optional<double> cv;
    std::vector<double> folds;
};
/// The last "CV_SCORE=" and the "FOLD k SCORE=" values a run printed in its log.
RoundScores scores_in_log(const std::string& log);
/// The core's scores of a round (R{NN}_scores.json: computed from the OOF file over the
/// competition's folds, whatever the script printed), else what its run log printed.
RoundScores round_scores(const fs::path& rounds_dir, int round);

/// Runs a process, output appended to `log_file`; returns the exit code (-1 on signal/timeout).
/// Polls `host.cancel_requested()` and throws Cancelled after ending the process group.
int run_process(const std::vector<std::string>& argv, const fs::path& log_file, double timeout_s,
                const HostServices* host);

}  // namespace autokaggle::autopilot
