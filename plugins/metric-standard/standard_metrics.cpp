#include "standard_metrics.hpp"

#include <autokaggle/support/binary_auc.hpp>
#include <autokaggle/support/finite.hpp>
#include <autokaggle/support/parallel.hpp>
#include <autokaggle/support/summation.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace autokaggle::standard_metrics {

namespace {

using metrics::Sum;
using Span = std::span<const double>;

std::string num(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

[[noreturn]] void fail(std::string_view metric, const std::string& what) {
    throw MetricError(std::string(metric) + ": " + what);
}

/// n rows, checked: the prediction array holds n * pred_cols values.
std::size_t shape_checked(std::string_view metric, const MetricInput& in) {
    const std::size_t n = in.truth.size();
    if (in.pred_cols == 0) fail(metric, "predictions have 0 columns");
    if (in.pred.size() != n * in.pred_cols)
        fail(metric, "length mismatch: the truth has " + std::to_string(n) + " rows, the predictions " +
                         std::to_string(in.pred.size() / in.pred_cols) + " rows x " + std::to_string(in.pred_cols) + " columns");
    if (n == 0) fail(metric, "no rows to score");
    return n;
}

/// n rows, checked: the prediction array holds n * pred_cols values, all finite.
std::size_t rows_checked(std::string_view metric, const MetricInput& in) {
    const std::size_t n = shape_checked(metric, in);
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(in.truth[i])) fail(metric, "truth row " + std::to_string(i) + " is " + num(in.truth[i]) + "; values must be finite");
    for (std::size_t i = 0; i < in.pred.size(); ++i)
        if (!std::isfinite(in.pred[i]))
            fail(metric, "prediction row " + std::to_string(i / in.pred_cols) + (in.pred_cols > 1 ? ", column " + std::to_string(i % in.pred_cols) : "") +
                             " is " + num(in.pred[i]) + "; predictions must be finite");
    return n;
}

void require_columns(std::string_view metric, const MetricInput& in, std::size_t cols, const std::string& what) {
    if (in.pred_cols != cols)
        fail(metric, "wrong number of prediction columns: got " + std::to_string(in.pred_cols) + ", expected " + what);
}

/// Class indices in [0, k) (k = 0: any non-negative integer).
void require_labels(std::string_view metric, Span values, std::size_t k, const char* which) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        double v = values[i];
        if (v != std::floor(v) || v < 0 || (k > 0 && v >= static_cast<double>(k)))
            fail(metric, std::string(which) + " row " + std::to_string(i) + " is " + num(v) + ", not a class index" +
                             (k > 0 ? " in 0.." + std::to_string(k - 1) : std::string()));
    }
}

/// Worker threads for one score() call (the blender calls score() from every core at once).
using ScoringThreads = metrics::CallThreads<struct ScoreCall>;

using metrics::is_finite_bits;

/// Whether v is a class index in 0..classes-1 (NaN and infinities are not), with no undefined
/// cast: only values in range reach it.
bool is_class_index(double v, double classes) {
    const double in_range = v >= 0.0 && v < classes ? v : 0.5;
    return static_cast<double>(static_cast<std::int64_t>(in_range)) == v;
}

/// One pass that only says whether the input is valid for a metric on class indices: every
/// prediction finite and every truth value a class index in 0..k-1. The scoring functions call
/// the exact checks above, which name the first bad row, only when it is not, so the common
/// valid input is read once, on every core.
bool class_rows_valid(const MetricInput& in, std::size_t k, unsigned threads) {
    const auto classes = static_cast<double>(k);
    std::atomic<bool> valid{true};
    const std::size_t n = in.truth.size(), cols = in.pred_cols;
    metrics::parallel_for(threads, threads, [&](std::size_t part, unsigned) {
        const std::size_t begin = n * part / threads, end = n * (part + 1) / threads;
        bool ok = true;
        for (std::size_t i = begin; i < end; ++i) ok &= is_class_index(in.truth[i], classes);
        for (std::size_t i = begin * cols; i < end * cols; ++i) ok &= is_finite_bits(in.pred[i]);
        if (!ok) valid = false;
    });
    return valid;
}

// ---------------------------------------------------------------------------------------------
// AUC

