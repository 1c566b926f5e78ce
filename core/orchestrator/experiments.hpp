// experiments.json, the experiment registry (docs/state.md), and LEARNINGS.md upkeep.
#pragma once

#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

inline constexpr int kExperimentsSchemaVersion = 1;

struct Experiment {
    std::string id;                    ///< "R07" (rounds) or "existing:<name>" (existing_oof_dir)
    int round = -1;                    ///< -1 for experiments from before the campaign
    std::string family;                ///< "xgboost", "lightgbm", ... ("unknown" when not stated)
    std::vector<std::string> features;
    boost::json::object params;
    std::optional<double> cv;          ///< verified CV
    std::optional<double> lb;
    std::string oof;                   ///< workspace-relative (or absolute when outside)
    std::string test;
    std::string status;                ///< as in results.tsv
    int regime = 1;                    ///< the CV regime its CV belongs to
};

struct ExperimentRegistry {
    int regime = 1;                    ///< the current CV regime: blends use only its experiments
    std::vector<Experiment> experiments;
    boost::json::object correlations;  ///< "R03|R05" -> Pearson correlation of the OOF predictions
};

/// Reads experiments.json (empty registry when missing). Throws Error naming the file and field.
ExperimentRegistry read_experiments(const std::filesystem::path& file);
/// read_experiments on the file's text; `source` names it in messages.
ExperimentRegistry parse_experiments(std::string_view text, const std::string& source);
void write_experiments(const std::filesystem::path& file, const ExperimentRegistry& registry);
/// The text write_experiments writes.
std::string format_experiments(const ExperimentRegistry& registry);
/// Replaces the experiment with the same id or appends it.
void upsert_experiment(ExperimentRegistry& registry, Experiment experiment);

/// What a plan states about its experiment, from lines "family: x", "features: a, b",
/// "params: {json}" (case-insensitive, optionally bulleted). Missing lines leave defaults.
struct PlanSummary {
    std::string family = "unknown";
    std::vector<std::string> features;
    boost::json::object params;
    std::string title;  ///< the first heading or non-empty line
};
PlanSummary summarize_plan(const std::string& plan_text);

/// The bullet lines under a heading containing "learn" (e.g. "## Learnings") in a findings file.
std::vector<std::string> extract_learnings(const std::string& findings_text);

/// The Builder's submission recommendation in its findings: a line "Recommendation: submit -
/// <why>" or "Recommendation: do not submit - <why>" (case-insensitive, optionally bulleted).
struct Recommendation {
    bool submit = false;
    std::string reason;
};
std::optional<Recommendation> extract_recommendation(const std::string& findings_text);

/// Replaces or adds the section "## R07" of LEARNINGS.md with `lines` (idempotent per round;
/// nothing is written when `lines` is empty and the section does not exist).
void update_learnings(const std::filesystem::path& file, int round, const std::vector<std::string>& lines);

}  // namespace autokaggle
