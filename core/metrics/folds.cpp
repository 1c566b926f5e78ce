#include "metrics/folds.hpp"

#include "base/atomic_file.hpp"
#include "base/config.hpp"
#include "base/text.hpp"
#include "metrics/mapped_file.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <unordered_map>

namespace autokaggle::metrics {

namespace fs = std::filesystem;

namespace {

/// Bumped when an algorithm below changes, so that a workspace never reuses folds made otherwise.
constexpr std::string_view kFoldsVersion = "folds-v1";

/// NumPy's legacy RandomState(seed) as scikit-learn's splitters use it: MT19937 seeded like
/// std::mt19937 (init_genrand), bounded draws by masked rejection, and shuffle() as Fisher-Yates
/// from the last element. Fully specified, so the folds are the same on every platform, and
/// KFold and StratifiedKFold are row for row scikit-learn's for the same seed.
class NumpyRandomState {
public:
    explicit NumpyRandomState(std::uint64_t seed) : engine_(static_cast<std::uint32_t>(seed)) {}
    /// Uniform in [0, max] (numpy's random_interval; every max here fits 32 bits).
    std::size_t interval(std::size_t max) {
        if (max == 0) return 0;
        std::uint64_t mask = max;
        for (int shift = 1; shift <= 32; shift *= 2) mask |= mask >> shift;
        for (;;) {
            const std::uint64_t value = static_cast<std::uint64_t>(engine_()) & mask;
            if (value <= max) return static_cast<std::size_t>(value);
        }
    }
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[interval(i - 1)]);
    }

private:
    std::mt19937 engine_;
};

std::vector<std::size_t> iota_of(std::size_t n) {
    std::vector<std::size_t> v(n);
    std::iota(v.begin(), v.end(), std::size_t{0});
    return v;
}

std::size_t distinct_count(std::span<const int> ids) {
    return ids.empty() ? 0 : static_cast<std::size_t>(*std::max_element(ids.begin(), ids.end())) + 1;
}

void require_rows(std::size_t rows, int k) {
    if (rows < static_cast<std::size_t>(k))
        throw ConfigError("config.json: cv_folds: " + std::to_string(k) + " folds need at least " + std::to_string(k) +
                          " rows; train.csv has " + std::to_string(rows));
}

/// The K-fold family: every row validates one fold and trains all the others.
FoldAssignment every_other_fold_fits(std::vector<int> fold, int k) {
    FoldAssignment a;
    a.folds = k;
    a.fold = std::move(fold);
    a.fit.assign(a.fold.size() * static_cast<std::size_t>(k), 0);
    for (std::size_t r = 0; r < a.fold.size(); ++r)
        for (int j = 0; j < k; ++j) a.fit[r * static_cast<std::size_t>(k) + static_cast<std::size_t>(j)] = a.fold[r] != j;
    return a;
}

/// Population standard deviation, as numpy.std.
double spread(const std::vector<double>& values) {
    double mean = 0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    double sum = 0;
    for (double v : values) sum += (v - mean) * (v - mean);
    return std::sqrt(sum / static_cast<double>(values.size()));
}

bool close(double a, double b) { return std::fabs(a - b) <= 1e-8 + 1e-5 * std::fabs(b); }  // numpy.isclose

}  // namespace

std::vector<std::size_t> FoldAssignment::validation_rows(int k) const {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < fold.size(); ++r)
        if (fold[r] == k) rows.push_back(r);
    return rows;
}

std::vector<std::size_t> FoldAssignment::validated_rows() const {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < fold.size(); ++r)
        if (fold[r] != kNotValidated) rows.push_back(r);
    return rows;
}

FoldAssignment kfold(std::size_t rows, int k, std::uint64_t seed) {
    require_rows(rows, k);
    std::vector<std::size_t> order = iota_of(rows);
    NumpyRandomState(seed).shuffle(order);
    std::vector<int> fold(rows);
    const std::size_t base = rows / static_cast<std::size_t>(k), larger = rows % static_cast<std::size_t>(k);
    std::size_t at = 0;
    for (int j = 0; j < k; ++j) {
        const std::size_t size = base + (static_cast<std::size_t>(j) < larger ? 1 : 0);
        for (std::size_t i = 0; i < size; ++i) fold[order[at++]] = j;
    }
    return every_other_fold_fits(std::move(fold), k);
}