/// Binary AUC of scores[i * stride + col] against labels (positive when label == positive).
/// Ties count one half, as in scikit-learn. O(n): autokaggle/support/binary_auc.hpp. `checks` (the exact
/// checks, which throw naming the bad row) run when a row fails `valid`.
template <class Valid, class Checks>
double binary_auc(std::string_view metric, Span truth, Span pred, std::size_t stride, std::size_t col, double positive,
                  unsigned threads, const Valid& valid, const Checks& checks) {
    const metrics::AucPairs pairs = metrics::count_auc_pairs(
        truth.size(), [&](std::size_t i) { return truth[i] == positive; }, [&](std::size_t i) { return pred[i * stride + col]; },
        valid, threads);
    if (!pairs.all_valid) checks();
    if (pairs.positives == 0 || pairs.negatives == 0)
        fail(metric, "only one class is present in the truth (" + std::to_string(pairs.positives) + " positives, " +
                         std::to_string(pairs.negatives) + " negatives); AUC is undefined");
    return metrics::auc_of_twice_ordered(pairs.twice_ordered, pairs.positives, pairs.negatives);
}

double auc_roc(std::string_view name, const MetricInput& in, const Options&) {
    const ScoringThreads threads;
    const std::size_t n = shape_checked(name, in);
    const unsigned workers = threads.for_items(n);
    if (in.pred_cols == 1) {
        auto checks = [&] {
            rows_checked(name, in);
            if (in.class_names.size() > 2)
                fail(name, "one prediction column for " + std::to_string(in.class_names.size()) +
                               " classes; multiclass AUC needs one score column per class");
            require_labels(name, in.truth, 2, "truth");
        };
        if (in.class_names.size() > 2) checks();
        // the truth and finiteness checks ride along the AUC's first pass over the rows
        auto valid = [&](std::size_t i) { return is_class_index(in.truth[i], 2.0) & is_finite_bits(in.pred[i]); };
        return binary_auc(name, in.truth, in.pred, 1, 0, 1.0, workers, valid, checks);
    }
    // multiclass: one-vs-rest, macro average (scikit-learn multi_class="ovr", average="macro")
    auto checks = [&] {
        rows_checked(name, in);
        require_labels(name, in.truth, in.pred_cols, "truth");
        if (!in.class_names.empty() && in.class_names.size() != in.pred_cols)
            fail(name, "wrong number of prediction columns: got " + std::to_string(in.pred_cols) + ", expected " +
                           std::to_string(in.class_names.size()) + " (one per class)");
    };
    if ((!in.class_names.empty() && in.class_names.size() != in.pred_cols) || !class_rows_valid(in, in.pred_cols, workers))
        checks();
    double total = 0;
    auto validated = [](std::size_t) { return true; };
    for (std::size_t c = 0; c < in.pred_cols; ++c)
        total += binary_auc(name, in.truth, in.pred, in.pred_cols, c, static_cast<double>(c), workers, validated, checks);
    return total / static_cast<double>(in.pred_cols);
}

// ---------------------------------------------------------------------------------------------
// Log loss

double logloss(std::string_view name, const MetricInput& in, const Options& o) {
    const ScoringThreads threads;
    const std::size_t n = shape_checked(name, in);
    const bool binary = in.pred_cols == 1;
    auto checks = [&] {
        rows_checked(name, in);
        if (binary && in.class_names.size() > 2)
            fail(name, "one prediction column for " + std::to_string(in.class_names.size()) +
                           " classes; multiclass log loss needs one probability column per class");
        if (!binary && !in.class_names.empty() && in.class_names.size() != in.pred_cols)
            fail(name, "wrong number of prediction columns: got " + std::to_string(in.pred_cols) + ", expected " +
                           std::to_string(in.class_names.size()) + " (one per class)");
        require_labels(name, in.truth, binary ? 2 : in.pred_cols, "truth");
    };
    const bool names_fit = binary ? in.class_names.size() <= 2 : in.class_names.empty() || in.class_names.size() == in.pred_cols;
    if (!names_fit || !class_rows_valid(in, binary ? 2 : in.pred_cols, threads.for_items(n))) checks();
    const double eps = o.logloss_eps;
    Sum sum;
    if (binary) {
        for (std::size_t i = 0; i < n; ++i) {
            // as scikit-learn: clip, expand to [1 - p, p], renormalise the row
            const double p = std::clamp(in.pred[i], eps, 1.0 - eps);
            const double q = 1.0 - p;
            const double s = q + p;
            sum.add(std::log((in.truth[i] == 1.0 ? p : q) / s));
        }
    } else {
        const std::size_t k = in.pred_cols;
        for (std::size_t i = 0; i < n; ++i) {
            const double* row = in.pred.data() + i * k;
            double s = 0;
            for (std::size_t c = 0; c < k; ++c) s += std::clamp(row[c], eps, 1.0 - eps);
            const double p = std::clamp(row[static_cast<std::size_t>(in.truth[i])], eps, 1.0 - eps);
            sum.add(std::log(p / s));
        }
    }
    return -sum.value() / static_cast<double>(n);
}

// ---------------------------------------------------------------------------------------------
// Regression

