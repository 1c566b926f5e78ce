// The core's scores of a finished run, kept beside its outputs as rounds/R{NN}_scores.json so
// that agents and people read the fold scores the core computed, not what a script printed
// (docs/script-contract.md, "How the core scores"):
//   {"round": 3, "metric": "auc_roc", "cv": 0.81, "fold_scores": [0.80, 0.83, null, ...],
//    "claimed_cv": 0.81 | null, "claimed_fold_scores": [...], "oof": "R03_oof.npy"}
// A fold that cannot be scored alone is null.
#pragma once

#include <autokaggle/sdk/runner.hpp>

#include <filesystem>
#include <string_view>
#include <vector>

namespace autokaggle {

/// Writes the scores of `result` (nothing when it has no scored_cv) to `file`, atomically.
void write_run_scores(const std::filesystem::path& file, int round, std::string_view metric, const ExperimentResult& result);

/// The fold scores the core recorded in `file` (NaN for a fold that could not be scored alone);
/// empty when the file is missing or unreadable.
std::vector<double> read_run_fold_scores(const std::filesystem::path& file);

}  // namespace autokaggle
