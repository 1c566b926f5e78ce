// Hand-checked values of every standard metric, and the errors for bad inputs.
#define BOOST_TEST_MODULE metric_standard_unit
#include "support/metric_checks.hpp"

#include <cmath>

using namespace metrics_test;
using autokaggle::MetricInput;

BOOST_AUTO_TEST_SUITE(hand_checked)

BOOST_AUTO_TEST_CASE(auc_counts_ties_as_half) {
    BOOST_TEST(score("auc_roc", {0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8}) == 0.75);
    // positive 0.5 ties with negative 0.5 (1/2) and beats 0.2 (1); positive 0.9 beats both (2): 3.5 / 4
    BOOST_TEST(score("auc_roc", {0, 1, 0, 1}, {0.5, 0.5, 0.2, 0.9}) == 0.875);
    // negative values, -0.0 equal to 0.0
    BOOST_TEST(score("auc_roc", {0, 1, 1, 0}, {-0.0, 0.0, 3, -7}) == 0.875);
    // multiclass one-vs-rest, perfect
    BOOST_TEST(score("auc_roc", {0, 1, 2}, {0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8}, 3) == 1.0);
}

BOOST_AUTO_TEST_CASE(logloss_clips_and_renormalises) {
    BOOST_TEST(close(score("logloss", {1, 0}, {0.8, 0.3}), -(std::log(0.8) + std::log(0.7)) / 2, 1e-15));
    // p = 1 for the wrong class is clipped to 1 - 1e-15, and the truth's probability is 1 - that
    BOOST_TEST(close(score("logloss", {0}, {1.0}), -std::log(1.0 - (1.0 - 1e-15)), 1e-15));
    // multiclass rows are renormalised: [0.4, 0.2, 0.2] -> [0.5, 0.25, 0.25]
    BOOST_TEST(close(score("logloss", {0}, {0.4, 0.2, 0.2}, 3), -std::log(0.5), 1e-15));
}

BOOST_AUTO_TEST_CASE(regression_metrics) {
    BOOST_TEST(close(score("rmse", {1, 2, 3}, {1, 2, 5}), std::sqrt(4.0 / 3.0), 1e-15));
    BOOST_TEST(close(score("mae", {1, 2, 3}, {1, 2, 5}), 2.0 / 3.0, 1e-15));
    BOOST_TEST(close(score("r2", {1, 2, 3}, {1, 2, 5}), -1.0, 1e-15));
    BOOST_TEST(score("r2", {2, 2}, {2, 2}) == 1.0);
    BOOST_TEST(score("r2", {2, 2}, {1, 2}) == 0.0);
    BOOST_TEST(close(score("mape", {1, 2}, {2, 1}), 0.75, 1e-15));
    BOOST_TEST(close(score("smape", {100, 0}, {110, 0}), 100.0 * (10.0 / 105.0) / 2.0, 1e-13));
    BOOST_TEST(close(score("rmsle", {0, std::exp(1.0) - 1}, {std::exp(1.0) - 1, 0}), 1.0, 1e-15));
}

BOOST_AUTO_TEST_CASE(label_metrics) {
    BOOST_TEST(score("accuracy", {0, 1, 2, 2}, {0, 2, 2, 2}) == 0.75);
    BOOST_TEST(score("f1", {1, 1, 0, 0}, {1, 0, 1, 0}) == 0.5);
    BOOST_TEST(close(score("f1_macro", {0, 1, 2, 2}, {0, 2, 2, 2}), (1.0 + 0.0 + 0.8) / 3.0, 1e-15));
    BOOST_TEST(close(score("mcc", {1, 1, 1, 0}, {1, 1, 0, 0}), 2.0 / std::sqrt(12.0), 1e-15));
    BOOST_TEST(close(score("qwk", {0, 1, 2}, {0, 2, 2}), 0.8, 1e-15));
}

BOOST_AUTO_TEST_CASE(map_at_k_from_scores_and_from_label_lists) {
    std::vector<double> scores = {0.1, 0.2, 0.6, 0.1,   // top-3 [2, 1, 0]: truth 2 first -> 1
                                  0.3, 0.4, 0.2, 0.1,   // [1, 0, 2]: truth 0 second -> 1/2
                                  0.4, 0.3, 0.2, 0.1};  // [0, 1, 2]: truth 3 absent -> 0
    BOOST_TEST(close(score("map@3", {2, 0, 3}, scores, 4), 0.5, 1e-15));
    BOOST_TEST(close(score("map@1", {2, 0, 3}, scores, 4), 1.0 / 3.0, 1e-15));
    auto m = metric("map@3");
    BOOST_TEST(m->name() == "map@3");
    std::vector<std::string> truth = {"a", "b", "b"}, pred = {"b a c", "b c a", "c b b"};
    MetricInput in;
    in.truth_text = truth;
    in.pred_text = pred;
    BOOST_TEST(close(m->score(in), (0.5 + 1.0 + 0.5) / 3.0, 1e-15));
}