FoldAssignment stratified_kfold(std::span<const int> label, int k, std::uint64_t seed) {
    require_rows(label.size(), k);
    // scikit-learn's algorithm: classes numbered by first appearance; each fold's share of a
    // class from a round-robin over the sorted labels; each class's fold numbers shuffled.
    std::vector<int> code(distinct_count(label), -1);
    std::vector<int> encoded(label.size());
    int classes = 0;
    for (std::size_t r = 0; r < label.size(); ++r) {
        int& c = code[static_cast<std::size_t>(label[r])];
        if (c < 0) c = classes++;
        encoded[r] = c;
    }
    std::vector<std::vector<std::size_t>> rows_of(static_cast<std::size_t>(classes));
    for (std::size_t r = 0; r < label.size(); ++r) rows_of[static_cast<std::size_t>(encoded[r])].push_back(r);
    std::vector<std::size_t> count;
    for (const auto& rows : rows_of) count.push_back(rows.size());
    const std::size_t largest = *std::max_element(count.begin(), count.end());
    if (largest < static_cast<std::size_t>(k))
        throw ConfigError("config.json: cv_folds: every class of the target has fewer than " + std::to_string(k) +
                          " rows (the largest has " + std::to_string(largest) + "), so no fold can hold each class; "
                          "lower cv_folds or use KFold");
    const auto folds = static_cast<std::size_t>(k);
    std::vector<std::vector<std::size_t>> allocation(folds, std::vector<std::size_t>(count.size(), 0));
    std::size_t position = 0;  // in the sorted labels: position % folds is the fold it counts for
    for (std::size_t c = 0; c < count.size(); ++c)
        for (std::size_t i = 0; i < count[c]; ++i, ++position) ++allocation[position % folds][c];
    NumpyRandomState random(seed);
    std::vector<int> fold(label.size());
    for (std::size_t c = 0; c < count.size(); ++c) {
        std::vector<int> folds_for_class;
        for (std::size_t f = 0; f < folds; ++f) folds_for_class.insert(folds_for_class.end(), allocation[f][c], static_cast<int>(f));
        random.shuffle(folds_for_class);
        for (std::size_t i = 0; i < rows_of[c].size(); ++i) fold[rows_of[c][i]] = folds_for_class[i];
    }
    return every_other_fold_fits(std::move(fold), k);
}

FoldAssignment group_kfold(std::span<const int> group, int k, std::uint64_t seed) {
    const std::size_t groups = distinct_count(group);
    if (groups < static_cast<std::size_t>(k))
        throw ConfigError("config.json: group_column: " + std::to_string(groups) + " distinct group(s) cannot fill " +
                          std::to_string(k) + " folds; lower cv_folds or choose a finer group column");
    std::vector<std::size_t> size(groups, 0);
    for (int g : group) ++size[static_cast<std::size_t>(g)];
    std::vector<std::size_t> order = iota_of(groups);
    NumpyRandomState(seed).shuffle(order);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
    std::vector<std::size_t> fold_rows(static_cast<std::size_t>(k), 0);
    std::vector<int> fold_of_group(groups);
    for (std::size_t g : order) {
        const auto lightest = std::min_element(fold_rows.begin(), fold_rows.end()) - fold_rows.begin();
        fold_of_group[g] = static_cast<int>(lightest);
        fold_rows[static_cast<std::size_t>(lightest)] += size[g];
    }
    std::vector<int> fold(group.size());
    for (std::size_t r = 0; r < group.size(); ++r) fold[r] = fold_of_group[static_cast<std::size_t>(group[r])];
    return every_other_fold_fits(std::move(fold), k);
}

