// The competition's fold assignment: each strategy's invariants (sizes, stratification, groups
// never split, time order and gap, determinism from the seed), the files ensure_folds writes,
// and scoring an OOF array fold by fold.
#include "support/metric_checks.hpp"

#include "metrics/folds.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"
#include "metrics/verify.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace autokaggle::metrics;
using autokaggle::test::TempDir;
namespace fs = std::filesystem;
using autokaggle::test::write_text;
using metrics_test::metric;
using metrics_test::require_error;

namespace {

std::vector<std::size_t> fold_sizes(const FoldAssignment& a) {
    std::vector<std::size_t> sizes(static_cast<std::size_t>(a.folds), 0);
    for (int f : a.fold)
        if (f >= 0) ++sizes[static_cast<std::size_t>(f)];
    return sizes;
}

/// Every row validates exactly one fold and trains every other one.
void check_k_fold_layout(const FoldAssignment& a, std::size_t rows, int k) {
    BOOST_TEST(a.rows() == rows);
    BOOST_TEST(a.folds == k);
    BOOST_TEST(a.fit.size() == rows * static_cast<std::size_t>(k));
    for (std::size_t r = 0; r < rows; ++r) {
        BOOST_REQUIRE(a.fold[r] >= 0);
        BOOST_REQUIRE(a.fold[r] < k);
        for (int j = 0; j < k; ++j) BOOST_REQUIRE(a.fits(r, j) == (a.fold[r] != j));
    }
}

std::size_t spread_of(const std::vector<std::size_t>& sizes) {
    return *std::max_element(sizes.begin(), sizes.end()) - *std::min_element(sizes.begin(), sizes.end());
}

/// Three labels in shares of 50%, 30% and 20%, in a scrambled order.
std::vector<int> labels(std::size_t n) {
    std::vector<int> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t h = i * 7919 % 1000;
        out[i] = h < 500 ? 0 : h < 800 ? 1 : 2;
    }
    return out;
}

/// Groups of 1 to 9 rows, rows of a group not adjacent.
std::vector<int> groups(std::size_t n, int count) {
    std::vector<int> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<int>((i * 37 + i * i / 11) % static_cast<std::size_t>(count));
    return out;
}

/// A competition over CSV text written into `dir`.
autokaggle::CompetitionInfo csv_competition(const TempDir& dir, const std::string& train, std::string strategy) {
    write_text(dir / "train.csv", train);
    autokaggle::CompetitionInfo c = autokaggle::test::competition_files(dir.path(), "binary_classification", "y");
    c.cv_strategy = std::move(strategy);
    c.cv_folds = 3;
    c.seed = 42;
    c.folds_dir = dir / "folds";
    return c;
}

std::string rows_csv(std::size_t n) {
    std::string text = "id,g,t,y\n";
    for (std::size_t i = 0; i < n; ++i)
        text += std::to_string(i) + ",g" + std::to_string(i % 7) + ",2026-01-" + (i % 28 < 9 ? "0" : "") +
                std::to_string(i % 28 + 1) + "," + (i % 3 == 0 ? "yes" : "no") + "\n";
    return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fold_strategies)

BOOST_AUTO_TEST_CASE(kfold_sizes_follow_scikit_learn_and_the_seed_decides_the_rows) {
    const auto a = kfold(103, 5, 42);
    check_k_fold_layout(a, 103, 5);
    BOOST_TEST(fold_sizes(a) == std::vector<std::size_t>({21, 21, 21, 20, 20}));  // the first n % k one larger
    BOOST_TEST(kfold(103, 5, 42).fold == a.fold);                                  // deterministic
    BOOST_TEST(kfold(103, 5, 43).fold != a.fold);                                  // the seed shuffles
    // Shuffled: the first fold is not the first rows.
    BOOST_TEST(a.validation_rows(0) != std::vector<std::size_t>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                                                   16, 17, 18, 19, 20}));
    require_error([] { kfold(3, 5, 1); }, {"cv_folds", "5 folds need at least 5 rows", "3"});
}

BOOST_AUTO_TEST_CASE(stratified_kfold_keeps_each_class_share_within_one_row) {
    const auto y = labels(997);
    const auto a = stratified_kfold(y, 5, 7);
    check_k_fold_layout(a, y.size(), 5);
    BOOST_TEST(spread_of(fold_sizes(a)) <= 1u);
    std::map<int, std::vector<std::size_t>> per_class;
    for (std::size_t r = 0; r < y.size(); ++r) {
        auto& counts = per_class[y[r]];
        counts.resize(5, 0);
        ++counts[static_cast<std::size_t>(a.fold[r])];
    }
    BOOST_TEST(per_class.size() == 3u);
    for (const auto& [label, counts] : per_class) BOOST_TEST(spread_of(counts) <= 1u, "class " << label);
    BOOST_TEST(stratified_kfold(y, 5, 7).fold == a.fold);
    BOOST_TEST(stratified_kfold(y, 5, 8).fold != a.fold);
    const std::vector<int> tiny{0, 0, 1, 1, 2, 2};
    require_error([&] { stratified_kfold(tiny, 3, 1); }, {"every class of the target has fewer than 3 rows"});
}