template <class Term>
double mean_of(std::string_view name, const MetricInput& in, Term term) {
    const std::size_t n = rows_checked(name, in);
    require_columns(name, in, 1, "1 value per row");
    Sum sum;
    for (std::size_t i = 0; i < n; ++i) sum.add(term(in.truth[i], in.pred[i]));
    return sum.value() / static_cast<double>(n);
}

double rmse(std::string_view name, const MetricInput& in, const Options&) {
    return std::sqrt(mean_of(name, in, [](double y, double p) { return (y - p) * (y - p); }));
}

double mae(std::string_view name, const MetricInput& in, const Options&) {
    return mean_of(name, in, [](double y, double p) { return std::fabs(y - p); });
}

double rmsle(std::string_view name, const MetricInput& in, const Options&) {
    for (std::size_t i = 0; i < in.truth.size(); ++i)
        if (in.truth[i] < 0) fail(name, "truth row " + std::to_string(i) + " is " + num(in.truth[i]) + "; RMSLE needs values >= 0");
    for (std::size_t i = 0; i < in.pred.size(); ++i)
        if (in.pred[i] < 0)
            fail(name, "prediction row " + std::to_string(i) + " is " + num(in.pred[i]) + "; RMSLE needs values >= 0 (clip predictions at 0)");
    return std::sqrt(mean_of(name, in, [](double y, double p) {
        double d = std::log1p(y) - std::log1p(p);
        return d * d;
    }));
}

double mape(std::string_view name, const MetricInput& in, const Options&) {
    static constexpr double eps = std::numeric_limits<double>::epsilon();  // scikit-learn's guard against y = 0
    return mean_of(name, in, [](double y, double p) { return std::fabs(y - p) / std::max(std::fabs(y), eps); });
}

double smape(std::string_view name, const MetricInput& in, const Options&) {
    // Kaggle's SMAPE in percent (0..200); a row where truth and prediction are both 0 scores 0.
    return 100.0 * mean_of(name, in, [](double y, double p) {
        double denom = (std::fabs(y) + std::fabs(p)) / 2.0;
        return denom == 0 ? 0.0 : std::fabs(p - y) / denom;
    });
}

double r2(std::string_view name, const MetricInput& in, const Options&) {
    const std::size_t n = rows_checked(name, in);
    require_columns(name, in, 1, "1 value per row");
    Sum mean_sum;
    for (std::size_t i = 0; i < n; ++i) mean_sum.add(in.truth[i]);
    const double mean = mean_sum.value() / static_cast<double>(n);
    Sum res, tot;
    for (std::size_t i = 0; i < n; ++i) {
        res.add((in.truth[i] - in.pred[i]) * (in.truth[i] - in.pred[i]));
        tot.add((in.truth[i] - mean) * (in.truth[i] - mean));
    }
    const double ss_res = res.value(), ss_tot = tot.value();
    if (ss_tot == 0) return ss_res == 0 ? 1.0 : 0.0;  // scikit-learn's force_finite convention
    return 1.0 - ss_res / ss_tot;
}

// ---------------------------------------------------------------------------------------------
// Labels

/// Truth and predicted labels as integers, with the sorted union of the labels present (the
/// label set scikit-learn uses for f1_macro, mcc and cohen_kappa).
struct Labels {
    std::vector<long long> truth, pred;
    std::vector<long long> classes;  ///< sorted union
    std::size_t index(long long label) const {
        return static_cast<std::size_t>(std::lower_bound(classes.begin(), classes.end(), label) - classes.begin());
    }
};

Labels labels_checked(std::string_view name, const MetricInput& in) {
    const std::size_t n = rows_checked(name, in);
    require_columns(name, in, 1, "1 class label per row (the host converts probabilities to labels)");
    const std::size_t k = in.class_names.size();
    Labels l;
    l.truth.resize(n);
    l.pred.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (int which = 0; which < 2; ++which) {
            double v = which == 0 ? in.truth[i] : in.pred[i];
            if (v != std::floor(v) || std::fabs(v) > 9e15)
                fail(name, std::string(which == 0 ? "truth" : "prediction") + " row " + std::to_string(i) + " is " + num(v) +
                               ", not a class label (an integer)");
            if (k > 0 && (v < 0 || v >= static_cast<double>(k)))
                fail(name, std::string(which == 0 ? "truth" : "prediction") + " row " + std::to_string(i) + " is class index " +
                               num(v) + ", outside 0.." + std::to_string(k - 1));
            (which == 0 ? l.truth : l.pred)[i] = static_cast<long long>(v);
        }
    }
    l.classes = l.truth;
    l.classes.insert(l.classes.end(), l.pred.begin(), l.pred.end());
    std::sort(l.classes.begin(), l.classes.end());
    l.classes.erase(std::unique(l.classes.begin(), l.classes.end()), l.classes.end());
    return l;
}

