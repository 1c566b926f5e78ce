#include "metrics/verify.hpp"

#include "base/atomic_file.hpp"
#include <autokaggle/support/finite.hpp>
#include "metrics/folds.hpp"
#include <autokaggle/support/parallel.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace autokaggle::metrics {

namespace fs = std::filesystem;

namespace {

std::string fmt(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

std::size_t argmax(std::span<const double> row) {
    return static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

/// Class indices of the top `k` scores of a row, best first; ties go to the lower index.
std::vector<std::size_t> top_k(std::span<const double> row, std::size_t k) {
    std::vector<std::size_t> idx(row.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    k = std::min(k, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                      [&](std::size_t a, std::size_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    idx.resize(k);
    return idx;
}

/// Whether every value is finite: one pass, split between threads when the array is large and
/// no other check runs at the same time (the blender checks its candidates on every core).
bool all_finite(std::span<const double> values) {
    const CallThreads<struct FiniteCheck> threads;
    const unsigned workers = threads.for_items(values.size());
    std::atomic<bool> finite{true};
    parallel_for(workers, workers, [&](std::size_t part, unsigned) {
        const std::size_t begin = values.size() * part / workers, end = values.size() * (part + 1) / workers;
        bool ok = true;
        for (std::size_t i = begin; i < end; ++i) ok &= is_finite_bits(values[i]);
        if (!ok) finite = false;
    });
    return finite;
}

std::size_t required_columns(const Metric& metric, const TargetEncoding& target) {
    if (target.classification && metric.prediction_kind() == PredictionKind::label) return 0;  // 1 or k accepted
    return expected_prediction_columns(target);
}

}  // namespace

std::string CheckResult::message() const {
    std::string out;
    for (std::size_t i = 0; i < problems.size() && i < 20; ++i) out += problems[i] + "\n";
    if (problems.size() > 20) out += "... and " + std::to_string(problems.size() - 20) + " more\n";
    if (!out.empty()) out.pop_back();
    return out;
}

void check_prediction_array(const Metric& metric, const TargetEncoding& target, NpyView pred, std::size_t rows,
                            const std::string& name) {
    if (metric.prediction_kind() == PredictionKind::text)
        throw MetricError(name + ": metric " + metric.name() + " scores text, which a .npy file cannot hold; score a CSV instead");
    if (pred.rows != rows)
        throw MetricError(name + ": shape " + pred.shape_text() + " has " + std::to_string(pred.rows) + " rows, expected " +
                          std::to_string(rows) + " (one per row of " + (target.source.empty() ? "the data" : target.source) +
                          ", in file order)");
    std::size_t want = required_columns(metric, target);
    if (want == 0) {
        if (pred.cols != 1 && pred.cols != target.num_classes())
            throw MetricError(name + ": shape " + pred.shape_text() + " has " + std::to_string(pred.cols) +
                              " columns; metric " + metric.name() + " takes 1 column of class indices or " +
                              std::to_string(target.num_classes()) + " probability columns (classes in sorted order)");
    } else if (pred.cols != want) {
        std::string what = !target.classification ? "1 value column"
                           : target.binary()      ? "1 column, the probability of class '" + target.class_names[1] + "'"
                                                  : std::to_string(want) + " columns, one per class in sorted order";
        throw MetricError(name + ": shape " + pred.shape_text() + " has " + std::to_string(pred.cols) + " columns, expected " +
                          what);
    }
    if (all_finite(pred.data)) return;
    for (std::size_t i = 0; i < pred.data.size(); ++i) {
        if (!std::isfinite(pred.data[i]))
            throw MetricError(name + ": row " + std::to_string(i / pred.cols) + ", column " + std::to_string(i % pred.cols) +
                              " is " + fmt(pred.data[i]) + "; predictions must be finite");
    }
}

MetricInput metric_input(const Metric& metric, const TargetEncoding& target, NpyView pred, std::vector<double>& converted) {
    return metric_input(metric, target, target.values, pred, converted);
}

MetricInput metric_input(const Metric& metric, const TargetEncoding& target, std::span<const double> truth, NpyView pred,
                         std::vector<double>& converted) {
    MetricInput in;
    in.truth = truth;
    in.class_names = target.class_names;
    in.pred = pred.data;
    in.pred_cols = pred.cols;
    if (metric.prediction_kind() != PredictionKind::label) return in;
    converted.resize(pred.rows);
    if (pred.cols > 1) {
        for (std::size_t r = 0; r < pred.rows; ++r) converted[r] = static_cast<double>(argmax(pred.row(r)));
    } else if (target.binary()) {
        for (std::size_t r = 0; r < pred.rows; ++r) converted[r] = pred.data[r] > 0.5 ? 1.0 : 0.0;
    } else {
        for (std::size_t r = 0; r < pred.rows; ++r) converted[r] = std::round(pred.data[r]);
    }
    in.pred = converted;
    in.pred_cols = 1;
    return in;
}

namespace {

double score_rows(const Metric& metric, const TargetEncoding& target, std::span<const double> truth, NpyView pred,
                  std::size_t rows, const std::string& name) {
    check_prediction_array(metric, target, pred, rows, name);
    std::vector<double> converted;
    MetricInput in = metric_input(metric, target, truth, pred, converted);
    try {
        return metric.score(in);
    } catch (const MetricError& e) {
        throw MetricError(name + ": " + e.what());
    }
}

}  // namespace

double score_predictions(const Metric& metric, const TargetEncoding& target, NpyView pred, const std::string& name) {
    return score_rows(metric, target, target.values, pred, target.rows(), name);
}

double score_predictions(const Metric& metric, const TargetEncoding& target, std::span<const double> truth, NpyView pred,
                         const std::string& name) {
    return score_rows(metric, target, truth, pred, truth.size(), name);
}

double printed_precision_tolerance(std::string_view printed, double tolerance) {
    std::size_t i = 0;
    if (i < printed.size() && (printed[i] == '+' || printed[i] == '-')) ++i;
    int significant = 0, decimals = 0;
    bool seen_point = false, leading = true;
    for (; i < printed.size(); ++i) {
        const char c = printed[i];
        if (c == '.' && !seen_point) {
            seen_point = true;
        } else if (c >= '0' && c <= '9') {
            if (seen_point) ++decimals;
            if (c != '0') leading = false;
            if (!leading) ++significant;
        } else {
            break;
        }
    }
    int exponent = 0;
    if (i < printed.size() && (printed[i] == 'e' || printed[i] == 'E')) {
        const std::string rest(printed.substr(i + 1));
        char* end = nullptr;
        exponent = static_cast<int>(std::strtol(rest.c_str(), &end, 10));
        if (end == rest.c_str() || *end != '\0') return tolerance;
    } else if (i != printed.size()) {
        return tolerance;
    }
    if (significant < 4) return tolerance;
    // Half a unit of the last digit, a hair wider so that a value printed by rounding always fits.
    const double half_unit = 0.5 * std::pow(10.0, static_cast<double>(exponent - decimals)) * (1 + 1e-9);
    return std::max(tolerance, half_unit);
}

namespace {

/// The given rows of a prediction array, in order.
NpyArray rows_of(NpyView pred, const std::vector<std::size_t>& rows) {
    std::vector<double> values;
    values.reserve(rows.size() * pred.cols);
    for (std::size_t r : rows) values.insert(values.end(), pred.row(r).begin(), pred.row(r).end());
    return pred.one_dimensional ? NpyArray::vector(std::move(values)) : NpyArray::matrix(std::move(values), rows.size(), pred.cols);
}

std::vector<double> truth_of(const TargetEncoding& target, const std::vector<std::size_t>& rows) {
    std::vector<double> out;
    out.reserve(rows.size());
    for (std::size_t r : rows) out.push_back(target.values[r]);
    return out;
}

}  // namespace

double score_rows(const Metric& metric, const TargetEncoding& target, NpyView pred, const std::vector<std::size_t>& rows,
                  const std::string& name) {
    const std::vector<double> truth = truth_of(target, rows);
    return score_predictions(metric, target, truth, rows_of(pred, rows), name);
}

namespace {

std::string fold_scores_text(const std::vector<double>& folds) {
    std::string out;
    for (double s : folds) out += (out.empty() ? "" : ", ") + (std::isfinite(s) ? fmt(s) : std::string("-"));
    return out;
}

}  // namespace

FoldScores score_folds(const Metric& metric, const TargetEncoding& target, std::span<const int> fold, NpyView oof,
                       const std::string& name) {
    FoldScores scores;
    if (fold.empty()) {
        scores.cv = score_predictions(metric, target, oof, name);
        scores.rows = oof.rows;
        return scores;
    }
    if (fold.size() != target.rows())
        throw MetricError(name + ": the fold assignment has " + std::to_string(fold.size()) + " rows, the target " +
                          std::to_string(target.rows()) + "; the folds belong to another train.csv");
    if (oof.rows != target.rows()) check_prediction_array(metric, target, oof, target.rows(), name);  // names the shape
    int folds = 0;
    std::vector<std::size_t> validated;
    for (std::size_t r = 0; r < fold.size(); ++r) {
        if (fold[r] == kNotValidated) continue;
        validated.push_back(r);
        folds = std::max(folds, fold[r] + 1);
        for (double v : oof.row(r))
            if (!std::isfinite(v))
                throw MetricError(name + ": row " + std::to_string(r) + " (validated in fold " + std::to_string(fold[r] + 1) +
                                  ") is " + fmt(v) + "; every row of a validation fold must be predicted");
    }
    scores.rows = validated.size();
    scores.cv = validated.size() == oof.rows ? score_predictions(metric, target, oof, name)
                                             : score_rows(metric, target, oof, validated, name);
    std::vector<std::vector<std::size_t>> rows(static_cast<std::size_t>(folds));
    for (std::size_t r : validated) rows[static_cast<std::size_t>(fold[r])].push_back(r);
    for (int k = 0; k < folds; ++k) {
        try {
            scores.folds.push_back(score_rows(metric, target, oof, rows[static_cast<std::size_t>(k)], name));
        } catch (const MetricError& e) {  // e.g. one class only among a small fold's rows (AUC)
            scores.folds.push_back(std::numeric_limits<double>::quiet_NaN());
            scores.notes.push_back("fold " + std::to_string(k + 1) + ": " + e.what());
        }
    }
    return scores;
}

CvVerification verify_cv(const Metric& metric, const TargetEncoding& target, const fs::path& oof,
                         std::optional<double> claimed, double tolerance, std::span<const int> fold) {
    CvVerification v;
    v.claimed = claimed;
    try {
        NpyArray pred = read_npy(oof);
        FoldScores scores = score_folds(metric, target, fold, pred, oof.string());
        v.recomputed = scores.cv;
        v.fold_scores = std::move(scores.folds);
        v.rows = scores.rows;
        v.valid = std::isfinite(v.recomputed);
        if (!v.valid) {
            v.message = oof.string() + ": " + metric.name() + " is " + fmt(v.recomputed) + "; the predictions cannot be scored";
            return v;
        }
    } catch (const Error& e) {
        v.message = e.what();
        return v;
    }
    std::string recomputed = metric.name() + " recomputed from " + oof.filename().string() + ": " + fmt(v.recomputed);
    if (!v.fold_scores.empty())
        recomputed += " over " + std::to_string(v.rows) + " validated rows (folds: " + fold_scores_text(v.fold_scores) + ")";
    if (!claimed) {
        v.message = recomputed + " (no score was claimed)";
    } else if (!std::isfinite(*claimed)) {
        v.message = recomputed + "; the claimed score is not a number";
    } else {
        double diff = std::fabs(*claimed - v.recomputed);
        v.agree = diff <= tolerance;
        v.message = recomputed + (v.agree ? ", agrees with the claimed " : ", MISMATCH with the claimed ") + fmt(*claimed) +
                    " (|difference| " + fmt(diff) + (v.agree ? " <= " : " > ") + "tolerance " + fmt(tolerance) + ")" +
                    (v.agree ? "" : "; the recomputed value is used");
    }
    return v;
}

CvVerification verify_cv(const Metric& metric, const CompetitionInfo& competition, const fs::path& oof,
                         std::optional<double> claimed, double tolerance) {
    TargetEncoding target = load_train_target(competition, metric.prediction_kind());
    std::vector<int> fold;
    try {
        fold = load_folds(competition);
    } catch (const Error& e) {
        CvVerification v;
        v.claimed = claimed;
        v.message = std::string("the fold assignment cannot be made: ") + e.what();
        return v;
    }
    return verify_cv(metric, target, oof, claimed, tolerance, fold);
}

std::size_t count_test_rows(const CompetitionInfo& competition) {
    auto header = read_csv_header(competition.test_csv);
    CsvTable t = read_csv(competition.test_csv, {header.empty() ? std::string() : header.front()});
    return t.rows();
}

CheckResult check_test_predictions(const Metric& metric, const TargetEncoding& target, std::size_t test_rows,
                                   const fs::path& test_npy) {
    CheckResult result;
    try {
        NpyArray pred = read_npy(test_npy);
        check_prediction_array(metric, target, pred, test_rows, test_npy.string());
    } catch (const Error& e) {
        result.add(e.what());
    }
    return result;
}

CheckResult check_test_predictions(const Metric& metric, const CompetitionInfo& competition, const fs::path& test_npy) {
    TargetEncoding target = load_train_target(competition, metric.prediction_kind());
    return check_test_predictions(metric, target, count_test_rows(competition), test_npy);
}

namespace {

/// How the sample submission's target columns map onto prediction columns.
struct SubmissionLayout {
    enum class Kind { value, probability, class_columns, label, label_list } kind = Kind::value;
    std::string id_column;
    std::vector<std::string> header;             ///< the sample's header, in order
    std::vector<std::size_t> class_of_column;    ///< class_columns: header index -> class index
    std::size_t k = 0;                           ///< label_list: labels per row
};

std::string id_column_of(const CompetitionInfo& c, const std::vector<std::string>& header, const fs::path& file) {
    if (header.empty()) throw Error(file.string() + ": no header");
    if (!c.id_column.empty() && std::find(header.begin(), header.end(), c.id_column) != header.end()) return c.id_column;
    if (!c.id_column.empty() && header.size() > 1)
        throw ConfigError(file.string() + ": no id column '" + c.id_column + "'; set id_column in config.json to one of its columns");
    return header.front();
}

SubmissionLayout submission_layout(const CompetitionInfo& c, const Metric& metric, const TargetEncoding& target) {
    SubmissionLayout l;
    l.header = read_csv_header(c.sample_submission_csv);
    l.id_column = id_column_of(c, l.header, c.sample_submission_csv);
    std::vector<std::size_t> targets;
    for (std::size_t i = 0; i < l.header.size(); ++i)
        if (l.header[i] != l.id_column) targets.push_back(i);
    const std::string sample = c.sample_submission_csv.string();
    if (targets.empty()) throw Error(sample + ": only the id column '" + l.id_column + "'; a target column is needed");
    if (targets.size() > 1) {
        if (!target.classification)
            throw Error(sample + ": " + std::to_string(targets.size()) +
                        " target columns, but the task is not classification; check task_type in config.json");
        l.kind = SubmissionLayout::Kind::class_columns;
        l.class_of_column.assign(l.header.size(), 0);
        for (std::size_t i : targets) {
            const std::string& col = l.header[i];
            auto idx = target.class_index(col);
            if (!idx && !c.target_column.empty() && col.starts_with(c.target_column + "_"))
                idx = target.class_index(std::string_view(col).substr(c.target_column.size() + 1));
            if (!idx) {
                std::string known;
                for (const auto& n : target.class_names) known += (known.empty() ? "'" : ", '") + n + "'";
                throw Error(sample + ": column '" + col + "' names no training class (classes: " + known +
                            "); columns must be the class names or <target>_<class>");
            }
            l.class_of_column[i] = *idx;
        }
        return l;
    }
    const SubmissionFormat format = metric.submission_format();
    if (target.text || !target.classification) {
        l.kind = SubmissionLayout::Kind::value;
    } else if (format.kind == SubmissionFormat::Kind::label_list) {
        l.kind = SubmissionLayout::Kind::label_list;
        l.k = std::max<std::size_t>(format.labels, 1);
    } else if (format.kind == SubmissionFormat::Kind::label) {
        l.kind = SubmissionLayout::Kind::label;
    } else if (target.binary()) {
        l.kind = SubmissionLayout::Kind::probability;
    } else {
        l.kind = SubmissionLayout::Kind::label;  // one column for a multiclass target: the predicted class
    }
    return l;
}

}  // namespace

void make_submission(const CompetitionInfo& competition, const Metric& metric, const TargetEncoding& target,
                     const NpyArray& test, const fs::path& out_csv) {
    SubmissionLayout layout = submission_layout(competition, metric, target);
    auto test_header = read_csv_header(competition.test_csv);
    std::string id_col = std::find(test_header.begin(), test_header.end(), layout.id_column) != test_header.end()
                             ? layout.id_column
                             : std::string();
    CsvTable ids = id_col.empty() ? read_csv(competition.sample_submission_csv, {layout.id_column})
                                  : read_csv(competition.test_csv, {id_col});
    const CsvColumn& id = ids.column(layout.id_column);
    const std::string test_name = "test predictions";
    if (test.rows != id.size())
        throw MetricError(test_name + " " + test.shape_text() + ": " + std::to_string(test.rows) + " rows, but " +
                          ids.path().string() + " has " + std::to_string(id.size()) + " rows");
    std::size_t want = expected_prediction_columns(target);
    if (layout.kind != SubmissionLayout::Kind::label && test.cols != want)
        throw MetricError(test_name + " " + test.shape_text() + ": expected " + std::to_string(want) + " column(s)");
    for (double v : test.data)
        if (!std::isfinite(v)) throw MetricError(test_name + ": contains a non-finite value");

    std::string out;
    out.reserve(test.rows * (16 + 20 * std::max<std::size_t>(test.cols, 1)));
    for (std::size_t i = 0; i < layout.header.size(); ++i) out += (i ? "," : "") + csv_quote(layout.header[i]);
    out += '\n';
    for (std::size_t r = 0; r < test.rows; ++r) {
        auto row = test.row(r);
        for (std::size_t i = 0; i < layout.header.size(); ++i) {
            if (i) out += ',';
            if (layout.header[i] == layout.id_column) {
                out += csv_quote(id[r]);
                continue;
            }
            switch (layout.kind) {
            case SubmissionLayout::Kind::value:
            case SubmissionLayout::Kind::probability: out += format_number(row[0]); break;
            case SubmissionLayout::Kind::class_columns: {
                std::size_t cls = layout.class_of_column[i];
                double p = test.cols == 1 ? (cls == 1 ? row[0] : 1.0 - row[0]) : row[cls];
                out += format_number(p);
                break;
            }
            case SubmissionLayout::Kind::label: {
                std::size_t cls = test.cols > 1 ? argmax(row) : target.binary() ? (row[0] > 0.5 ? 1 : 0)
                                                                                 : static_cast<std::size_t>(std::max(0.0, std::round(row[0])));
                if (cls >= target.num_classes())
                    throw MetricError(test_name + ": row " + std::to_string(r) + " predicts class index " + std::to_string(cls) +
                                      ", but there are " + std::to_string(target.num_classes()) + " classes");
                out += csv_quote(target.class_names[cls]);
                break;
            }
            case SubmissionLayout::Kind::label_list: {
                std::string labels;
                for (std::size_t cls : top_k(row, layout.k)) labels += (labels.empty() ? "" : " ") + target.class_names[cls];
                out += csv_quote(labels);
                break;
            }
            }
        }
        out += '\n';
    }
    atomic_write(out_csv, out);
}

void make_submission(const CompetitionInfo& competition, const Metric& metric, const fs::path& test_npy,
                     const fs::path& out_csv) {
    TargetEncoding target = load_train_target(competition, metric.prediction_kind());
    make_submission(competition, metric, target, read_npy(test_npy), out_csv);
}

CheckResult check_submission(const CompetitionInfo& competition, const Metric& metric, const fs::path& csv) {
    CheckResult result;
    const std::string name = csv.string();
    CsvTable sample = read_csv(competition.sample_submission_csv);
    CsvTable sub;
    try {
        sub = read_csv(csv);
    } catch (const Error& e) {
        result.add(e.what());
        return result;
    }
    const std::string id_col = id_column_of(competition, sample.header(), competition.sample_submission_csv);

    // Columns: the same set (order may differ).
    for (const auto& c : sample.header())
        if (!sub.has_column(c)) result.add(name + ": column '" + c + "' is missing (sample_submission.csv has it)");
    for (const auto& c : sub.header())
        if (!sample.has_column(c)) result.add(name + ": column '" + c + "' is not in sample_submission.csv; remove it");
    if (!result.ok()) return result;

    if (sub.rows() != sample.rows())
        result.add(name + ": " + std::to_string(sub.rows()) + " rows, sample_submission.csv has " + std::to_string(sample.rows()));

    // Ids: same set, no duplicates.
    const CsvColumn& sample_ids = sample.column(id_col);
    const CsvColumn& ids = sub.column(id_col);
    std::unordered_set<std::string_view> expected;
    expected.reserve(sample_ids.size());
    for (std::size_t r = 0; r < sample_ids.size(); ++r) expected.insert(sample_ids[r]);
    std::unordered_set<std::string_view> seen;
    seen.reserve(ids.size());
    std::size_t reported = 0;
    for (std::size_t r = 0; r < ids.size() && reported < 20; ++r) {
        if (!seen.insert(ids[r]).second) {
            result.add(sub.where(r, id_col) + ": id '" + std::string(ids[r]) + "' appears twice");
            ++reported;
        } else if (!expected.count(ids[r])) {
            result.add(sub.where(r, id_col) + ": id '" + std::string(ids[r]) + "' is not in sample_submission.csv");
            ++reported;
        }
    }
    std::size_t missing = 0;
    for (std::size_t r = 0; r < sample_ids.size(); ++r) {
        if (!seen.count(sample_ids[r])) {
            if (missing < 5) result.add(name + ": id '" + std::string(sample_ids[r]) + "' from sample_submission.csv is missing");
            ++missing;
        }
    }
    if (missing > 5) result.add(name + ": " + std::to_string(missing) + " ids of sample_submission.csv are missing in total");

    // Values: none missing; numbers where the sample has numbers; probabilities within [0, 1].
    const bool probabilities = metric.prediction_kind() == PredictionKind::probability;
    for (const auto& c : sample.header()) {
        if (c == id_col) continue;
        const CsvColumn& col = sub.column(c);
        const bool numeric = sample.rows() > 0 && sample.is_numeric(c);
        std::size_t bad = 0;
        for (std::size_t r = 0; r < col.size() && bad < 20; ++r) {
            std::string_view cell = col[r];
            double v = 0;
            if (cell.empty()) {
                result.add(sub.where(r, c) + ": missing value");
                ++bad;
            } else if (numeric && (!parse_number(cell, v) || !std::isfinite(v))) {
                result.add(sub.where(r, c) + ": '" + std::string(cell.substr(0, 40)) + "' is not a finite number");
                ++bad;
            } else if (numeric && probabilities && (v < 0.0 || v > 1.0)) {
                result.add(sub.where(r, c) + ": " + std::string(cell) + " is outside [0, 1]; " + metric.name() +
                           " needs probabilities");
                ++bad;
            }
        }
    }
    return result;
}

}  // namespace autokaggle::metrics
