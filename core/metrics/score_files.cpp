#include "metrics/score_files.hpp"

#include "metrics/csv.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"
#include "metrics/verify.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <span>
#include <unordered_map>

namespace autokaggle::metrics {

namespace fs = std::filesystem;

namespace {

bool is_npy(const fs::path& p) { return p.extension() == ".npy"; }

/// A loaded side (truth or predictions): a CSV table with the chosen columns, or a .npy array
/// (read in place when it is float64, see NpyFile).
struct Side {
    ColumnSpec spec;
    std::optional<CsvTable> csv;
    std::vector<std::string> columns;  ///< CSV value columns used
    std::optional<NpyFile> npy_file;
    NpyArray npy_column;               ///< the FILE:INDEX column, when one is named
    NpyView npy;                       ///< the whole file or the named column
    std::vector<std::size_t> order;    ///< row order after id alignment (identity when empty)
    std::size_t rows() const { return csv ? csv->rows() : npy.rows; }
    std::size_t row(std::size_t r) const { return order.empty() ? r : order[r]; }
};

NpyArray select_npy_column(NpyView a, const ColumnSpec& spec) {
    std::size_t c = 0;
    const std::string& text = *spec.column;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), c);
    if (ec != std::errc() || ptr != text.data() + text.size())
        throw ConfigError(spec.file.string() + ": column '" + text + "' of a .npy file must be a column index (0.." +
                          std::to_string(a.cols ? a.cols - 1 : 0) + ")");
    if (c >= a.cols)
        throw ConfigError(spec.file.string() + ": column index " + text + " is outside the shape " + a.shape_text());
    std::vector<double> col(a.rows);
    for (std::size_t r = 0; r < a.rows; ++r) col[r] = a.at(r, c);
    return NpyArray::vector(std::move(col));
}

std::string list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
}

/// Aligns `pred` rows to `truth` rows by the id column.
std::vector<std::size_t> align_by_id(const CsvTable& truth, const CsvTable& pred, const std::string& id) {
    const CsvColumn& t = truth.column(id);
    const CsvColumn& p = pred.column(id);
    if (t.size() != p.size())
        throw MetricError("length mismatch: " + truth.path().string() + " has " + std::to_string(t.size()) + " rows, " +
                          pred.path().string() + " has " + std::to_string(p.size()));
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(p.size());
    for (std::size_t r = 0; r < p.size(); ++r)
        if (!index.emplace(p[r], r).second) throw MetricError(pred.where(r, id) + ": id '" + std::string(p[r]) + "' appears twice");
    std::vector<std::size_t> order(t.size());
    for (std::size_t r = 0; r < t.size(); ++r) {
        auto it = index.find(t[r]);
        if (it == index.end())
            throw MetricError(truth.where(r, id) + ": id '" + std::string(t[r]) + "' has no row in " + pred.path().string());
        order[r] = it->second;
    }
    return order;
}

/// The largest value, NaN aside (as std::max over the values would give), in four independent
/// running maxima so that the pass over a large truth file is not one long dependency chain.
double largest(std::span<const double> values) {
    constexpr double kLowest = -std::numeric_limits<double>::infinity();
    double lane[4] = {kLowest, kLowest, kLowest, kLowest};
    std::size_t i = 0;
    for (; i + 4 <= values.size(); i += 4)
        for (std::size_t l = 0; l < 4; ++l) lane[l] = std::max(lane[l], values[i + l]);
    for (; i < values.size(); ++i) lane[0] = std::max(lane[0], values[i]);
    return std::max({lane[0], lane[1], lane[2], lane[3]});
}

/// A column of numbers with a few cells that are not (a typo, "NA", an empty cell) would be read
/// as text, silently changing what is scored: an error naming the first such cell. A column that
/// is mostly text (class labels) or holds label lists ("oak elm ash", for map@k) is text.
void refuse_stray_text(const CsvTable& table, const std::string& column) {
    const CsvColumn& c = table.column(column);
    std::size_t numbers = 0, others = 0, first_other = 0;
    double v = 0;
    for (std::size_t r = 0; r < c.size(); ++r) {
        if (parse_number(c[r], v)) {
            ++numbers;
            continue;
        }
        const std::string_view cell = c[r];
        const auto word = cell.find_first_not_of(" \t");
        if (word != std::string_view::npos && cell.find_first_of(" \t", word) < cell.find_last_not_of(" \t")) return;
        if (others++ == 0) first_other = r;
    }
    if (others == 0 || numbers <= others) return;
    const std::string_view cell = c[first_other];
    throw MetricError(table.where(first_other, column) + ": " +
                      (cell.empty() ? std::string("an empty cell") : "'" + std::string(cell.substr(0, 40)) + "'") +
                      " is not a number, while " + std::to_string(numbers) + " of the column's " +
                      std::to_string(c.size()) + " cells are" +
                      (others > 1 ? " (" + std::to_string(others) + " cells are not)" : std::string()) +
                      "; fix the cell or fill the missing value");
}

