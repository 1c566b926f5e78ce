// The blender's kernels against plain reference implementations: rank transform, correlation
// matrix, and the screened rank-AUC hill-climbing step (which must pick exactly what scoring
// every trial through the auc_roc plugin picks).
#include "support/metric_checks.hpp"

#include "metrics/correlation.hpp"
#include "metrics/logloss_trials.hpp"
#include "metrics/rank_auc_trials.hpp"
#include "metrics/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace autokaggle::metrics;

namespace {

/// Average ranks the textbook way (sort indices, ties share the mean position), doubled.
std::vector<double> reference_doubled_ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        for (std::size_t t = i; t <= j; ++t) r[order[t]] = static_cast<double>(i + j + 2);
        i = j + 1;
    }
    return r;
}

std::vector<double> normal_values(std::size_t n, std::uint64_t seed, double scale = 1.0) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<double> v(n);
    for (auto& x : v) x = scale * g(rng);
    return v;
}

/// Binary truth correlated with `signal`.
std::vector<double> binary_truth(const std::vector<double>& signal, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<double> y(signal.size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = signal[i] + g(rng) > 0.3 ? 1.0 : 0.0;
    return y;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(blend_kernels)

BOOST_AUTO_TEST_CASE(doubled_ranks_match_the_reference_on_hard_inputs) {
    std::vector<std::vector<double>> cases;
    cases.push_back(normal_values(5000, 1));                    // distinct values over many exponents
    std::vector<double> ties = normal_values(5000, 2);
    for (auto& x : ties) x = std::round(x * 4) / 4;              // long runs of equal values
    cases.push_back(ties);
    std::vector<double> close(3000);                             // differ only in the last bits,
    for (std::size_t i = 0; i < close.size(); ++i)               // and spread over a wide range, so
        close[i] = (i % 3 == 0 ? 1e12 : 1.0) + static_cast<double>(i % 7) * std::numeric_limits<double>::epsilon();  // leading-bit keys collide
    cases.push_back(close);
    cases.push_back({0.0, -0.0, 0.0, -1.0, 5.0, -0.0});          // signed zeros are equal
    cases.push_back({3.0, 3.0, 3.0, 3.0});                       // all equal
    cases.push_back({42.0});
    cases.push_back({-1e300, 1e-300, -1e-300, 1e300, 0.5, -2.5, 7.0});
    for (std::size_t c = 0; c < cases.size(); ++c) {
        BOOST_TEST_CONTEXT("case " << c) {
            BOOST_TEST(doubled_ranks(cases[c]) == reference_doubled_ranks(cases[c]), boost::test_tools::per_element());
        }
    }
    BOOST_TEST(doubled_ranks(std::vector<double>{}).empty());
    const std::vector<double> scaled = normalized_ranks(std::vector<double>{2.0, 1.0, 2.0});
    BOOST_TEST(scaled == (std::vector<double>{5.0 / 6.0, 2.0 / 6.0, 5.0 / 6.0}), boost::test_tools::tolerance(1e-15) << boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(correlation_matrix_matches_pairwise_pearson) {
    const std::size_t n = 4099;  // not a multiple of the block or slice sizes
    std::vector<std::vector<double>> cols;
    const std::vector<double> base = normal_values(n, 10);
    for (std::size_t m = 0; m < 7; ++m) {
        std::vector<double> noise = normal_values(n, 20 + m, 0.3 * static_cast<double>(m));
        for (std::size_t i = 0; i < n; ++i) noise[i] += (m % 2 ? -1.0 : 1.0) * base[i] + 100.0;  // offset: centring matters
        cols.push_back(noise);
    }
    cols.push_back(std::vector<double>(n, 2.5));  // constant: correlation 0 with everything
    std::vector<const std::vector<double>*> ptrs;
    for (const auto& c : cols) ptrs.push_back(&c);
    const auto r = pearson_matrix(ptrs, 2);
    auto pearson = [&](const std::vector<double>& a, const std::vector<double>& b) {
        long double ma = 0, mb = 0;
        for (std::size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
        ma /= n, mb /= n;
        long double sab = 0, saa = 0, sbb = 0;
        for (std::size_t i = 0; i < n; ++i) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return static_cast<double>(sab / std::sqrt(saa * sbb));
    };
    for (std::size_t i = 0; i < 7; ++i) {
        BOOST_TEST(r[i][i] == 1.0);
        for (std::size_t j = 0; j < 7; ++j)
            if (i != j) BOOST_TEST(r[i][j] == pearson(cols[i], cols[j]), boost::test_tools::tolerance(1e-12));
        BOOST_TEST(r[i][7] == 0.0);
        BOOST_TEST(r[7][i] == 0.0);
    }
    BOOST_TEST(r[0][1] < -0.5);  // opposite signs of the shared base
    // the same bits whatever the thread count
    const auto r1 = pearson_matrix(ptrs, 1);
    for (std::size_t i = 0; i < r.size(); ++i) BOOST_TEST(r1[i] == r[i], boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(auc_of_ranks_equals_the_plugin) {
    const std::vector<double> signal = normal_values(20000, 3);
    const std::vector<double> y = binary_truth(signal, 4);
    std::vector<double> pred = signal;
    for (auto& p : pred) p = std::round(p * 10) / 10;  // ties across classes
    RankAucTrials trials(y);
    BOOST_REQUIRE(trials.usable());
    BOOST_TEST(trials.auc_of_ranks(doubled_ranks(pred)) == metrics_test::score("auc_roc", y, pred));  // bit-identical
    BOOST_TEST(!RankAucTrials(std::vector<double>{0, 1, 2}).usable());  // not binary
    BOOST_TEST(!RankAucTrials(std::vector<double>{1, 1, 1}).usable());  // one class
}

namespace {

/// Runs `steps` screened steps and, at each, checks the pick and its AUC against scoring every
/// trial through the auc_roc plugin (the first of equal scores wins). Returns the trials.
RankAucTrials check_screened_steps(const std::vector<double>& y, const std::vector<std::vector<double>>& ranks, int steps) {
    const std::size_t n = y.size();
    RankAucTrials trials(y);
    BOOST_REQUIRE(trials.usable());
    std::vector<const std::vector<double>*> columns;
    for (const auto& r : ranks) columns.push_back(&r);
    trials.add_candidates(columns, 2);
    auto auc = metrics_test::metric("auc_roc");
    std::vector<double> sum = ranks[0];
    trials.add_to_sum(0);
    for (int step = 0; step < steps; ++step) {
        BOOST_REQUIRE(trials.fits());
        std::size_t want = 0;
        double want_auc = -1;
        for (std::size_t c = 0; c < ranks.size(); ++c) {
            std::vector<double> blend(n);
            for (std::size_t i = 0; i < n; ++i) blend[i] = sum[i] + ranks[c][i];
            autokaggle::MetricInput in;
            in.truth = y;
            in.pred = blend;
            const double v = auc->score(in);
            if (v > want_auc) want_auc = v, want = c;
            // the screen's interval holds the exact pair count
            const double pairs = 2.0 * static_cast<double>(std::count(y.begin(), y.end(), 1.0)) *
                                 static_cast<double>(std::count(y.begin(), y.end(), 0.0));
            const auto twice = static_cast<std::uint64_t>(std::llround(v * pairs));
            const auto bounds = trials.trial_bounds(c);
            BOOST_TEST_REQUIRE((bounds.low <= twice && twice <= bounds.high), "candidate " << c << ": " << twice << " outside ["
                                                                                      << bounds.low << ", " << bounds.high << "]");
        }
        const auto got = trials.best_addition(2);
        BOOST_TEST_CONTEXT("step " << step) {
            BOOST_TEST(got.candidate == want);
            BOOST_TEST(got.auc == want_auc);  // bit-identical to the plugin
        }
        trials.add_to_sum(got.candidate);
        for (std::size_t i = 0; i < n; ++i) sum[i] += ranks[got.candidate][i];
    }
    return trials;
}

}  // namespace

BOOST_AUTO_TEST_CASE(screened_steps_pick_what_scoring_every_trial_picks) {
    // Coarse predictions make many ties, duplicated models make exactly equal trials (the
    // lowest index must win), and enough rows make the screening bins hold many keys.
    const std::size_t n = 60000;
    const std::vector<double> signal = normal_values(n, 5);
    const std::vector<double> y = binary_truth(signal, 6);
    std::vector<std::vector<double>> ranks;
    for (std::size_t m = 0; m < 8; ++m) {
        std::vector<double> p = normal_values(n, 100 + m, 0.7 + 0.1 * static_cast<double>(m));
        for (std::size_t i = 0; i < n; ++i) p[i] = std::round((p[i] + signal[i]) * (m < 4 ? 3.0 : 200.0));
        ranks.push_back(doubled_ranks(p));
    }
    ranks.push_back(ranks[2]);  // duplicates of candidates 2 and 5
    ranks.push_back(ranks[5]);
    const RankAucTrials trials = check_screened_steps(y, ranks, 12);
    // the point of screening: most trials never needed a sort
    BOOST_TEST(trials.screened() == 12u * ranks.size());
    BOOST_TEST(trials.exact_evaluations() < trials.screened() / 2);
}

BOOST_AUTO_TEST_CASE(crowded_bins_overflowing_16_bit_counts_are_recounted) {
    // 85% of the rows share one prediction in every model: over 65,535 keys of each class fall
    // into one screening bin, which 16-bit counts cannot hold.
    const std::size_t n = 200000;
    const std::vector<double> signal = normal_values(n, 7);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = (i % 2 == 0) == (signal[i] > -0.5) ? 1.0 : 0.0;
    std::vector<std::vector<double>> ranks;
    for (std::size_t m = 0; m < 4; ++m) {
        std::vector<double> p = normal_values(n, 200 + m, 0.5 + 0.3 * static_cast<double>(m));
        for (std::size_t i = 0; i < n; ++i) p[i] = i % 20 < 17 ? 0.0 : p[i] + signal[i];
        ranks.push_back(doubled_ranks(p));
    }
    check_screened_steps(y, ranks, 4);
}

BOOST_AUTO_TEST_CASE(bounded_log_stays_within_its_error) {
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> exponent(-700.0, 0.0);
    std::vector<double> xs = {1.0, 0.5, 1e-15, 1.0 - 1e-15, std::numeric_limits<double>::min(), 0.7071067811865476,
                              0.7071067811865475, 1.4142135623730951 / 2, std::nextafter(1.0, 0.0)};
    for (int i = 0; i < 200000; ++i) xs.push_back(std::exp(exponent(rng) * (i % 2 ? 1.0 : 0.01)));
    double worst = 0;
    for (double x : xs) worst = std::max(worst, std::fabs(bounded_log(x) - std::log(x)));
    BOOST_TEST_MESSAGE("largest bounded_log error: " << worst);
    BOOST_TEST(worst <= LoglossTrials::log_error);
}

BOOST_AUTO_TEST_CASE(logloss_screens_hold_the_plugin_score_and_pick_alike) {
    // binary (with clipped 0 and 1 predictions) and three classes
    for (const std::size_t cols : {std::size_t{1}, std::size_t{3}}) {
        BOOST_TEST_CONTEXT("columns " << cols) {
            const std::size_t n = 20000;
            std::mt19937_64 rng(11 + cols);
            std::uniform_real_distribution<double> unit(0.0, 1.0);
            std::vector<double> y(n);
            for (auto& v : y) v = std::floor(unit(rng) * static_cast<double>(cols == 1 ? 2 : cols));
            auto model = [&](double sharpness) {  // binary: P(class 1); three classes: softmax rows
                std::vector<double> p(n * cols);
                for (std::size_t i = 0; i < n; ++i) {
                    if (cols == 1) {
                        p[i] = 1.0 / (1.0 + std::exp(-sharpness * ((y[i] == 1.0 ? 1.0 : -1.0) + 2.0 * unit(rng) - 1.0)));
                    } else {
                        double s = 0;
                        for (std::size_t c = 0; c < cols; ++c)
                            s += p[i * cols + c] = std::exp(sharpness * ((static_cast<double>(c) == y[i] ? 1.0 : 0.0) + unit(rng)));
                        for (std::size_t c = 0; c < cols; ++c) p[i * cols + c] /= s;
                    }
                    if (i % 997 == 0) p[i * cols] = i % 2 ? 0.0 : 1.0;  // clipped by eps
                }
                return p;
            };
            std::vector<std::vector<double>> models;
            for (int m = 0; m < 6; ++m) models.push_back(model(0.5 + 0.4 * m));
            models.push_back(models[3]);  // equal trials: the lowest index wins
            const LoglossTrials trials(y, cols);
            auto plugin = metrics_test::metric("logloss");
            auto exact = [&](const std::vector<double>& sum, std::size_t c, double scale) {
                std::vector<double> blend(n * cols);
                for (std::size_t t = 0; t < blend.size(); ++t) blend[t] = (sum[t] + models[c][t]) * scale;
                autokaggle::MetricInput in;
                in.truth = y;
                in.pred = blend;
                in.pred_cols = cols;
                return plugin->score(in);
            };
            std::vector<double> sum = models[0];
            for (int step = 1; step <= 5; ++step) {
                const double scale = 1.0 / static_cast<double>(step + 1);
                std::vector<ScoreInterval<double>> bounds;
                std::size_t want = 0;
                double want_loss = 0;
                for (std::size_t c = 0; c < models.size(); ++c) {
                    bounds.push_back(trials.screen(sum.data(), models[c].data(), scale));
                    const double loss = exact(sum, c, scale);
                    BOOST_TEST(bounds[c].low <= -loss);
                    BOOST_TEST(-loss <= bounds[c].high);
                    BOOST_TEST(bounds[c].high - bounds[c].low < 1e-9);
                    if (c == 0 || loss < want_loss) want = c, want_loss = loss;
                }
                const auto got = screened_pick(bounds, 2, [&](std::size_t c, unsigned, unsigned) { return -exact(sum, c, scale); });
                BOOST_TEST(got.consistent);
                BOOST_TEST(got.candidate == want);
                BOOST_TEST(-got.value == want_loss);
                BOOST_TEST(got.exact_evaluations < models.size());
                for (std::size_t t = 0; t < sum.size(); ++t) sum[t] += models[got.candidate][t];
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(screened_pick_flags_scores_outside_their_intervals) {
    const std::vector<ScoreInterval<double>> bounds = {{0.0, 1.0}, {2.0, 3.0}};
    const auto pick = screened_pick(bounds, 1, [](std::size_t c, unsigned, unsigned) { return c == 1 ? 5.0 : 0.5; });
    BOOST_TEST(pick.candidate == 1u);
    BOOST_TEST(!pick.consistent);
    BOOST_TEST(pick.exact_evaluations == 1u);  // candidate 0 could not reach 2.0
}

BOOST_AUTO_TEST_SUITE_END()