/// Confusion matrix over Labels::classes: cm[t * k + p].
std::vector<double> confusion(const Labels& l) {
    const std::size_t k = l.classes.size();
    std::vector<double> cm(k * k, 0.0);
    if (!l.classes.empty() && l.classes.back() - l.classes.front() < 1'000'000 && l.classes.front() >= 0 &&
        static_cast<std::size_t>(l.classes.back() + 1) == k) {  // dense 0..k-1: direct indexing
        for (std::size_t i = 0; i < l.truth.size(); ++i)
            cm[static_cast<std::size_t>(l.truth[i]) * k + static_cast<std::size_t>(l.pred[i])] += 1;
    } else {
        for (std::size_t i = 0; i < l.truth.size(); ++i) cm[l.index(l.truth[i]) * k + l.index(l.pred[i])] += 1;
    }
    return cm;
}

double accuracy(std::string_view name, const MetricInput& in, const Options&) {
    Labels l = labels_checked(name, in);
    std::size_t hits = 0;
    for (std::size_t i = 0; i < l.truth.size(); ++i) hits += l.truth[i] == l.pred[i];
    return static_cast<double>(hits) / static_cast<double>(l.truth.size());
}

double f1_of(double tp, double fp, double fn) {
    double denom = 2 * tp + fp + fn;
    return denom == 0 ? 0.0 : 2 * tp / denom;  // scikit-learn's zero_division = 0
}

double f1_binary(std::string_view name, const MetricInput& in, const Options&) {
    Labels l = labels_checked(name, in);
    if (in.class_names.size() > 2 || l.classes.front() < 0 || l.classes.back() > 1)
        fail(name, "binary F1 needs labels 0 and 1 (the positive class is index 1); use f1_macro for more classes");
    double tp = 0, fp = 0, fn = 0;
    for (std::size_t i = 0; i < l.truth.size(); ++i) {
        tp += l.truth[i] == 1 && l.pred[i] == 1;
        fp += l.truth[i] == 0 && l.pred[i] == 1;
        fn += l.truth[i] == 1 && l.pred[i] == 0;
    }
    return f1_of(tp, fp, fn);
}

double f1_macro(std::string_view name, const MetricInput& in, const Options&) {
    Labels l = labels_checked(name, in);
    const std::size_t k = l.classes.size();
    std::vector<double> cm = confusion(l);
    double total = 0;
    for (std::size_t c = 0; c < k; ++c) {
        double tp = cm[c * k + c], fp = 0, fn = 0;
        for (std::size_t o = 0; o < k; ++o) {
            if (o == c) continue;
            fp += cm[o * k + c];
            fn += cm[c * k + o];
        }
        total += f1_of(tp, fp, fn);
    }
    return total / static_cast<double>(k);
}

double mcc(std::string_view name, const MetricInput& in, const Options&) {
    Labels l = labels_checked(name, in);
    const std::size_t k = l.classes.size();
    std::vector<double> cm = confusion(l);
    double s = static_cast<double>(l.truth.size()), correct = 0, tp = 0, tt = 0, cov = 0;
    std::vector<double> t(k, 0.0), p(k, 0.0);
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) {
            t[a] += cm[a * k + b];
            p[b] += cm[a * k + b];
        }
    for (std::size_t c = 0; c < k; ++c) {
        correct += cm[c * k + c];
        cov += t[c] * p[c];
        tp += p[c] * p[c];
        tt += t[c] * t[c];
    }
    const double cov_ytyp = correct * s - cov, cov_ypyp = s * s - tp, cov_ytyt = s * s - tt;
    if (cov_ypyp * cov_ytyt == 0) return 0.0;  // scikit-learn returns 0 when undefined
    return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

double qwk(std::string_view name, const MetricInput& in, const Options&) {
    // scikit-learn cohen_kappa_score(weights="quadratic"): weights by position in the sorted
    // union of labels present.
    Labels l = labels_checked(name, in);
    const std::size_t k = l.classes.size();
    std::vector<double> cm = confusion(l);
    std::vector<double> rows(k, 0.0), cols(k, 0.0);
    double total = 0;
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) {
            rows[a] += cm[a * k + b];
            cols[b] += cm[a * k + b];
            total += cm[a * k + b];
        }
    double observed = 0, expected = 0;
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) {
            double w = (static_cast<double>(a) - static_cast<double>(b)) * (static_cast<double>(a) - static_cast<double>(b));
            observed += w * cm[a * k + b];
            expected += w * rows[a] * cols[b] / total;
        }
    if (expected == 0)
        fail(name, "undefined: truth and predictions hold a single label (" + std::to_string(l.classes.front()) +
                       "), so no disagreement is possible");
    return 1.0 - observed / expected;
}

