// The checks the orchestrator's verify step runs: recompute a claimed CV score from the
// out-of-fold predictions, check test predictions, build and validate submission files.
// Nothing here trusts a number an experiment printed.
#pragma once

#include "metrics/csv.hpp"
#include "metrics/folds.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>

#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace autokaggle::metrics {

/// The outcome of a CV verification. `valid` is false when the OOF file could not be scored
/// (missing, wrong shape, NaN...); `message` then says why and how to fix it.
struct CvVerification {
    bool valid = false;
    double recomputed = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> fold_scores;  ///< per fold (NaN: that fold alone cannot be scored); empty without folds
    std::size_t rows = 0;             ///< rows scored (the validated rows)
    std::optional<double> claimed;
    bool agree = false;  ///< valid, and |claimed - recomputed| <= tolerance (false without a claim)
    std::string message;
};

/// An OOF array scored over the fold assignment (docs/script-contract.md, "How the core scores").
struct FoldScores {
    double cv = std::numeric_limits<double>::quiet_NaN();  ///< the metric over every validated row at once
    std::vector<double> folds;        ///< the metric over each fold's validation rows; NaN when it cannot be scored alone
    std::vector<std::string> notes;   ///< why a fold has no score ("fold 3: only one class")
    std::size_t rows = 0;             ///< validated rows
};

/// Problems found by a check; `ok` when there are none.
struct CheckResult {
    std::vector<std::string> problems;
    bool ok() const { return problems.empty(); }
    /// All problems, one per line (at most 20, then "... and N more").
    std::string message() const;
    void add(std::string problem) { problems.push_back(std::move(problem)); }
};

/// Checks that `pred` has `rows` rows and the columns `metric` needs for `target`, and that
/// every value is finite. Throws MetricError naming `name`, the row and the column.
void check_prediction_array(const Metric& metric, const TargetEncoding& target, NpyView pred, std::size_t rows,
                            const std::string& name);

/// The MetricInput for a target and a prediction array, after check_prediction_array. Label
/// metrics get class indices: the argmax of k probability columns, P > 0.5 for one binary
/// column, the nearest integer for one value column. `converted` holds converted predictions
/// and must outlive the returned input. `truth` defaults to target.values; a caller whose truth
/// lives elsewhere (a .npy file read in place) passes it, and `target` then only describes it.
MetricInput metric_input(const Metric& metric, const TargetEncoding& target, NpyView pred, std::vector<double>& converted);
MetricInput metric_input(const Metric& metric, const TargetEncoding& target, std::span<const double> truth, NpyView pred,
                         std::vector<double>& converted);

/// Scores a prediction array against the target (check_prediction_array + metric_input + score);
/// `truth` as for metric_input.
double score_predictions(const Metric& metric, const TargetEncoding& target, NpyView pred, const std::string& name);
double score_predictions(const Metric& metric, const TargetEncoding& target, std::span<const double> truth, NpyView pred,
                         const std::string& name);

/// The tolerance a claim deserves given how it was printed: a claim with at least four
/// significant digits ("0.8123", "1234.5", "8.123e-01") matches any value that rounds to it,
/// so the tolerance is half a unit of its last printed digit; never less than `tolerance`.
/// Claims with fewer digits (or unreadable ones) get `tolerance` alone.
double printed_precision_tolerance(std::string_view printed, double tolerance);

/// Scores the given rows (indices into `pred` and `target`, in order) of a prediction array.
double score_rows(const Metric& metric, const TargetEncoding& target, NpyView pred, const std::vector<std::size_t>& rows,
                  const std::string& name);

/// Scores an OOF array over a fold assignment (`fold`: one value per target row, the fold it
/// validates or kNotValidated; empty: every row validates and no fold scores are computed). Rows
/// no fold validates are ignored whatever they hold (NaN included); every validated row must be
/// predicted. The CV is the metric over all validated rows together, as Kaggle scores a test
/// set, not the mean of the fold scores. Throws MetricError naming `name`, the row and the fold.
FoldScores score_folds(const Metric& metric, const TargetEncoding& target, std::span<const int> fold, NpyView oof,
                       const std::string& name);

/// Recomputes the CV score (and the fold scores, when `fold` is given) from an OOF .npy file
/// against the training target.
CvVerification verify_cv(const Metric& metric, const TargetEncoding& target, const std::filesystem::path& oof,
                         std::optional<double> claimed, double tolerance, std::span<const int> fold = {});
/// Same, loading the target from the competition's train.csv and the competition's folds
/// (metrics/folds.hpp, load_folds).
CvVerification verify_cv(const Metric& metric, const CompetitionInfo& competition, const std::filesystem::path& oof,
                         std::optional<double> claimed, double tolerance);

/// Rows of test.csv (the number of rows every test prediction file must have).
std::size_t count_test_rows(const CompetitionInfo& competition);

/// Checks a test-prediction .npy: readable, test.csv's row count, the right columns, finite.
CheckResult check_test_predictions(const Metric& metric, const TargetEncoding& target, std::size_t test_rows,
                                   const std::filesystem::path& test_npy);
CheckResult check_test_predictions(const Metric& metric, const CompetitionInfo& competition,
                                   const std::filesystem::path& test_npy);

/// Writes a submission in sample_submission.csv's exact format from test predictions: the id
/// column from test.csv, then one probability column (binary), one column per class named as
/// in the sample, a value column (regression), a class label (label metrics), or the top-k
/// labels space-separated (map@k, when the sample has one target column).
void make_submission(const CompetitionInfo& competition, const Metric& metric, const TargetEncoding& target,
                     const NpyArray& test, const std::filesystem::path& out_csv);
void make_submission(const CompetitionInfo& competition, const Metric& metric, const std::filesystem::path& test_npy,
                     const std::filesystem::path& out_csv);

/// Validates a submission against sample_submission.csv: the same columns, the same ids (set
/// and count, no duplicates), no missing values, numbers where the sample has numbers,
/// probabilities within [0, 1] when the metric consumes probabilities, known class labels.
CheckResult check_submission(const CompetitionInfo& competition, const Metric& metric, const std::filesystem::path& csv);

}  // namespace autokaggle::metrics