FoldAssignment stratified_group_kfold(std::span<const int> label, std::span<const int> group, int k, std::uint64_t seed) {
    const std::size_t groups = distinct_count(group), labels = distinct_count(label);
    if (groups < static_cast<std::size_t>(k))
        throw ConfigError("config.json: group_column: " + std::to_string(groups) + " distinct group(s) cannot fill " +
                          std::to_string(k) + " folds; lower cv_folds or choose a finer group column");
    std::vector<std::vector<double>> counts(groups, std::vector<double>(labels, 0.0));
    std::vector<double> label_total(labels, 0.0);
    for (std::size_t r = 0; r < label.size(); ++r) {
        counts[static_cast<std::size_t>(group[r])][static_cast<std::size_t>(label[r])] += 1;
        label_total[static_cast<std::size_t>(label[r])] += 1;
    }
    std::vector<std::size_t> order = iota_of(groups);
    NumpyRandomState(seed).shuffle(order);
    std::vector<double> group_spread(groups);
    for (std::size_t g = 0; g < groups; ++g) group_spread[g] = spread(counts[g]);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return group_spread[a] > group_spread[b]; });

    const auto folds = static_cast<std::size_t>(k);
    std::vector<std::vector<double>> fold_counts(folds, std::vector<double>(labels, 0.0));
    std::vector<int> fold_of_group(groups);
    std::vector<double> shares(folds);
    for (std::size_t g : order) {
        std::size_t best = 0;
        double best_eval = std::numeric_limits<double>::infinity(), best_rows = best_eval;
        for (std::size_t candidate = 0; candidate < folds; ++candidate) {
            // How evenly each label would be shared among the folds with the group in `candidate`.
            double eval = 0;
            for (std::size_t c = 0; c < labels; ++c) {
                for (std::size_t f = 0; f < folds; ++f)
                    shares[f] = (fold_counts[f][c] + (f == candidate ? counts[g][c] : 0.0)) / label_total[c];
                eval += spread(shares);
            }
            eval /= static_cast<double>(labels);
            double rows = 0;
            for (double n : fold_counts[candidate]) rows += n;
            if (eval < best_eval || (close(eval, best_eval) && rows < best_rows)) {
                best = candidate;
                best_eval = eval;
                best_rows = rows;
            }
        }
        fold_of_group[g] = static_cast<int>(best);
        for (std::size_t c = 0; c < labels; ++c) fold_counts[best][c] += counts[g][c];
    }
    std::vector<int> fold(group.size());
    for (std::size_t r = 0; r < group.size(); ++r) fold[r] = fold_of_group[static_cast<std::size_t>(group[r])];
    return every_other_fold_fits(std::move(fold), k);
}

FoldAssignment time_series_split(std::span<const std::size_t> time_order, int k, int gap) {
    const std::size_t n = time_order.size(), folds = static_cast<std::size_t>(k), gap_rows = static_cast<std::size_t>(gap);
    const std::size_t block = n / (folds + 1);
    if (block == 0 || n <= gap_rows + block * folds)
        throw ConfigError("config.json: cv_folds: TimeSeriesSplit with " + std::to_string(k) + " folds and cv_gap " +
                          std::to_string(gap) + " needs more than " + std::to_string(std::max(folds + 1, gap_rows + block * folds)) +
                          " rows (validation blocks of n / (folds + 1) rows plus the gap); train.csv has " +
                          std::to_string(n) + "; lower cv_folds or cv_gap");
    FoldAssignment a;
    a.folds = k;
    a.fold.assign(n, kNotValidated);
    a.fit.assign(n * folds, 0);
    const std::size_t first = n - block * folds;
    for (std::size_t pos = first; pos < n; ++pos) a.fold[time_order[pos]] = static_cast<int>((pos - first) / block);
    for (std::size_t j = 0; j < folds; ++j) {
        const std::size_t fit_end = first + j * block - gap_rows;  // positive: checked above
        for (std::size_t pos = 0; pos < fit_end; ++pos) a.fit[time_order[pos] * folds + j] = 1;
    }
    return a;
}

// ---- the competition's folds --------------------------------------------------------------------

