// The competition's fold assignment: which train.csv rows validate which fold, and which rows
// each fold's model may fit on. The core computes it once per CV regime, deterministically from
// config.json (cv_strategy, cv_folds, seed, cv_gap, group_column, time_column, target_column)
// and train.csv's content, writes it where every experiment reads it, and scores OOF files
// fold by fold with it (docs/script-contract.md, "Folds"). No scikit-learn is needed to make
// folds; the strategies keep scikit-learn's semantics (fold sizes, groups never split, time
// order with a gap), and KFold, StratifiedKFold and TimeSeriesSplit give scikit-learn's folds
// row for row, so scripts that split with scikit-learn and the same seed agree with the core.
#pragma once

#include "metrics/csv.hpp"

#include <autokaggle/sdk/host.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::metrics {

/// The fold of a row that no fold validates (TimeSeriesSplit's earliest rows).
inline constexpr int kNotValidated = -1;

/// A fold assignment over n rows and k folds.
struct FoldAssignment {
    int folds = 0;
    std::vector<int> fold;             ///< per row: the fold it validates (0..k-1) or kNotValidated
    std::vector<std::uint8_t> fit;     ///< rows x folds, row-major: 1 when the row trains that fold

    std::size_t rows() const { return fold.size(); }
    bool fits(std::size_t row, int k) const { return fit[row * static_cast<std::size_t>(folds) + static_cast<std::size_t>(k)] != 0; }
    /// Rows validated by fold k, in row order.
    std::vector<std::size_t> validation_rows(int k) const;
    /// Rows some fold validates (fold != kNotValidated), in row order.
    std::vector<std::size_t> validated_rows() const;
};

// ---- the strategies (pure functions of their inputs; `seed` only shuffles) --------------------

/// Shuffled KFold, row for row scikit-learn's KFold(k, shuffle=True, random_state=seed): a
/// seeded permutation cut into k parts, the first n % k one row larger.
FoldAssignment kfold(std::size_t rows, int k, std::uint64_t seed);
/// StratifiedKFold, row for row scikit-learn's StratifiedKFold(k, shuffle=True,
/// random_state=seed): every fold holds each label's share to within one row and fold sizes
/// differ by at most one. `label` are 0-based.
FoldAssignment stratified_kfold(std::span<const int> label, int k, std::uint64_t seed);
/// GroupKFold: groups, largest first (equal sizes in seeded order), each into the fold with the
/// fewest rows so far. A group's rows all validate the same fold. `group` are 0-based.
FoldAssignment group_kfold(std::span<const int> group, int k, std::uint64_t seed);
/// StratifiedGroupKFold (scikit-learn's algorithm, shuffled): groups in seeded order, then by the
/// spread of their label counts; each into the fold that keeps the label shares most even.
FoldAssignment stratified_group_kfold(std::span<const int> label, std::span<const int> group, int k, std::uint64_t seed);
/// TimeSeriesSplit: rows in `time_order` (row indices, earliest first); validation folds are the
/// last k blocks of n / (k + 1) rows; fold j fits on every row before its block but the last
/// `gap`. The rows before the first block validate nothing (kNotValidated).
FoldAssignment time_series_split(std::span<const std::size_t> time_order, int k, int gap);

// ---- the competition's folds ----------------------------------------------------------------

/// Computes the assignment config.json asks for from train.csv (reading only the columns it
/// needs). Throws ConfigError naming the config key and the fix when a column is missing or the
/// data cannot be split so (fewer groups or rows than folds, every class smaller than cv_folds).
FoldAssignment make_folds(const CompetitionInfo& competition);

/// A readable, unique name for what determines the folds, e.g.
/// "StratifiedKFold-5-seed42-3f2a9c0d1e4b5a67" (the hash covers every input and train.csv's bytes).
std::string folds_key(const CompetitionInfo& competition);

/// Makes sure competition.folds_dir/<folds_key>/ holds the assignment and returns the path of its
/// folds.npy: int32, one value per train.csv row, the fold the row validates (0-based) or -1.
/// Beside it: fit.npy (bool, rows x folds: the row trains that fold) and folds.json (what made
/// them). Written once, atomically; a changed input writes a new folder. Throws ConfigError as
/// make_folds, and when folds_dir is empty.
std::filesystem::path ensure_folds(const CompetitionInfo& competition);

/// fit.npy beside a folds.npy.
std::filesystem::path fit_file_of(const std::filesystem::path& folds_file);

/// The validation fold of every train.csv row, as the core scores with it: read from
/// ensure_folds() when competition.folds_dir is set, else computed in memory. Empty when
/// cv_strategy is (a CompetitionInfo not made from config.json): no fold assignment.
std::vector<int> load_folds(const CompetitionInfo& competition);

}  // namespace autokaggle::metrics
