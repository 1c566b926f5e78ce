// The fast paths of the metric engine against plain references: the bucketed two-thread AUC
// and the allocation-free key sort, map@k by rank counting, the fused validation passes (same
// errors as the exact checks) and .npy files read in place.
#include "support/metric_checks.hpp"

#include <autokaggle/support/binary_auc.hpp>
#include "metrics/npy.hpp"
#include <autokaggle/support/radix_sort.hpp>
#include "support/test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>

using namespace metrics_test;
namespace am = autokaggle::metrics;

namespace {

/// AUC the old way: both classes' keys fully radix-sorted, then merged.
double reference_auc(const std::vector<double>& truth, const std::vector<double>& pred) {
    std::vector<std::uint64_t> pos, neg, scratch;
    for (std::size_t i = 0; i < truth.size(); ++i) (truth[i] == 1.0 ? pos : neg).push_back(am::sortable_key(pred[i]));
    am::radix_sort(pos, scratch);
    am::radix_sort(neg, scratch);
    return am::auc_of_sorted(pos, neg);
}

double bucketed_auc(const std::vector<double>& truth, const std::vector<double>& pred, unsigned threads) {
    const am::AucPairs p = am::count_auc_pairs(
        truth.size(), [&](std::size_t i) { return truth[i] == 1.0; }, [&](std::size_t i) { return pred[i]; },
        [](std::size_t) { return true; }, threads);
    return am::auc_of_twice_ordered(p.twice_ordered, p.positives, p.negatives);
}

/// Binary labels and scores; `levels` > 0 rounds scores to that many values (many ties).
void binary_data(std::size_t n, int levels, std::vector<double>& truth, std::vector<double>& pred, unsigned seed = 11) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    truth.resize(n);
    pred.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        truth[i] = u(rng) < 0.3 ? 1.0 : 0.0;
        const double s = u(rng) + 0.3 * truth[i];
        pred[i] = levels > 0 ? std::floor(s * levels) : s;
    }
}

/// Kaggle's MAP@k with one relevant class per row, from a stable descending sort of each row.
double reference_map(const std::vector<double>& truth, const std::vector<double>& pred, std::size_t cols, std::size_t k) {
    double total = 0;
    std::vector<std::size_t> order(cols);
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const double* row = pred.data() + i * cols;
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return row[a] > row[b]; });
        for (std::size_t r = 0; r < std::min(k, cols); ++r)
            if (order[r] == static_cast<std::size_t>(truth[i])) total += 1.0 / static_cast<double>(r + 1);
    }
    return total / static_cast<double>(truth.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fast_paths)