// ---------------------------------------------------------------------------------------------
// Ranking: map@k and ndcg@k

std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

/// The position of column `truth` in a row ordered best first, ties going to the lower index
/// (NumPy's stable argsort of -row): the columns before it that are at least as high, plus the
/// columns after it that are higher. One branch-free pass instead of a top-k selection.
std::size_t rank_in_row(const double* row, std::size_t cols, std::size_t truth) {
    const double v = row[truth];
    std::size_t rank = 0;
    for (std::size_t c = 0; c < truth; ++c) rank += static_cast<std::size_t>(row[c] >= v);
    for (std::size_t c = truth + 1; c < cols; ++c) rank += static_cast<std::size_t>(row[c] > v);
    return rank;
}

/// Kaggle's average precision at k (ml_metrics apk) for a single row.
template <class Item>
double apk(const std::vector<Item>& actual, const std::vector<Item>& predicted, std::size_t k) {
    if (actual.empty()) return 0.0;
    double hits = 0, score = 0;
    const std::size_t m = std::min(k, predicted.size());
    for (std::size_t i = 0; i < m; ++i) {
        const Item& p = predicted[i];
        if (std::find(actual.begin(), actual.end(), p) == actual.end()) continue;
        if (std::find(predicted.begin(), predicted.begin() + static_cast<std::ptrdiff_t>(i), p) !=
            predicted.begin() + static_cast<std::ptrdiff_t>(i))
            continue;
        hits += 1;
        score += hits / static_cast<double>(i + 1);
    }
    return score / static_cast<double>(std::min(actual.size(), k));
}

/// The truth of row i as label strings: truth_text (space-separated labels) or the class name.
std::vector<std::string_view> truth_labels(std::string_view name, const MetricInput& in, std::size_t i) {
    if (!in.truth_text.empty()) return split_words(in.truth_text[i]);
    double v = in.truth[i];
    if (v != std::floor(v) || v < 0 || v >= static_cast<double>(in.class_names.size()))
        fail(name, "truth row " + std::to_string(i) + " is " + num(v) + ", not a class index in 0.." +
                       std::to_string(in.class_names.size()) + " (class names are needed to compare with label lists)");
    return {std::string_view(in.class_names[static_cast<std::size_t>(v)])};
}

double map_at_k(std::string_view name, const MetricInput& in, std::size_t k) {
    if (!in.pred_text.empty()) {  // predictions as "label1 label2 label3"
        const std::size_t n = in.pred_text.size();
        if (!in.truth_text.empty() ? in.truth_text.size() != n : in.truth.size() != n)
            fail(name, "length mismatch: " + std::to_string(in.truth_text.empty() ? in.truth.size() : in.truth_text.size()) +
                           " truth rows, " + std::to_string(n) + " prediction rows");
        if (n == 0) fail(name, "no rows to score");
        Sum sum;
        for (std::size_t i = 0; i < n; ++i) sum.add(apk(truth_labels(name, in, i), split_words(in.pred_text[i]), k));
        return sum.value() / static_cast<double>(n);
    }
    // One relevant class per row: the row scores 1 / (rank + 1) when that class ranks within the
    // top k. Rows are counted by the rank of their class (integers, so the threads' shares add up
    // exactly), validating as they go; the exact checks name the first bad row if any is bad.
    const ScoringThreads threads;
    const std::size_t n = shape_checked(name, in), cols = in.pred_cols;
    auto checks = [&] {
        rows_checked(name, in);
        if (!in.class_names.empty() && cols != in.class_names.size())
            fail(name, "wrong number of prediction columns: got " + std::to_string(cols) + ", expected " +
                           std::to_string(in.class_names.size()) + " (one score per class)");
        require_labels(name, in.truth, cols, "truth");
    };
    if (!in.class_names.empty() && cols != in.class_names.size()) checks();
    const std::size_t ranks = std::min(k, cols);
    const unsigned workers = threads.for_items(n * cols);
    std::vector<std::vector<std::size_t>> rows_at_rank(workers, std::vector<std::size_t>(ranks, 0));
    std::atomic<bool> valid{true};
    metrics::parallel_for(workers, workers, [&](std::size_t part, unsigned) {
        std::vector<std::size_t>& count = rows_at_rank[part];
        bool ok = true;
        for (std::size_t i = n * part / workers, end = n * (part + 1) / workers; i < end; ++i) {
            const double* row = in.pred.data() + i * cols;
            for (std::size_t c = 0; c < cols; ++c) ok &= is_finite_bits(row[c]);
            const bool label_ok = is_class_index(in.truth[i], static_cast<double>(cols));
            ok &= label_ok;
            const std::size_t rank = rank_in_row(row, cols, label_ok ? static_cast<std::size_t>(in.truth[i]) : 0);
            if (rank < ranks) ++count[rank];
        }
        if (!ok) valid = false;
    });
    if (!valid) checks();
    Sum sum;
    for (std::size_t r = 0; r < ranks; ++r) {
        std::size_t rows = 0;
        for (const auto& count : rows_at_rank) rows += count[r];
        sum.add(static_cast<double>(rows) / static_cast<double>(r + 1));
    }
    return sum.value() / static_cast<double>(n);
}