BOOST_AUTO_TEST_CASE(group_kfold_never_splits_a_group_and_balances_rows) {
    const auto g = groups(600, 40);
    const auto a = group_kfold(g, 5, 3);
    check_k_fold_layout(a, g.size(), 5);
    std::map<int, int> fold_of_group;
    for (std::size_t r = 0; r < g.size(); ++r) {
        auto [it, first] = fold_of_group.emplace(g[r], a.fold[r]);
        BOOST_REQUIRE_MESSAGE(it->second == a.fold[r], "group " << g[r] << " is in two folds");
    }
    const auto sizes = fold_sizes(a);
    BOOST_TEST(spread_of(sizes) <= 30u);  // greedy largest-first: within about one group
    BOOST_TEST(group_kfold(g, 5, 3).fold == a.fold);
    require_error([] { group_kfold(std::vector<int>{0, 1, 0, 1}, 3, 1); }, {"group_column", "2 distinct group(s)", "3 folds"});
}

BOOST_AUTO_TEST_CASE(stratified_group_kfold_never_splits_a_group_and_keeps_class_shares_close) {
    const auto g = groups(900, 90);
    std::vector<int> y(g.size());
    for (std::size_t r = 0; r < y.size(); ++r) y[r] = (g[r] % 3 == 0) ? static_cast<int>(r % 2) : (g[r] % 5 == 0 ? 1 : 0);
    const auto a = stratified_group_kfold(y, g, 5, 11);
    check_k_fold_layout(a, g.size(), 5);
    std::map<int, int> fold_of_group;
    for (std::size_t r = 0; r < g.size(); ++r) {
        auto [it, first] = fold_of_group.emplace(g[r], a.fold[r]);
        BOOST_REQUIRE_MESSAGE(it->second == a.fold[r], "group " << g[r] << " is in two folds");
    }
    double overall = 0;
    for (int v : y) overall += v;
    overall /= static_cast<double>(y.size());
    for (int k = 0; k < 5; ++k) {
        const auto rows = a.validation_rows(k);
        BOOST_REQUIRE(!rows.empty());
        double share = 0;
        for (std::size_t r : rows) share += y[r];
        share /= static_cast<double>(rows.size());
        BOOST_TEST(std::fabs(share - overall) < 0.05, "fold " << k << " share " << share << " overall " << overall);
    }
    BOOST_TEST(stratified_group_kfold(y, g, 5, 11).fold == a.fold);
}

