// Metric plugins score predictions against the truth and declare what the core needs to know
// about them: direction, prediction kind, submission layout, whether only the order of the
// predictions matters, how blend trials can be scored fast, and the names Kaggle gives them.
// The core knows no metric by name. The host's metric engine loads the data (CSV, .npy),
// encodes labels and calls score(); it never trusts a score an agent claims.
//
// Ownership: the host owns Metric objects. Thread-safety: score() is const and must be safe
// to call concurrently (the blender does).
#pragma once

#include <autokaggle/sdk/abi.hpp>

#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

enum class Direction { higher, lower };

/// What predictions a metric consumes.
enum class PredictionKind {
    value,          ///< one number per row (regression, ranking score)
    probability,    ///< binary: P(positive) per row; multiclass: one column per class, rows sum to 1
    score,          ///< class scores of any scale (AUC, map@k from scores)
    label,          ///< a class index per row (accuracy, f1, mcc, qwk)
    text,           ///< free text per row (bleu) or space-separated labels (map@k)
};

/// How the blender may score the many weightings it tries without calling score() for each.
/// A metric declares one only when its score() is exactly that computation.
enum class FastScoring {
    none,           ///< every trial is scored by score()
    squared_error,  ///< root mean squared error of one value per row
    log_loss,       ///< mean negative log-likelihood of class probabilities, clipped and row-normalised
                    ///< as scikit-learn does (trials are screened, then scored by score())
    binary_auc,     ///< ROC AUC of one score per row against a 0/1 truth (ties count one half)
};

/// What the target column of a submission holds when the target is a class and the sample
/// submission has a single target column (several columns always hold one probability per class).
struct SubmissionFormat {
    enum class Kind {
        prediction,  ///< binary: P(class 1); multiclass: the most likely class label
        label,       ///< the most likely class label
        label_list,  ///< the `labels` most likely class labels, best first, space-separated
    };
    Kind kind = Kind::prediction;
    std::size_t labels = 1;  ///< label_list only
};

/// Inputs, already aligned row by row by the host. Class labels are encoded as indices
/// 0..k-1 in sorted order of the training labels (docs/script-contract.md).
struct MetricInput {
    std::span<const double> truth;              ///< n values or class indices (empty for text)
    std::span<const double> pred;               ///< n * pred_cols values, row-major
    std::size_t pred_cols = 1;
    std::span<const std::string> truth_text;    ///< n strings (text metrics, label metrics on strings)
    std::span<const std::string> pred_text;     ///< n strings ("lbl1 lbl2 lbl3" for map@k)
    std::span<const std::string> class_names;   ///< k names when known (for label lists)
};

class AUTOKAGGLE_SDK_VISIBLE Metric {
public:
    virtual ~Metric() = default;
    virtual std::string name() const = 0;  ///< as configured, e.g. "map@5"
    virtual Direction direction() const = 0;
    /// What a row of an OOF or test prediction array holds (value, P(class 1) or one column
    /// per class, class scores, a class index, text); it decides how the target is encoded.
    virtual PredictionKind prediction_kind() const = 0;
    /// True when only the order of the predictions matters (AUC, Gini, Spearman): the
    /// blender then averages ranks instead of values.
    virtual bool order_only() const { return false; }
    virtual FastScoring fast_scoring() const { return FastScoring::none; }
    virtual SubmissionFormat submission_format() const {
        return {prediction_kind() == PredictionKind::label ? SubmissionFormat::Kind::label : SubmissionFormat::Kind::prediction, 1};
    }
    /// The names Kaggle's API gives this metric (its evaluationMetric), as Kaggle writes them:
    /// "Area Under Receiver Operating Characteristic Curve", "RMSE". `autokaggle init
    /// --download` picks the metric that answers to the competition's name; the comparison
    /// ignores case, spaces and punctuation other than '@'.
    virtual std::vector<std::string> kaggle_names() const { return {}; }
    /// Throws autokaggle::MetricError naming the problem (length mismatch, NaN/inf, a single
    /// class for AUC, a label outside 0..k-1, wrong number of columns).
    virtual double score(const MetricInput& input) const = 0;
};

/// True when `candidate` beats `best` by more than `margin` in the metric's direction.
inline bool improves(Direction d, double candidate, double best, double margin = 0.0) {
    return d == Direction::higher ? candidate > best + margin : candidate < best - margin;
}

/// A score as results.tsv, logs, reports and the CLI show it: six decimals, trailing zeros cut
/// ("0.5", "0.123457", "2.0"); scores below 1e-4 in magnitude keep six significant digits.
inline std::string format_score(double value) {
    char buf[40];
    const double magnitude = value < 0 ? -value : value;
    if (magnitude != 0 && magnitude < 1e-4) {
        std::snprintf(buf, sizeof buf, "%.6g", value);
        return buf;
    }
    std::snprintf(buf, sizeof buf, "%.6f", value);
    std::string s = buf;
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.push_back('0');
    return s;
}

}  // namespace autokaggle