namespace {

/// The train.csv columns a strategy reads, with the config key naming each.
std::vector<std::pair<std::string, std::string>> needed_columns(const CompetitionInfo& c) {
    std::vector<std::pair<std::string, std::string>> out;
    if (strategy_stratifies(c.cv_strategy)) out.emplace_back("target_column", c.target_column);
    if (strategy_uses_groups(c.cv_strategy)) out.emplace_back("group_column", c.group_column);
    if (strategy_uses_time(c.cv_strategy)) out.emplace_back("time_column", c.time_column);
    return out;
}

CsvTable read_needed_columns(const CompetitionInfo& c) {
    std::vector<std::string> header = read_csv_header(c.train_csv);
    std::vector<std::string> columns;
    for (const auto& [key, column] : needed_columns(c)) {
        if (column.empty())
            throw ConfigError("config.json: " + key + ": missing; cv_strategy " + c.cv_strategy + " needs it");
        if (std::find(header.begin(), header.end(), column) == header.end()) {
            std::string message = "config.json: " + key + ": \"" + column + "\" is not a column of " +
                                  c.train_csv.string() + " (columns: " + join(header, ", ") + ")";
            if (auto near = nearest(column, header)) message += "; did you mean \"" + *near + "\"?";
            throw ConfigError(message);
        }
        columns.push_back(column);
    }
    // No column needed (KFold): the row count still comes from the file, through its first column.
    if (columns.empty() && !header.empty()) columns.push_back(header.front());
    return read_csv(c.train_csv, columns);
}

/// Stratification labels: the class of each row, or for a numeric target its quantile bin
/// (up to 10 bins, at least two folds' worth of rows in each).
std::vector<int> strata(const CompetitionInfo& c, const CsvTable& table) {
    std::vector<int> out(table.rows());
    if (is_classification_task(c.task_type)) {
        const TargetEncoding target = encode_target(table, c.target_column, TargetKind::classification);
        for (std::size_t r = 0; r < out.size(); ++r) out[r] = static_cast<int>(target.values[r]);
        return out;
    }
    const TargetEncoding target = encode_target(table, c.target_column, TargetKind::regression);
    std::vector<std::size_t> order = iota_of(out.size());
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return target.values[a] < target.values[b]; });
    const std::size_t n = out.size();
    const std::size_t bins = std::clamp<std::size_t>(n / (2 * static_cast<std::size_t>(c.cv_folds)), 1, 10);
    for (std::size_t pos = 0; pos < n; ++pos) out[order[pos]] = static_cast<int>(pos * bins / n);
    return out;
}

/// Group ids in order of first appearance.
std::vector<int> group_ids(const CsvTable& table, std::string_view column) {
    const CsvColumn& cells = table.column(column);
    std::unordered_map<std::string_view, int> ids;
    std::vector<int> out(cells.size());
    for (std::size_t r = 0; r < cells.size(); ++r)
        out[r] = ids.emplace(cells[r], static_cast<int>(ids.size())).first->second;
    return out;
}

/// Rows from earliest to latest: numerically when every cell is a number, else by text (ISO
/// dates and timestamps sort correctly as text); equal times keep file order.
std::vector<std::size_t> time_order(const CsvTable& table, std::string_view column) {
    const CsvColumn& cells = table.column(column);
    for (std::size_t r = 0; r < cells.size(); ++r)
        if (trim(cells[r]).empty())
            throw ConfigError("config.json: time_column: " + table.where(r, column) +
                              " is empty; every row needs a time to be ordered");
    std::vector<std::size_t> order = iota_of(cells.size());
    if (table.is_numeric(column)) {
        const std::vector<double> t = table.numbers(column);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return t[a] < t[b]; });
    } else {
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cells[a] < cells[b]; });
    }
    return order;
}

std::string train_hash(const CompetitionInfo& c) {
    MappedFile file(c.train_csv);
    return content_hash(file.view());
}

/// What determines the folds, one "key=value" per line: only the inputs the strategy reads.
std::string fold_inputs(const CompetitionInfo& c) {
    std::string s = std::string(kFoldsVersion) + "\nstrategy=" + c.cv_strategy + "\nfolds=" + std::to_string(c.cv_folds);
    if (strategy_uses_time(c.cv_strategy)) s += "\ngap=" + std::to_string(c.cv_gap);
    else s += "\nseed=" + std::to_string(c.seed);
    for (const auto& [key, column] : needed_columns(c)) s += "\n" + key + "=" + column;
    if (strategy_stratifies(c.cv_strategy)) s += "\nclasses=" + std::string(is_classification_task(c.task_type) ? "labels" : "bins");
    return s + "\ntrain=" + train_hash(c);
}

std::string npy_of_folds(const FoldAssignment& a) {
    std::vector<std::int32_t> values(a.fold.begin(), a.fold.end());
    return encode_npy("<i4", a.rows(), 1, true,
                      {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(std::int32_t)});
}

std::string npy_of_fit(const FoldAssignment& a) {
    return encode_npy("|b1", a.rows(), static_cast<std::size_t>(a.folds), false,
                      {reinterpret_cast<const char*>(a.fit.data()), a.fit.size()});
}