BOOST_AUTO_TEST_CASE(time_series_split_with_a_gap_has_scikit_learns_layout) {
    // 20 rows, 3 folds, gap 2: validation blocks of 20 / 4 = 5 rows at positions 5-9, 10-14,
    // 15-19; fold j fits on positions 0 .. start_j - gap - 1 (sklearn's TimeSeriesSplit(3, gap=2)).
    std::vector<std::size_t> order(20);
    for (std::size_t pos = 0; pos < 20; ++pos) order[pos] = (pos * 7) % 20;  // row of each time position
    const auto a = time_series_split(order, 3, 2);
    BOOST_TEST(a.folds == 3);
    for (std::size_t pos = 0; pos < 20; ++pos) {
        const std::size_t row = order[pos];
        const int expected_fold = pos < 5 ? kNotValidated : static_cast<int>((pos - 5) / 5);
        BOOST_TEST(a.fold[row] == expected_fold, "position " << pos);
        const std::size_t fit_end[3] = {3, 8, 13};
        for (int j = 0; j < 3; ++j) BOOST_TEST(a.fits(row, j) == (pos < fit_end[j]), "position " << pos << " fold " << j);
    }
    // Time order: every fit row is earlier than every validation row of the fold, by more than the gap.
    std::vector<std::size_t> position(20);
    for (std::size_t pos = 0; pos < 20; ++pos) position[order[pos]] = pos;
    for (int j = 0; j < 3; ++j) {
        std::size_t last_fit = 0, first_valid = 20;
        for (std::size_t r = 0; r < 20; ++r) {
            if (a.fits(r, j)) last_fit = std::max(last_fit, position[r]);
            if (a.fold[r] == j) first_valid = std::min(first_valid, position[r]);
        }
        BOOST_TEST(first_valid - last_fit == 3u);  // two rows of gap between them
    }
    BOOST_TEST(a.validated_rows().size() == 15u);
    require_error([&] { time_series_split(order, 3, 6); }, {"TimeSeriesSplit", "cv_gap 6", "20"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(competition_folds)

BOOST_AUTO_TEST_CASE(columns_are_read_from_train_csv_and_named_when_missing) {
    TempDir dir("folds");
    auto c = csv_competition(dir, rows_csv(60), "GroupKFold");
    c.group_column = "gg";
    require_error([&] { make_folds(c); }, {"config.json: group_column", "\"gg\" is not a column of", "did you mean \"g\"?"});
    c.group_column = "g";
    const auto a = make_folds(c);
    for (std::size_t r = 0; r < 60; ++r) BOOST_TEST(a.fold[r] == a.fold[r % 7]);  // one group, one fold
    c.cv_strategy = "TimeSeriesSplit";
    c.time_column = "t";
    const auto t = make_folds(c);
    // Dates sort as text: the latest days (the 28th...) validate the last fold, day 1 trains only.
    BOOST_TEST(t.fold[27] == 2);
    BOOST_TEST(t.fold[0] == kNotValidated);
    c.cv_strategy = "LeaveOneOut";
    require_error([&] { make_folds(c); }, {"cv_strategy", "\"LeaveOneOut\" is not a strategy", "GroupKFold"});
}

BOOST_AUTO_TEST_CASE(a_numeric_target_is_stratified_on_quantile_bins) {
    TempDir dir("folds");
    std::string train = "id,y\n";
    for (int i = 0; i < 200; ++i) train += std::to_string(i) + "," + std::to_string((i * 37) % 200) + ".5\n";
    auto c = csv_competition(dir, train, "StratifiedKFold");
    c.task_type = "regression";
    c.cv_folds = 4;
    const auto a = make_folds(c);
    // Each decile of the target (20 rows) is spread 5-5-5-5 over the 4 folds.
    std::map<int, std::vector<std::size_t>> per_decile;
    for (int i = 0; i < 200; ++i) {
        auto& counts = per_decile[(i * 37) % 200 / 20];
        counts.resize(4, 0);
        ++counts[static_cast<std::size_t>(a.fold[static_cast<std::size_t>(i)])];
    }
    for (const auto& [decile, counts] : per_decile) BOOST_TEST(spread_of(counts) <= 1u, "decile " << decile);
}

BOOST_AUTO_TEST_CASE(ensure_folds_writes_the_assignment_once_per_regime) {
    TempDir dir("folds");
    auto c = csv_competition(dir, rows_csv(60), "StratifiedKFold");
    const auto file = ensure_folds(c);
    BOOST_TEST(file.filename() == "folds.npy");
    BOOST_TEST(file.parent_path().filename().string().rfind("StratifiedKFold-3-seed42-", 0) == 0);
    // int32, one per row: the fold each row validates; fit.npy: bool rows x folds.
    const std::string bytes = autokaggle::test::read_text(file);
    BOOST_TEST(bytes.find("'descr': '<i4'") != std::string::npos);
    BOOST_TEST(bytes.find("'shape': (60,)") != std::string::npos);
    const std::string fit = autokaggle::test::read_text(fit_file_of(file));
    BOOST_TEST(fit.find("'descr': '|b1'") != std::string::npos);
    BOOST_TEST(fit.find("'shape': (60, 3)") != std::string::npos);
    const auto expected = make_folds(c);
    BOOST_TEST(load_folds(c) == expected.fold);
    BOOST_TEST(fit.substr(fit.size() - 180) == std::string(expected.fit.begin(), expected.fit.end()));
    const auto described = boost::json::parse(autokaggle::test::read_text(file.parent_path() / "folds.json")).as_object();
    BOOST_TEST(described.at("rows").to_number<int>() == 60);

    // Unchanged inputs: the same files, not rewritten.
    const auto written = fs::last_write_time(file);
    BOOST_TEST(ensure_folds(c) == file);
    BOOST_TEST((fs::last_write_time(file) == written));
    // What determines the folds changes: a new regime, a new folder; the old one stays.
    auto other_seed = c;
    other_seed.seed = 7;
    BOOST_TEST(ensure_folds(other_seed) != file);
    auto other_time = c;  // ignored by StratifiedKFold: the same folds
    other_time.time_column = "t";
    BOOST_TEST(ensure_folds(other_time) == file);
    write_text(dir / "train.csv", rows_csv(61));
    BOOST_TEST(ensure_folds(c) != file);
    BOOST_TEST(fs::exists(file));
    c.folds_dir.clear();
    require_error([&] { ensure_folds(c); }, {"folds_dir"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fold_scores)

BOOST_AUTO_TEST_CASE(the_cv_is_the_metric_over_every_validated_row_and_folds_are_scored_alone) {
    const auto rmse = metric("rmse");
    TargetEncoding target;
    target.values = {1, 2, 3, 4, 5, 6, 7, 8};
    const std::vector<int> fold{kNotValidated, kNotValidated, 0, 0, 1, 1, 2, 2};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto oof = NpyArray::vector({nan, nan, 3, 5, 5, 6, 7, 10});  // errors 0,1 | 0,0 | 0,2
    const auto scores = score_folds(*rmse, target, fold, oof, "R01_oof.npy");
    BOOST_TEST(scores.rows == 6u);
    BOOST_TEST(scores.cv == std::sqrt(5.0 / 6.0), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(scores.folds.size() == 3u);
    BOOST_TEST(scores.folds[0] == std::sqrt(0.5), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(scores.folds[1] == 0.0);
    BOOST_TEST(scores.folds[2] == std::sqrt(2.0), boost::test_tools::tolerance(1e-12));
    // A validated row left unpredicted is named with its fold.
    const auto hole = NpyArray::vector({nan, nan, 3, 5, nan, 6, 7, 10});
    require_error([&] { score_folds(*rmse, target, fold, hole, "R01_oof.npy"); },
                  {"R01_oof.npy", "row 4", "fold 2", "every row of a validation fold must be predicted"});
}

BOOST_AUTO_TEST_CASE(a_fold_that_cannot_be_scored_alone_keeps_the_cv) {
    const auto auc = metric("auc_roc");
    TargetEncoding target;
    target.classification = true;
    target.class_names = {"0", "1"};
    target.values = {0, 0, 0, 1, 1, 0};
    const std::vector<int> fold{0, 0, 1, 1, 1, 0};  // fold 1 holds one class only
    const auto oof = NpyArray::vector({0.1, 0.2, 0.3, 0.8, 0.7, 0.4});
    const auto scores = score_folds(*auc, target, fold, oof, "oof");
    BOOST_TEST(scores.cv == 1.0);
    BOOST_TEST(std::isnan(scores.folds[0]));
    BOOST_TEST(scores.folds[1] == 1.0);
    BOOST_TEST(scores.notes.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(campaign_support)

class FixedMetric final : public autokaggle::Metric {
public:
    FixedMetric(std::string name, autokaggle::PredictionKind kind) : name_(std::move(name)), kind_(kind) {}
    std::string name() const override { return name_; }
    autokaggle::Direction direction() const override { return autokaggle::Direction::higher; }
    autokaggle::PredictionKind prediction_kind() const override { return kind_; }
    double score(const autokaggle::MetricInput&) const override { return 0; }

private:
    std::string name_;
    autokaggle::PredictionKind kind_;
};

BOOST_AUTO_TEST_CASE(what_a_campaign_cannot_carry_is_named) {
    using Kind = autokaggle::PredictionKind;
    BOOST_TEST(campaign_gaps("binary_classification", FixedMetric("auc_roc", Kind::score)).empty());
    BOOST_TEST(campaign_gaps("binary_classification", FixedMetric("accuracy", Kind::label)).empty());
    BOOST_TEST(campaign_gaps("regression", FixedMetric("medae", Kind::value)).empty());
    BOOST_TEST(campaign_gaps("regression", FixedMetric("qwk", Kind::label)).empty());
    BOOST_TEST(campaign_gaps("multiclass_classification", FixedMetric("logloss", Kind::probability)).empty());
    const auto bleu = campaign_gaps("nlp_generation", FixedMetric("bleu", Kind::text));
    BOOST_TEST(bleu.size() == 2u);
    BOOST_TEST(bleu[0].find("task_type nlp_generation predicts generated text") != std::string::npos);
    BOOST_TEST(bleu[1].find("metric bleu scores text predictions, which a numeric .npy cannot hold") != std::string::npos);
    const auto logloss = campaign_gaps("regression", FixedMetric("logloss", Kind::probability));
    BOOST_TEST(logloss.size() == 1u);
    BOOST_TEST(logloss[0].find("scores class probabilities, but task_type regression predicts values") != std::string::npos);
    BOOST_TEST(campaign_gaps("multiclass_classification", FixedMetric("rmse", Kind::value)).size() == 1u);
    BOOST_TEST(campaign_gaps("object_detection", FixedMetric("map@5", Kind::text)).size() == 2u);
    BOOST_TEST(campaign_gaps("multilabel_classification", FixedMetric("f1", Kind::label)).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