/// scikit-learn's DCG with ties in the scores averaged (ndcg_score(ignore_ties=False)).
double tie_averaged_dcg(const double* relevance, const double* scores, std::size_t m, std::size_t k,
                        std::vector<std::size_t>& order) {
    order.resize(m);
    for (std::size_t i = 0; i < m; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    double dcg = 0, discount_before = 0;
    std::size_t pos = 0;
    while (pos < m) {
        std::size_t end = pos;
        double gain = 0;
        while (end < m && scores[order[end]] == scores[order[pos]]) gain += relevance[order[end++]];
        double discount_upto = discount_before;
        for (std::size_t r = pos; r < end && r < k; ++r) discount_upto += 1.0 / std::log2(static_cast<double>(r) + 2.0);
        dcg += gain / static_cast<double>(end - pos) * (discount_upto - discount_before);
        discount_before = discount_upto;
        pos = end;
    }
    return dcg;
}

double ideal_dcg(const double* relevance, std::size_t m, std::size_t k, std::vector<double>& sorted) {
    sorted.assign(relevance, relevance + m);
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    double dcg = 0;
    for (std::size_t r = 0; r < m && r < k; ++r) dcg += sorted[r] / std::log2(static_cast<double>(r) + 2.0);
    return dcg;
}

double ndcg_at_k(std::string_view name, const MetricInput& in, std::size_t k) {
    if (!in.pred_text.empty()) {  // a ranked label list per row, one relevant label (Kaggle style)
        const std::size_t n = in.pred_text.size();
        if (!in.truth_text.empty() ? in.truth_text.size() != n : in.truth.size() != n)
            fail(name, "length mismatch between truth and predicted label lists");
        if (n == 0) fail(name, "no rows to score");
        Sum sum;
        for (std::size_t i = 0; i < n; ++i) {
            auto actual = truth_labels(name, in, i);
            auto ranked = split_words(in.pred_text[i]);
            double dcg = 0, idcg = 0;
            for (std::size_t r = 0; r < ranked.size() && r < k; ++r)
                if (std::find(actual.begin(), actual.end(), ranked[r]) != actual.end())
                    dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
            for (std::size_t r = 0; r < actual.size() && r < k; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
            sum.add(idcg == 0 ? 0.0 : dcg / idcg);
        }
        return sum.value() / static_cast<double>(n);
    }
    const std::size_t m = in.pred_cols;
    if (m < 2) fail(name, "needs at least 2 score columns per row (one per item to rank)");
    const bool matrix = in.truth.size() == in.pred.size();  // a relevance per item, as scikit-learn's y_true
    const std::size_t n = matrix ? in.pred.size() / m : in.truth.size();
    if (!matrix) {
        rows_checked(name, in);
        require_labels(name, in.truth, m, "truth");
    } else {
        for (std::size_t i = 0; i < in.pred.size(); ++i)
            if (!std::isfinite(in.pred[i]) || !std::isfinite(in.truth[i]))
                fail(name, "row " + std::to_string(i / m) + " holds a non-finite value");
    }
    if (n == 0) fail(name, "no rows to score");
    std::vector<double> relevance(m), sorted;
    std::vector<std::size_t> order;
    Sum sum;
    for (std::size_t i = 0; i < n; ++i) {
        if (matrix) {
            std::copy(in.truth.begin() + static_cast<std::ptrdiff_t>(i * m), in.truth.begin() + static_cast<std::ptrdiff_t>((i + 1) * m),
                      relevance.begin());
        } else {
            std::fill(relevance.begin(), relevance.end(), 0.0);
            relevance[static_cast<std::size_t>(in.truth[i])] = 1.0;
        }
        const double idcg = ideal_dcg(relevance.data(), m, k, sorted);
        const double dcg = tie_averaged_dcg(relevance.data(), in.pred.data() + i * m, m, k, order);
        sum.add(idcg == 0 ? 0.0 : dcg / idcg);  // scikit-learn scores rows without relevant items as 0
    }
    return sum.value() / static_cast<double>(n);
}

// ---------------------------------------------------------------------------------------------
// Corpus BLEU (sacreBLEU defaults: 13a tokenisation, 4-grams, exponential smoothing, 0..100)

double bleu(std::string_view name, const MetricInput& in, const Options&) {
    const std::size_t n = in.pred_text.size();
    if (in.truth_text.size() != n)
        fail(name, "length mismatch: " + std::to_string(in.truth_text.size()) + " reference rows, " + std::to_string(n) +
                       " hypothesis rows (BLEU scores text: truth and predictions are text columns)");
    if (n == 0) fail(name, "no rows to score");
    constexpr std::size_t kOrder = 4;
    double correct[kOrder] = {0, 0, 0, 0}, total[kOrder] = {0, 0, 0, 0};
    double sys_len = 0, ref_len = 0;
    auto strip_right = [](std::string_view s) {
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r' ||
                              s.back() == '\v' || s.back() == '\f'))
            s.remove_suffix(1);
        return s;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const std::string hyp = tokenize_13a(strip_right(in.pred_text[i]));
        const std::string ref = tokenize_13a(strip_right(in.truth_text[i]));
        const auto h = split_words(hyp), r = split_words(ref);
        sys_len += static_cast<double>(h.size());
        ref_len += static_cast<double>(r.size());
        for (std::size_t order = 1; order <= kOrder; ++order) {
            std::unordered_map<std::string, int> ref_counts;
            for (std::size_t s = 0; s + order <= r.size(); ++s) {
                std::string key;
                for (std::size_t t = 0; t < order; ++t) (key += r[s + t]) += '\x01';
                ++ref_counts[key];
            }
            for (std::size_t s = 0; s + order <= h.size(); ++s) {
                std::string key;
                for (std::size_t t = 0; t < order; ++t) (key += h[s + t]) += '\x01';
                total[order - 1] += 1;
                auto it = ref_counts.find(key);
                if (it != ref_counts.end() && it->second > 0) {  // clipped counts: each reference n-gram matches once
                    --it->second;
                    correct[order - 1] += 1;
                }
            }
        }
    }
    const double bp = sys_len < ref_len ? (sys_len > 0 ? std::exp(1.0 - ref_len / sys_len) : 0.0) : 1.0;
    if (std::all_of(std::begin(correct), std::end(correct), [](double c) { return c == 0; })) return 0.0;
    double precisions[kOrder] = {0, 0, 0, 0};
    double smooth = 1.0;
    for (std::size_t o = 0; o < kOrder; ++o) {
        if (total[o] == 0) break;
        if (correct[o] == 0) {
            smooth *= 2;
            precisions[o] = 100.0 / (smooth * total[o]);
        } else {
            precisions[o] = 100.0 * correct[o] / total[o];
        }
    }
    double log_sum = 0;
    for (double p : precisions) log_sum += p == 0 ? -9999999999.0 : std::log(p);
    return bp * std::exp(log_sum / static_cast<double>(kOrder));
}