BOOST_AUTO_TEST_CASE(ndcg_at_k) {
    // truth item 1 ranked second of three: 1 / log2(3)
    BOOST_TEST(close(score("ndcg@2", {1}, {0.5, 0.4, 0.1}, 3), 1.0 / std::log2(3.0), 1e-15));
    // ranked first: 1; outside the top-1: 0
    BOOST_TEST(score("ndcg@1", {0, 2}, {0.9, 0.1, 0.0, 0.9, 0.1, 0.0}, 3) == 0.5);
}

BOOST_AUTO_TEST_CASE(bleu_and_13a_tokens) {
    using autokaggle::standard_metrics::tokenize_13a;
    BOOST_TEST(tokenize_13a("Hello, world!") == "Hello , world !");
    BOOST_TEST(tokenize_13a("It's 3.5-4 km.") == "It's 3.5 - 4 km .");
    BOOST_TEST(tokenize_13a("a &amp; b&lt;c") == "a & b < c");
    BOOST_TEST(tokenize_13a("  spaced\tout  ") == "spaced out");
    auto m = metric("bleu");
    std::vector<std::string> ref = {"the cat sat on the mat", "a quick brown fox jumps"};
    MetricInput same;
    same.truth_text = ref;
    same.pred_text = ref;
    BOOST_TEST(close(m->score(same), 100.0, 1e-12));
    // "the cat" vs "the cat sat on the mat": p1 = p2 = 100, no 3-grams -> log(0) -> 0
    std::vector<std::string> r1 = {"the cat sat on the mat"}, h1 = {"the cat"};
    MetricInput short_hyp;
    short_hyp.truth_text = r1;
    short_hyp.pred_text = h1;
    BOOST_TEST(m->score(short_hyp) == 0.0);
    // 4-token hypothesis, 1 wrong token: p1 3/4, p2 1/3, p3: 0 matches -> 100/(2*2), p4 0 -> 100/(4*1)
    std::vector<std::string> r2 = {"w x y z"}, h2 = {"w x q z"};
    MetricInput partial;
    partial.truth_text = r2;
    partial.pred_text = h2;
    double expected = std::exp((std::log(75.0) + std::log(100.0 / 3.0) + std::log(25.0) + std::log(25.0)) / 4.0);
    BOOST_TEST(close(m->score(partial), expected, 1e-12));
}

BOOST_AUTO_TEST_CASE(directions_and_kinds) {
    BOOST_TEST((metric("auc_roc")->direction() == autokaggle::Direction::higher));
    BOOST_TEST((metric("logloss")->direction() == autokaggle::Direction::lower));
    BOOST_TEST((metric("rmse")->prediction_kind() == autokaggle::PredictionKind::value));
    BOOST_TEST((metric("qwk")->prediction_kind() == autokaggle::PredictionKind::label));
    BOOST_TEST((metric("bleu")->prediction_kind() == autokaggle::PredictionKind::text));
    BOOST_TEST((metric("map@5")->direction() == autokaggle::Direction::higher));
    BOOST_TEST(!autokaggle::standard_metrics::make_metric("map@", {}));
    BOOST_TEST(!autokaggle::standard_metrics::make_metric("gini", {}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_inputs)

BOOST_AUTO_TEST_CASE(errors_say_what_is_wrong) {
    const double nan = std::nan("");
    require_metric_error([] { score("rmse", {1, 2, 3}, {1, 2}); }, "length mismatch");
    require_metric_error([&] { score("rmse", {1, 2}, {1, nan}); }, "prediction row 1 is nan");
    require_metric_error([] { score("mae", {1, INFINITY}, {1, 2}); }, "truth row 1 is inf");
    require_metric_error([] { score("auc_roc", {1, 1, 1}, {0.1, 0.2, 0.3}); }, "only one class");
    require_metric_error([] { score("auc_roc", {0, 2}, {0.1, 0.2}); }, "not a class index");
    require_metric_error([] { score("accuracy", {0, 1}, {0, 5}, 1, {"a", "b", "c"}); }, "outside 0..2");
    require_metric_error([] { score("logloss", {0, 1}, {0.2, 0.3, 0.5, 0.1, 0.1, 0.8}, 3, {"a", "b", "c", "d"}); },
                         "wrong number of prediction columns");
    require_metric_error([] { score("logloss", {0, 3}, {0.2, 0.3, 0.5, 0.1, 0.1, 0.8}, 3); }, "not a class index in 0..2");
    require_metric_error([] { score("accuracy", {0, 1}, {0, 0.5}); }, "not a class label");
    require_metric_error([] { score("rmsle", {1, 2}, {-1, 2}); }, "RMSLE needs values >= 0");
    require_metric_error([] { score("f1", {0, 1, 2}, {0, 1, 2}); }, "binary F1");
    require_metric_error([] { score("qwk", {1, 1}, {1, 1}); }, "undefined");
    require_metric_error([] { score("rmse", {}, {}); }, "no rows");
}

BOOST_AUTO_TEST_SUITE_END()