std::string description_of(const CompetitionInfo& c, const FoldAssignment& a) {
    boost::json::object d;
    d["cv_strategy"] = c.cv_strategy;
    d["cv_folds"] = c.cv_folds;
    if (strategy_uses_time(c.cv_strategy)) d["cv_gap"] = c.cv_gap;
    else d["seed"] = c.seed;
    for (const auto& [key, column] : needed_columns(c)) d[key] = column;
    d["train_csv"] = c.train_csv.string();
    d["rows"] = a.rows();
    boost::json::array sizes;
    for (int k = 0; k < a.folds; ++k) sizes.emplace_back(a.validation_rows(k).size());
    d["validation_rows_per_fold"] = std::move(sizes);
    d["rows_never_validated"] = a.rows() - a.validated_rows().size();
    d["files"] = "folds.npy: int32 per train.csv row, the fold it validates (0-based; -1: none). "
                 "fit.npy: bool, rows x folds, true where the row trains that fold.";
    return boost::json::serialize(d) + "\n";
}

}  // namespace

FoldAssignment make_folds(const CompetitionInfo& c) {
    const int k = c.cv_folds;
    const auto seed = static_cast<std::uint64_t>(c.seed);
    const CsvTable table = read_needed_columns(c);
    if (c.cv_strategy == "KFold") return kfold(table.rows(), k, seed);
    if (c.cv_strategy == "StratifiedKFold") return stratified_kfold(strata(c, table), k, seed);
    if (c.cv_strategy == "GroupKFold") return group_kfold(group_ids(table, c.group_column), k, seed);
    if (c.cv_strategy == "StratifiedGroupKFold")
        return stratified_group_kfold(strata(c, table), group_ids(table, c.group_column), k, seed);
    if (c.cv_strategy == "TimeSeriesSplit") return time_series_split(time_order(table, c.time_column), k, c.cv_gap);
    throw ConfigError("config.json: cv_strategy: \"" + c.cv_strategy + "\" is not a strategy; allowed: " +
                      join(cv_strategies(), ", "));
}

std::string folds_key(const CompetitionInfo& c) {
    std::string name = c.cv_strategy + "-" + std::to_string(c.cv_folds);
    name += strategy_uses_time(c.cv_strategy) ? "-gap" + std::to_string(c.cv_gap) : "-seed" + std::to_string(c.seed);
    return name + "-" + content_hash(fold_inputs(c));
}

fs::path fit_file_of(const fs::path& folds_file) { return folds_file.parent_path() / "fit.npy"; }

fs::path ensure_folds(const CompetitionInfo& c) {
    if (c.folds_dir.empty()) throw ConfigError("no folder for the fold assignment (CompetitionInfo::folds_dir is empty)");
    const fs::path dir = c.folds_dir / folds_key(c);
    const fs::path folds = dir / "folds.npy", description = dir / "folds.json";
    // folds.json is written last: when it is there, so is the rest.
    if (non_empty_file(description) && non_empty_file(folds) && non_empty_file(fit_file_of(folds))) return folds;
    const FoldAssignment a = make_folds(c);
    fs::create_directories(dir);
    atomic_write(folds, npy_of_folds(a));
    atomic_write(fit_file_of(folds), npy_of_fit(a));
    atomic_write(description, description_of(c, a));
    return folds;
}

std::vector<int> load_folds(const CompetitionInfo& c) {
    if (c.cv_strategy.empty()) return {};  // not from config.json, which always sets one
    if (c.folds_dir.empty()) return make_folds(c).fold;
    const fs::path file = ensure_folds(c);
    const NpyArray values = read_npy(file);
    std::vector<int> fold(values.data.size());
    for (std::size_t r = 0; r < fold.size(); ++r) {
        const double v = values.data[r];
        if (!(v >= kNotValidated && v < c.cv_folds) || v != std::floor(v))
            throw Error(file.string() + ": row " + std::to_string(r) + " has fold " + std::to_string(v) + ", outside -1.." +
                        std::to_string(c.cv_folds - 1) + "; delete the folder " + file.parent_path().string() +
                        " and the core writes it again");
        fold[r] = static_cast<int>(v);
    }
    return fold;
}

}  // namespace autokaggle::metrics