// ---------------------------------------------------------------------------------------------

using ScoreFn = double (*)(std::string_view, const MetricInput&, const Options&);

struct Definition {
    const char* name;
    Direction direction;
    PredictionKind kind;
    ScoreFn score;
    bool order_only = false;
    FastScoring fast = FastScoring::none;
    /// Kaggle's spellings of the metric's name (evaluationMetric in its API).
    std::initializer_list<const char*> kaggle_names = {};
};

const Definition kDefinitions[] = {
    {"auc_roc", Direction::higher, PredictionKind::score, auc_roc, true, FastScoring::binary_auc,
     {"AUC", "AUC ROC", "ROC AUC", "Area Under The ROC Curve", "Area Under ROC Curve", "Area Under The Curve",
      "Area Under Receiver Operating Characteristic Curve", "Area Under The Receiver Operating Characteristic Curve"}},
    {"logloss", Direction::lower, PredictionKind::probability, logloss, false, FastScoring::log_loss,
     {"LogLoss", "Log Loss", "Logarithmic Loss", "Binary Log Loss", "Multiclass Loss", "Multiclass Log Loss",
      "Cross Entropy", "Binary Cross Entropy", "Log Loss Binary", "Multiclass Logarithmic Loss"}},
    {"rmse", Direction::lower, PredictionKind::value, rmse, false, FastScoring::squared_error,
     {"RMSE", "Root Mean Squared Error", "Root Mean Square Error", "Root Mean Squared Deviation"}},
    {"rmsle", Direction::lower, PredictionKind::value, rmsle, false, FastScoring::none,
     {"RMSLE", "Root Mean Squared Logarithmic Error", "Root Mean Squared Log Error", "Root Mean Square Logarithmic Error"}},
    {"mae", Direction::lower, PredictionKind::value, mae, false, FastScoring::none, {"MAE", "Mean Absolute Error"}},
    {"mape", Direction::lower, PredictionKind::value, mape, false, FastScoring::none,
     {"MAPE", "Mean Absolute Percentage Error"}},
    {"smape", Direction::lower, PredictionKind::value, smape, false, FastScoring::none,
     {"SMAPE", "Symmetric Mean Absolute Percentage Error"}},
    {"r2", Direction::higher, PredictionKind::value, r2, false, FastScoring::none,
     {"R2", "R2 Score", "R Squared", "Coefficient Of Determination"}},
    {"accuracy", Direction::higher, PredictionKind::label, accuracy, false, FastScoring::none,
     {"Accuracy", "Categorization Accuracy", "Classification Accuracy", "Accuracy Score"}},
    {"f1", Direction::higher, PredictionKind::label, f1_binary, false, FastScoring::none,
     {"F1", "F1 Score", "Mean F Score", "Mean F1 Score", "F Score"}},
    {"f1_macro", Direction::higher, PredictionKind::label, f1_macro, false, FastScoring::none,
     {"Macro F1", "Macro F1 Score", "F1 Macro"}},
    {"mcc", Direction::higher, PredictionKind::label, mcc, false, FastScoring::none,
     {"MCC", "Matthews Correlation Coefficient", "Matthews Corrcoef"}},
    {"qwk", Direction::higher, PredictionKind::label, qwk, false, FastScoring::none,
     {"QWK", "Quadratic Weighted Kappa", "Quadratic Weighted Cohen's Kappa", "Cohen's Kappa"}},
    {"bleu", Direction::higher, PredictionKind::text, bleu, false, FastScoring::none, {"BLEU", "BLEU Score"}},
};

