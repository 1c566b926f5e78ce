// The fold-1 kill gate: after the first fold of a run, stop it when it is already clearly
// worse than the best model so far, or when it is a near-copy of the best model (its fold-1
// out-of-fold predictions correlate with the best model's above a threshold) that does not beat
// it on fold 1. Either way the remaining folds would only cost time; a run that beats the best
// on fold 1 is never stopped.
#pragma once

#include "base/config.hpp"
#include "metrics/target.hpp"

#include <autokaggle/sdk/metric.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle {

/// What the gate compares a new run with. Without best_cv the score check is skipped; without
/// best_oof (or a partial OOF file from the script) the correlation check is skipped.
struct KillGateContext {
    std::optional<double> best_cv;
    /// The best model's own score on fold 1 (the same rows, from its R{NN}_scores.json): a run
    /// that resembles the best model is judged against it like for like; unset: best_cv.
    std::optional<double> best_fold1;
    std::optional<std::filesystem::path> best_oof;
    bool higher_is_better = true;
    /// Scores fold 1 from the partial OOF file (only fold 1's rows are predicted, the rest NaN),
    /// so that the gate does not rely on the printed number. nullopt or unset: the script's own
    /// "FOLD 1 SCORE=x" is used.
    std::function<std::optional<double>(const std::filesystem::path& partial_oof)> score_fold1;
    /// Correlation of the predicted rows of the partial OOF with the same rows of best_oof.
    /// Unset: oof_correlation() below.
    std::function<std::optional<double>(const std::filesystem::path& partial_oof, const std::filesystem::path& best_oof)>
        correlation;
};

struct KillDecision {
    bool kill = false;
    double fold1_score = 0;
    std::optional<double> correlation;
    std::string message;  ///< the numbers behind the decision (also when not killing)
};

/// Pearson correlation between the rows of `partial_oof` that are not NaN and the same rows of
/// `best_oof` (all columns together). nullopt when a file is missing or unreadable, the shapes
/// differ, fewer than 3 rows are predicted, or either side is constant.
std::optional<double> oof_correlation(const std::filesystem::path& partial_oof, const std::filesystem::path& best_oof);

/// A KillGateContext::score_fold1 that scores fold 1 of a partial OOF file with `metric`
/// against `target`. With the competition's fold assignment (`fold`: the fold each row
/// validates, metrics/folds.hpp), fold 1 is exactly the rows of the first validation fold, and
/// all of them must be predicted; without it, the rows that are not NaN. `metric` and `target`
/// must outlive it. Returns nullopt when the file cannot be read or scored (then the printed
/// score, if any, is used).
std::function<std::optional<double>(const std::filesystem::path&)> partial_oof_scorer(
    const Metric& metric, const metrics::TargetEncoding& target, std::vector<int> fold = {});

/// The context for a run in a workspace whose best verified experiment is round `best_round`
/// (0: none yet) with CV `best_cv`: its OOF file and its fold-1 score when they are there.
KillGateContext gate_against_best(const WorkspacePaths& paths, int best_round, std::optional<double> best_cv,
                                  bool higher_is_better);

/// Applies the gate to fold 1. `fold1_score` is the score to judge (recomputed or printed; NaN
/// when neither is known, which skips the score check); `correlation` is the correlation with
/// the best model when known; it is judged only when fold 1 does not beat the best model's fold 1
/// (context.best_fold1, else context.best_cv).
KillDecision evaluate_fold1(const KillGateConfig& config, const KillGateContext& context, double fold1_score,
                            std::optional<double> correlation);

}  // namespace autokaggle
