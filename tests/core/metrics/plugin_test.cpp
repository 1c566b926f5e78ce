// Metrics loaded through the real plugin host: the standard plugin and the mean_pinball
// example plugin (fixture/), which adds a metric the standard set lacks.
#include "support/metric_checks.hpp"

#include "metrics/blend.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/npy.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

using namespace autokaggle;
using autokaggle::test::TempDir;

namespace {
PluginHost host_with_fixture() {
    return PluginHost({test::plugin_dir(), test::test_plugin_dir() / "metric-pinball"});
}
}  // namespace

BOOST_AUTO_TEST_CASE(standard_plugin_serves_every_metric_through_the_host) {
    PluginHost host = host_with_fixture();
    const PluginInfo* info = host.find_metric("map@7");
    BOOST_TEST_REQUIRE(info != nullptr);
    BOOST_TEST(info->name == "standard");
    for (const auto& name : standard_metrics::metric_names()) {
        std::string concrete = name == "map@k" ? "map@5" : name == "ndcg@k" ? "ndcg@10" : name;
        auto m = metrics::load_metric(host, concrete);
        BOOST_TEST(m->name() == concrete);
    }
    // the plugin's AUC is the same code as the one linked here
    std::vector<double> y = {0, 1, 1, 0, 1}, p = {0.1, 0.8, 0.3, 0.3, 0.9};
    MetricInput in;
    in.truth = y;
    in.pred = p;
    BOOST_TEST(metrics::load_metric(host, "auc_roc")->score(in) == metrics_test::score("auc_roc", y, p));
    // errors cross the boundary as MetricError, naming the plugin
    std::vector<double> short_pred = {0.1};
    in.pred = short_pred;
    metrics_test::require_metric_error([&] { metrics::load_metric(host, "auc_roc")->score(in); }, "length mismatch");
}

BOOST_AUTO_TEST_CASE(example_plugin_adds_mean_pinball_with_options) {
    PluginHost host = host_with_fixture();
    BOOST_TEST(host.find_metric("mean_pinball")->name == "pinball");
    auto pinball = metrics::load_metric(host, "mean_pinball", boost::json::object{{"alpha", 0.9}});
    BOOST_TEST((pinball->direction() == Direction::lower));

    TempDir dir;
    std::mt19937_64 rng(11);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<double> y(3000), p(3000);
    for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = 5 * g(rng);
        p[i] = y[i] + g(rng);
    }
    metrics::write_npy(dir / "y.npy", metrics::NpyArray::vector(y));
    metrics::write_npy(dir / "p.npy", metrics::NpyArray::vector(p));
    auto run = test::run_process({test::python().string(), "-c",
                                  "import numpy as np, sys; from sklearn.metrics import mean_pinball_loss as f; "
                                  "print(repr(f(np.load(sys.argv[1]), np.load(sys.argv[2]), alpha=0.9)))",
                                  (dir / "y.npy").string(), (dir / "p.npy").string()});
    BOOST_TEST_REQUIRE(run.exit_code == 0, run.err);
    MetricInput in;
    in.truth = y;
    in.pred = p;
    BOOST_TEST(metrics_test::close(pinball->score(in), std::stod(run.out)));
    // the default alpha (0.5) is half the mean absolute error
    BOOST_TEST(metrics_test::close(metrics::load_metric(host, "mean_pinball")->score(in), metrics_test::score("mae", y, p) / 2));
}

BOOST_AUTO_TEST_CASE(unknown_metrics_and_bad_options_are_config_errors) {
    PluginHost host = host_with_fixture();
    try {
        metrics::load_metric(host, "gini");
        BOOST_FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("'gini'") != std::string::npos, what);
        BOOST_TEST(what.find("mean_pinball") != std::string::npos, what);
        BOOST_TEST(what.find("auc_roc") != std::string::npos, what);
    }
    try {
        metrics::load_metric(host, "mean_pinball", boost::json::object{{"alpha", "high"}});
        BOOST_FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("metric_options.alpha") != std::string::npos, e.what());
    }
}

namespace {

/// A metric that scores like another but declares nothing beyond its name and direction: the
/// blender must not guess traits from a name.
class SameScoreAs final : public Metric {
public:
    SameScoreAs(std::string name, const Metric& scorer) : name_(std::move(name)), scorer_(scorer) {}
    std::string name() const override { return name_; }
    Direction direction() const override { return scorer_.direction(); }
    PredictionKind prediction_kind() const override { return scorer_.prediction_kind(); }
    double score(const MetricInput& in) const override { return scorer_.score(in); }

private:
    std::string name_;
    const Metric& scorer_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_third_party_order_only_metric_is_blended_on_ranks_because_it_says_so) {
    PluginHost host({test::test_plugin_dir() / "metric-spearman"});
    const auto spearman = metrics::load_metric(host, "spearman");
    BOOST_TEST(spearman->order_only());
    // Two models of one regression target on very different scales: averaging their values
    // would let the large one drown the other; their ranks blend fairly.
    std::mt19937_64 rng(5);
    std::normal_distribution<double> g(0.0, 1.0);
    const std::size_t n = 2000;
    metrics::TargetEncoding target;
    std::vector<metrics::BlendInput> models(2);
    for (std::size_t i = 0; i < n; ++i) target.values.push_back(g(rng));
    for (std::size_t m = 0; m < 2; ++m) {
        std::vector<double> oof(n), test(20);
        for (std::size_t i = 0; i < n; ++i) oof[i] = (m == 0 ? 1.0 : 1000.0) * (target.values[i] + g(rng));
        for (auto& v : test) v = g(rng);
        models[m] = {"M" + std::to_string(m), "x", metrics::NpyArray::vector(oof), metrics::NpyArray::vector(test)};
    }
    metrics::BlendOptions options;
    options.config.max_gap = 1.0;
    const auto ranked = metrics::blend(*spearman, target, models, options);
    BOOST_TEST(ranked.rank_average);
    BOOST_TEST(ranked.blend_cv > ranked.best_single_cv);
    // The same scores under a name the core once blended on ranks, without the declaration:
    // values are averaged.
    const SameScoreAs undeclared("auc_roc", *spearman);
    BOOST_TEST(!metrics::blend(undeclared, target, models, options).rank_average);
}