class TableMetric final : public Metric {
public:
    TableMetric(const Definition& d, Options o) : d_(d), o_(o) {}
    std::string name() const override { return d_.name; }
    Direction direction() const override { return d_.direction; }
    PredictionKind prediction_kind() const override { return d_.kind; }
    bool order_only() const override { return d_.order_only; }
    FastScoring fast_scoring() const override { return d_.fast; }
    std::vector<std::string> kaggle_names() const override { return {d_.kaggle_names.begin(), d_.kaggle_names.end()}; }
    double score(const MetricInput& input) const override { return d_.score(d_.name, input, o_); }

private:
    const Definition& d_;
    Options o_;
};

/// map@k and ndcg@k: the k comes from the configured name.
class RankingMetric final : public Metric {
public:
    enum class Kind { map, ndcg };
    RankingMetric(Kind kind, std::size_t k) : kind_(kind), k_(k) {}
    std::string name() const override { return (kind_ == Kind::map ? "map@" : "ndcg@") + std::to_string(k_); }
    Direction direction() const override { return Direction::higher; }
    PredictionKind prediction_kind() const override { return PredictionKind::score; }
    /// map@k is scored on label lists: a submission holds the k best classes of each row.
    SubmissionFormat submission_format() const override {
        if (kind_ == Kind::map) return {SubmissionFormat::Kind::label_list, k_};
        return Metric::submission_format();
    }
    std::vector<std::string> kaggle_names() const override {
        const std::string k = std::to_string(k_);
        if (kind_ == Kind::map) return {"MAP@" + k, "Mean Average Precision @ " + k};
        return {"NDCG@" + k, "Normalized Discounted Cumulative Gain @ " + k};
    }
    double score(const MetricInput& input) const override {
        const std::string n = name();
        return kind_ == Kind::map ? map_at_k(n, input, k_) : ndcg_at_k(n, input, k_);
    }

private:
    Kind kind_;
    std::size_t k_;
};

std::size_t parse_k(std::string_view name, std::string_view prefix) {
    if (!name.starts_with(prefix)) return 0;
    auto rest = name.substr(prefix.size());
    std::size_t k = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), k);
    return ec == std::errc() && ptr == rest.data() + rest.size() ? k : 0;
}

}  // namespace

const std::vector<std::string>& metric_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& d : kDefinitions) v.emplace_back(d.name);
        v.emplace_back("map@k");
        v.emplace_back("ndcg@k");
        return v;
    }();
    return names;
}

std::unique_ptr<Metric> make_metric(std::string_view name, const Options& options) {
    for (const auto& d : kDefinitions)
        if (name == d.name) return std::make_unique<TableMetric>(d, options);
    if (std::size_t k = parse_k(name, "map@")) return std::make_unique<RankingMetric>(RankingMetric::Kind::map, k);
    if (std::size_t k = parse_k(name, "ndcg@")) return std::make_unique<RankingMetric>(RankingMetric::Kind::ndcg, k);
    return nullptr;
}

}  // namespace autokaggle::standard_metrics