bool integer_cells(const CsvTable& table, const std::string& column) {
    const CsvColumn& c = table.column(column);
    double v = 0;
    for (std::size_t r = 0; r < c.size(); ++r)
        if (!parse_number(c[r], v) || v != static_cast<double>(static_cast<long long>(v))) return false;
    return true;
}

}  // namespace

ColumnSpec parse_column_spec(const std::string& text) {
    std::error_code ec;
    if (fs::exists(text, ec)) return {text, std::nullopt};
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return {text, std::nullopt};
    return {text.substr(0, colon), text.substr(colon + 1)};
}

ScoreReport score_files(const Metric& metric, const ColumnSpec& truth_spec, const ColumnSpec& pred_spec,
                        const std::optional<std::string>& id_option) {
    for (const auto* s : {&truth_spec, &pred_spec})
        if (!fs::exists(s->file)) throw ConfigError(s->file.string() + ": no such file");
    ScoreReport report;
    report.metric = metric.name();
    report.direction = metric.direction();
    const PredictionKind kind = metric.prediction_kind();

    Side truth, pred;
    truth.spec = truth_spec;
    pred.spec = pred_spec;
    // Id column: both sides CSV and both have it.
    std::string id;
    if (!is_npy(truth.spec.file) && !is_npy(pred.spec.file)) {
        auto th = read_csv_header(truth.spec.file);
        auto ph = read_csv_header(pred.spec.file);
        if (id_option) {
            id = *id_option;
            if (std::find(th.begin(), th.end(), id) == th.end() || std::find(ph.begin(), ph.end(), id) == ph.end())
                throw ConfigError("--id " + id + ": both files need that column (" + truth.spec.file.string() + " has " + list(th) +
                                  "; " + pred.spec.file.string() + " has " + list(ph) + ")");
        } else if (!th.empty() && std::find(ph.begin(), ph.end(), th.front()) != ph.end() && th.size() > 1 &&
                   (!truth.spec.column || *truth.spec.column != th.front())) {
            id = th.front();
        }
    }
    auto value_columns = [&](const fs::path& file, const std::optional<std::string>& column, bool many) {
        auto header = read_csv_header(file);
        if (column) return std::vector<std::string>{*column};
        std::vector<std::string> cols;
        for (const auto& h : header)
            if (h != id) cols.push_back(h);
        if (cols.empty()) throw ConfigError(file.string() + ": no value column besides the id column '" + id + "'");
        if (cols.size() > 1 && !many)
            throw ConfigError(file.string() + ": several columns (" + list(cols) + "); name one as " + file.string() + ":COLUMN");
        return cols;
    };
    auto load = [&](Side& side, bool many) {
        if (is_npy(side.spec.file)) {
            side.npy = side.npy_file.emplace(side.spec.file).view();
            if (side.spec.column) {
                side.npy_column = select_npy_column(side.npy, side.spec);
                side.npy = side.npy_column.view();
            }
            return;
        }
        side.columns = value_columns(side.spec.file, side.spec.column, many);
        std::vector<std::string> wanted = side.columns;
        if (!id.empty()) wanted.push_back(id);
        side.csv = read_csv(side.spec.file, wanted);
    };
    load(truth, false);
    load(pred, true);
    if (!id.empty()) {
        pred.order = align_by_id(*truth.csv, *pred.csv, id);
        report.id_column = id;
    }
    if (truth.rows() != pred.rows())
        throw MetricError("length mismatch: " + truth.spec.file.string() + " has " + std::to_string(truth.rows()) + " rows, " +
                          pred.spec.file.string() + " has " + std::to_string(pred.rows()));
    const std::size_t n = truth.rows();
    report.rows = n;

    if (kind != PredictionKind::text) {
        if (truth.csv) refuse_stray_text(*truth.csv, truth.columns[0]);
        if (pred.csv)
            for (const auto& c : pred.columns) refuse_stray_text(*pred.csv, c);
    }

    // Text predictions: bleu, or map@k / ndcg@k from label lists.
    const bool pred_is_text = pred.csv && pred.columns.size() == 1 && !pred.csv->is_numeric(pred.columns[0]);
    if (kind == PredictionKind::text || (kind == PredictionKind::score && pred_is_text)) {
        if (!truth.csv || !pred.csv)
            throw ConfigError("metric " + metric.name() + " compares text: give CSV columns for --truth and --pred");
        std::vector<std::string> truth_text(n), pred_text(n);
        const CsvColumn& tc = truth.csv->column(truth.columns[0]);
        const CsvColumn& pc = pred.csv->column(pred.columns[0]);
        for (std::size_t r = 0; r < n; ++r) {
            truth_text[r] = std::string(tc[r]);
            pred_text[r] = std::string(pc[pred.row(r)]);
        }
        MetricInput in;
        in.truth_text = truth_text;
        in.pred_text = pred_text;
        report.score = metric.score(in);
        return report;
    }

    // Label metrics on predicted labels (text, or integers): both sides encoded by the sorted
    // union of their labels, so that "cat"/"dog" or 3/5/7 compare as classes.
    if (kind == PredictionKind::label && truth.csv && pred.csv && pred.columns.size() == 1 &&
        (pred_is_text || integer_cells(*pred.csv, pred.columns[0]))) {
        const CsvColumn& tc = truth.csv->column(truth.columns[0]);
        const CsvColumn& pc = pred.csv->column(pred.columns[0]);
        CsvColumn both("labels");
        for (std::size_t r = 0; r < n; ++r) both.append(tc[r]);
        for (std::size_t r = 0; r < n; ++r) both.append(pc[r]);
        TargetEncoding target;
        target.classification = true;
        target.class_names = sorted_classes(both);
        target.values = encode_labels(*truth.csv, truth.columns[0], target.class_names);
        std::vector<double> encoded = encode_labels(*pred.csv, pred.columns[0], target.class_names);
        std::vector<double> aligned(n);
        for (std::size_t r = 0; r < n; ++r) aligned[r] = encoded[pred.row(r)];
        MetricInput in;
        in.truth = target.values;
        in.pred = aligned;
        in.class_names = target.class_names;
        report.score = metric.score(in);
        return report;
    }

    // Numeric predictions as an array (rows in truth order).
    NpyArray pred_from_csv;
    NpyView p = pred.npy;
    std::vector<std::string> pred_class_names;
    if (pred.csv) {
        const std::size_t cols = pred.columns.size();
        std::vector<std::vector<double>> values;
        for (const auto& c : pred.columns) values.push_back(pred.csv->numbers(c));
        std::vector<double> data(n * cols);
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t c = 0; c < cols; ++c) data[r * cols + c] = values[c][pred.row(r)];
        pred_from_csv = NpyArray::matrix(std::move(data), n, cols);
        pred_from_csv.one_dimensional = cols == 1;
        p = pred_from_csv.view();
        if (cols > 1) pred_class_names = pred.columns;
    }

    TargetEncoding target;
    target.source = truth.spec.file.filename().string();
    if (truth.csv) {
        const std::string& col = truth.columns[0];
        if (kind == PredictionKind::value) {
            target = encode_target(*truth.csv, col, TargetKind::regression);
        } else if (!pred_class_names.empty()) {
            target.classification = true;
            target.class_names = pred_class_names;
            target.values = encode_labels(*truth.csv, col, target.class_names);
        } else {
            target = encode_target(*truth.csv, col, TargetKind::classification);
        }
    } else {
        if (truth.npy.cols != 1)
            throw ConfigError(truth.spec.file.string() + ": shape " + truth.npy.shape_text() + "; the truth needs one column (name it as FILE:INDEX)");
        if (kind != PredictionKind::value) {
            // class indices already; classes 0..max
            double top = std::max(1.0, largest(truth.npy.data));
            if (p.cols > 1) top = std::max(top, static_cast<double>(p.cols - 1));
            target.classification = true;
            for (std::size_t c = 0; c <= static_cast<std::size_t>(top) && c < 1'000'000; ++c) target.class_names.push_back(std::to_string(c));
        }
        // the truth is scored where it lies, in the file's mapping
        report.score = score_predictions(metric, target, truth.npy.data, p, pred.spec.file.string());
        return report;
    }
    report.score = score_predictions(metric, target, p, pred.spec.file.string());
    return report;
}

}  // namespace autokaggle::metrics