BOOST_AUTO_TEST_CASE(radix_sort_keys_sorts_every_size_class) {
    std::mt19937_64 rng(3);
    // insertion (<= 32), 8-bit digits (< 16k), 11-bit digits; narrow and full-width keys
    for (std::size_t n : {0u, 1u, 7u, 32u, 33u, 1000u, 16383u, 16384u, 100000u}) {
        for (std::uint64_t mask : {std::uint64_t{0xff}, ~std::uint64_t{0}}) {
            std::vector<std::uint64_t> keys(n), scratch(n);
            for (auto& k : keys) k = rng() & mask;
            std::vector<std::uint64_t> expected = keys;
            std::sort(expected.begin(), expected.end());
            am::radix_sort_keys(keys.data(), scratch.data(), n);
            BOOST_TEST_INFO("n = " << n << ", mask = " << mask);
            BOOST_TEST(keys == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(bucketed_auc_equals_the_full_sort_with_ties_and_on_two_threads) {
    std::vector<double> truth, pred;
    for (int levels : {0, 7, 1000}) {  // distinct scores, heavy ties, moderate ties
        binary_data(300'000, levels, truth, pred);
        const double expected = reference_auc(truth, pred);
        BOOST_TEST_INFO("levels = " << levels);
        BOOST_TEST(bucketed_auc(truth, pred, 1) == expected);
        BOOST_TEST(bucketed_auc(truth, pred, 2) == expected);
    }
    // all scores equal: every pair is a tie
    std::fill(pred.begin(), pred.end(), 0.25);
    BOOST_TEST(bucketed_auc(truth, pred, 2) == 0.5);
}

BOOST_AUTO_TEST_CASE(bucketed_auc_keeps_keys_outside_the_sampled_range_in_order) {
    // A few extreme and negative scores that a sample of rows is likely to miss land in the end
    // buckets, which must still sort them correctly.
    std::vector<double> truth, pred;
    binary_data(200'000, 0, truth, pred, 5);
    for (std::size_t i = 17; i < pred.size(); i += 9973) pred[i] = (i % 2 ? 1e300 : -1e300) * (truth[i] == 1.0 ? 1 : -1);
    pred[4] = -0.0;
    pred[5] = 0.0;
    const double expected = reference_auc(truth, pred);
    BOOST_TEST(bucketed_auc(truth, pred, 1) == expected);
    BOOST_TEST(bucketed_auc(truth, pred, 2) == expected);
}

BOOST_AUTO_TEST_CASE(bucketed_auc_reports_a_row_that_fails_validation) {
    std::vector<double> truth, pred;
    binary_data(600'000, 0, truth, pred);  // enough rows for the metric to use two threads
    const std::size_t last = truth.size() - 1;
    for (unsigned threads : {1u, 2u}) {
        const am::AucPairs p = am::count_auc_pairs(
            truth.size(), [&](std::size_t i) { return truth[i] == 1.0; }, [&](std::size_t i) { return pred[i]; },
            [&](std::size_t i) { return i != last; }, threads);
        BOOST_TEST(!p.all_valid);
    }
    // through the metric: the exact checks name the row
    pred[last] = std::nan("");
    require_metric_error([&] { score("auc_roc", truth, pred); }, "prediction row 599999 is nan");
    pred[last] = 0.5;
    truth[123'456] = 2;
    require_metric_error([&] { score("auc_roc", truth, pred); }, "truth row 123456 is 2, not a class index in 0..1");
}

BOOST_AUTO_TEST_CASE(auc_metric_on_many_rows_matches_the_reference) {
    // enough rows for the plugin to split the work between threads
    std::vector<double> truth, pred;
    binary_data(1'200'000, 50, truth, pred, 9);
    BOOST_TEST(score("auc_roc", truth, pred) == reference_auc(truth, pred));
}

BOOST_AUTO_TEST_CASE(map_at_k_ranks_ties_to_the_lower_index_and_takes_k_beyond_the_columns) {
    // row 1: 0.5 ties between classes 0 and 1, class 1 ranks second -> 1/2
    // row 2: all equal, class 2 ranks third -> 1/3; row 3: class 0 last of 3 -> 1/3
    std::vector<double> scores = {0.5, 0.5, 0.2, 0.7, 0.7, 0.7, 0.1, 0.9, 0.8};
    BOOST_TEST(close(score("map@3", {1, 2, 0}, scores, 3), (0.5 + 1.0 / 3 + 1.0 / 3) / 3, 1e-15));
    BOOST_TEST(close(score("map@5", {1, 2, 0}, scores, 3), (0.5 + 1.0 / 3 + 1.0 / 3) / 3, 1e-15));  // k > columns
    BOOST_TEST(close(score("map@2", {1, 2, 0}, scores, 3), 0.5 / 3, 1e-15));

    // many rows with ties, on the threaded path, against stable-sorted rows
    const std::size_t n = 60'000, cols = 20;
    std::mt19937_64 rng(2);
    std::vector<double> truth(n), pred(n * cols);
    for (auto& t : truth) t = static_cast<double>(rng() % cols);
    for (auto& p : pred) p = static_cast<double>(rng() % 8);  // eight levels: ties everywhere
    for (std::size_t k : {1u, 3u, 25u})
        BOOST_TEST(close(score("map@" + std::to_string(k), truth, pred, cols), reference_map(truth, pred, cols, k), 1e-12));
}

BOOST_AUTO_TEST_CASE(fused_validation_reports_the_same_errors_as_the_exact_checks) {
    const double nan = std::nan("");
    const double inf = std::numeric_limits<double>::infinity();
    // the truth's non-finite value is reported before a bad prediction, as the exact checks order them
    require_metric_error([&] { score("auc_roc", {0, nan, 1}, {0.1, nan, 0.3}); }, "truth row 1 is nan; values must be finite");
    require_metric_error([&] { score("auc_roc", {0, 1, 1}, {0.1, 0.2, inf}); }, "prediction row 2 is inf");
    require_metric_error([&] { score("auc_roc", {0, 1, 0.5}, {0.1, 0.2, 0.3}); }, "truth row 2 is 0.5, not a class index in 0..1");
    require_metric_error([&] { score("auc_roc", {0, 1, 2}, {0.1, 0.2, 0.3}, 1, {"a", "b", "c"}); },
                         "one prediction column for 3 classes");
    require_metric_error([&] { score("logloss", {0, 1, -1}, {0.1, 0.2, 0.3}); }, "truth row 2 is -1, not a class index in 0..1");
    require_metric_error([&] { score("logloss", {0, 1}, {0.5, 0.5, 0.5, 0.5}, 2, {"a", "b", "c"}); },
                         "wrong number of prediction columns: got 2, expected 3");
    require_metric_error([&] { score("map@3", {0, 3}, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 3); }, "truth row 1 is 3, not a class index in 0..2");
    require_metric_error([&] { score("map@3", {0, 1}, {0.1, 0.2, 0.3, 0.4, nan, 0.6}, 3); }, "prediction row 1, column 1 is nan");
    require_metric_error([&] { score("map@3", {0, 1}, {0.1, 0.2, 0.3, 0.4}, 2, {"a", "b", "c"}); },
                         "wrong number of prediction columns: got 2, expected 3");
}

BOOST_AUTO_TEST_CASE(npy_file_reads_float64_in_place_and_converts_the_rest) {
    autokaggle::test::TempDir dir;
    auto write = [&](const std::string& name, const std::string& descr, bool fortran, const std::string& shape,
                     const std::string& data) {
        std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
        header += '\n';
        std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size() & 0xff) +
                            static_cast<char>(header.size() >> 8) + header + data;
        autokaggle::test::write_text(dir / name, bytes);
        return dir / name;
    };
    auto raw = [](auto... values) {
        std::string s;
        ((s.append(reinterpret_cast<const char*>(&values), sizeof values)), ...);
        return s;
    };
    const std::vector<double> row_major = {1, 2, 3, 4, 5, 6};  // [[1, 2, 3], [4, 5, 6]]
    struct Case {
        std::string name, descr;
        bool fortran;
        std::string data;
        bool in_place;
    };
    const std::vector<Case> cases = {
        {"f8c.npy", "<f8", false, raw(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), true},
        {"f8f.npy", "<f8", true, raw(1.0, 4.0, 2.0, 5.0, 3.0, 6.0), false},
        {"f4c.npy", "<f4", false, raw(1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f), false},
        {"f4f.npy", "<f4", true, raw(1.0f, 4.0f, 2.0f, 5.0f, 3.0f, 6.0f), false},
        {"i8c.npy", "<i8", false, raw(std::int64_t{1}, std::int64_t{2}, std::int64_t{3}, std::int64_t{4}, std::int64_t{5}, std::int64_t{6}), false},
        {"i4f.npy", "<i4", true, raw(1, 4, 2, 5, 3, 6), false},
    };
    for (const Case& c : cases) {
        const auto path = write(c.name, c.descr, c.fortran, "(2, 3)", c.data);
        am::NpyFile file(path);
        BOOST_TEST_INFO(c.name);
        BOOST_TEST(file.in_place() == c.in_place);
        BOOST_TEST(file.view().rows == 2u);
        BOOST_TEST(file.view().cols == 3u);
        BOOST_TEST(!file.view().one_dimensional);
        BOOST_TEST(std::vector<double>(file.view().data.begin(), file.view().data.end()) == row_major);
        BOOST_TEST(am::read_npy(path).data == row_major);
    }
    // a Fortran-ordered 1-D array is stored as a C-ordered one: read in place
    am::NpyFile vector(write("v.npy", "<f8", true, "(3,)", raw(0.5, -1.0, 2.0)));
    BOOST_TEST(vector.in_place());
    BOOST_TEST(vector.view().shape_text() == "(3,)");
    BOOST_TEST(vector.view().at(2, 0) == 2.0);
    // errors name the file, as read_npy's do
    require_error([&] { am::NpyFile bad(write("bad.npy", "<f8", false, "(4,)", raw(1.0))); }, {"bad.npy", "data is truncated"});
}

BOOST_AUTO_TEST_SUITE_END()
