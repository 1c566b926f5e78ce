// The blender: candidates, correlation clusters, greedy selection, outputs; the registry reader
// and existing OOF files.
#include "support/metric_checks.hpp"

#include "metrics/blend.hpp"
#include "metrics/ranking.hpp"
#include "metrics/verify.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <numeric>

using namespace autokaggle::metrics;
using autokaggle::test::TempDir;
using autokaggle::test::write_text;
using metrics_test::metric;

namespace {

double rmse_of(const std::vector<double>& y, const std::vector<double>& p) {
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += (y[i] - p[i]) * (y[i] - p[i]);
    return std::sqrt(s / static_cast<double>(y.size()));
}

struct RegressionModels {
    std::vector<double> y;
    std::vector<BlendInput> models;
    explicit RegressionModels(std::size_t n = 2000) {
        std::mt19937_64 rng(7);
        std::normal_distribution<double> noise(0.0, 1.0);
        y.resize(n);
        for (auto& v : y) v = 3.0 * noise(rng);
        auto model = [&](const std::string& id, double sigma, const std::vector<double>* base, double shift) {
            BlendInput in;
            in.id = id;
            in.family = "gbdt";
            std::vector<double> oof(n), test(50);
            for (std::size_t i = 0; i < n; ++i) oof[i] = (base ? (*base)[i] : y[i]) + sigma * noise(rng) + shift;
            for (auto& t : test) t = noise(rng);
            in.oof = NpyArray::vector(oof);
            in.test = NpyArray::vector(test);
            return in;
        };
        models.push_back(model("R01", 1.0, nullptr, 0));
        models.push_back(model("R02", 0.01, &models[0].oof.data, 0));  // a near-copy of R01
        models.push_back(model("R03", 1.0, nullptr, 0));               // independent errors
        models.push_back(model("R04", 1.0, nullptr, 5.0));             // far worse
    }
};

TargetEncoding regression_target(const std::vector<double>& y) {
    TargetEncoding t;
    t.values = y;
    return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(blender)

BOOST_AUTO_TEST_CASE(selects_clusters_and_improves_on_the_best_model) {
    RegressionModels data;
    std::vector<std::vector<double>> oofs;
    for (const auto& m : data.models) oofs.push_back(m.oof.data);
    BlendOptions options;
    options.config.max_gap = 1.0;
    auto rmse = metric("rmse");
    BlendResult r = blend(*rmse, regression_target(data.y), data.models, options);

    BOOST_TEST(r.candidates.size() == 3u);
    BOOST_TEST_REQUIRE(r.excluded.size() == 1u);
    BOOST_TEST(r.excluded[0].find("R04") != std::string::npos);
    BOOST_TEST(r.excluded[0].find("max_gap") != std::string::npos);

    // R01 and R02 collapse into one group
    std::map<std::string, std::size_t> group;
    for (const auto& c : r.candidates) group[c.id] = c.cluster;
    BOOST_TEST(group["R01"] == group["R02"]);
    BOOST_TEST(group["R01"] != group["R03"]);
    BOOST_TEST(r.clusters.size() == 2u);

    // correlation matrix: symmetric, unit diagonal, the near-copy above the threshold
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
        BOOST_TEST(r.correlation[i][i] == 1.0);
        for (std::size_t j = 0; j < r.candidates.size(); ++j) BOOST_TEST(r.correlation[i][j] == r.correlation[j][i]);
    }

    // weights sum to 1 and reproduce the blend's OOF
    double total = 0;
    std::vector<double> expected(data.y.size(), 0.0);
    for (const auto& c : r.candidates) {
        total += c.weight;
        const auto& src = oofs[c.id == "R01" ? 0 : c.id == "R02" ? 1 : 2];
        for (std::size_t i = 0; i < expected.size(); ++i) expected[i] += c.weight * src[i];
    }
    BOOST_TEST(std::fabs(total - 1.0) < 1e-12);
    for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST_REQUIRE(std::fabs(expected[i] - r.oof.data[i]) < 1e-9);

    // the CV is recomputed from the blend OOF, and averaging independent errors helps
    BOOST_TEST(std::fabs(r.blend_cv - rmse_of(data.y, r.oof.data)) < 1e-12);
    BOOST_TEST(r.blend_cv < r.best_single_cv - 0.05);
    BOOST_TEST(r.steps >= 1);
    BOOST_TEST(r.test.rows == 50u);
}

BOOST_AUTO_TEST_CASE(fixed_steps_keep_the_best_prefix) {
    RegressionModels data;
    BlendOptions options;
    options.config.max_gap = 1.0;
    options.config.steps = 20;
    options.stop_when_no_improvement = false;
    options.threads = 2;
    BlendResult r = blend(*metric("rmse"), regression_target(data.y), data.models, options);
    BOOST_TEST(r.steps == 20);
    BOOST_TEST(r.blend_cv <= r.best_single_cv);
}

BOOST_AUTO_TEST_CASE(rank_metrics_blend_ranks) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> noise(0.0, 1.0);
    TargetEncoding t;
    t.classification = true;
    t.class_names = {"0", "1"};
    std::vector<BlendInput> models(2);
    const std::size_t n = 3000;
    for (std::size_t i = 0; i < n; ++i) t.values.push_back(i % 3 == 0 ? 1.0 : 0.0);
    for (std::size_t m = 0; m < 2; ++m) {
        std::vector<double> oof(n), test(10);
        for (std::size_t i = 0; i < n; ++i) oof[i] = (m == 0 ? 1.0 : 100.0) * (t.values[i] + noise(rng));  // different scales
        for (auto& v : test) v = noise(rng);
        models[m] = {"M" + std::to_string(m), "x", NpyArray::vector(oof), NpyArray::vector(test)};
    }
    BlendOptions options;
    options.config.max_gap = 1.0;
    BlendResult r = blend(*metric("auc_roc"), t, models, options);
    BOOST_TEST(r.rank_average);
    BOOST_TEST(r.blend_cv > r.best_single_cv);
    for (double v : r.oof.data) BOOST_TEST_REQUIRE((v > 0.0 && v <= 1.0));
}

// The blender's screened steps (rank AUC, log loss) and fused steps (rmse) against the
// textbook selection written here: every trial scored through the plugin, the best kept (the
// first among equals), the best prefix's pick counts turned into weights.
BOOST_AUTO_TEST_CASE(fast_steps_select_exactly_as_scoring_every_trial) {
    for (const std::string name : {"auc_roc", "logloss", "rmse"}) {
        BOOST_TEST_CONTEXT(name) {
            auto m = metric(name);
            const bool regression = name == "rmse";
            const std::size_t n = 6000;
            std::mt19937_64 rng(17);
            std::normal_distribution<double> noise(0.0, 1.0);
            std::vector<double> signal(n), y(n);
            for (std::size_t i = 0; i < n; ++i) {
                signal[i] = noise(rng);
                y[i] = regression ? signal[i] : (signal[i] + noise(rng) > 0.4 ? 1.0 : 0.0);
            }
            std::vector<BlendInput> models;
            for (int k = 0; k < 7; ++k) {
                std::vector<double> oof(n), test(20, 0.5);
                for (std::size_t i = 0; i < n; ++i) {
                    const double s = signal[i] + (0.9 + 0.15 * k) * noise(rng);
                    oof[i] = regression ? s : 1.0 / (1.0 + std::exp(-s));
                    if (name == "auc_roc") oof[i] = std::round(oof[i] * 50) / 50;  // ties
                }
                models.push_back({"M" + std::to_string(k), "x", NpyArray::vector(oof), NpyArray::vector(test)});
            }
            TargetEncoding target;
            target.values = y;
            if (!regression) {
                target.classification = true;
                target.class_names = {"0", "1"};
            }
            BlendOptions options;
            options.config.max_gap = 1e9;
            options.config.steps = 15;
            options.stop_when_no_improvement = false;
            options.threads = 2;
            const BlendResult r = blend(*m, target, models, options);
            BOOST_TEST_REQUIRE(r.clusters.size() == models.size());  // no near-duplicates here

            // the textbook selection, on the blender's candidate order (best CV first)
            auto score = [&](const std::vector<double>& pred) {
                autokaggle::MetricInput in;
                in.truth = y;
                in.pred = pred;
                return m->score(in);
            };
            auto better = [&](double a, double b) { return m->direction() == autokaggle::Direction::higher ? a > b : a < b; };
            std::vector<std::vector<double>> columns;
            for (const auto& c : r.candidates) {
                const auto& oof = models[std::stoul(c.id.substr(1))].oof.data;
                columns.push_back(r.rank_average ? doubled_ranks(oof) : oof);
            }
            std::vector<double> sum = columns[0];
            std::vector<std::size_t> picks(columns.size(), 0), best_picks;
            picks[0] = 1;
            best_picks = picks;
            double best = score(columns[0]);
            for (int step = 0; step < options.config.steps; ++step) {
                const double inv = r.rank_average ? 1.0 : 1.0 / static_cast<double>(step + 2);
                std::size_t pick = 0;
                double pick_score = 0;
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    std::vector<double> trial(n);
                    for (std::size_t i = 0; i < n; ++i) trial[i] = (sum[i] + columns[c][i]) * inv;
                    const double v = score(trial);
                    if (c == 0 || better(v, pick_score)) pick = c, pick_score = v;
                }
                for (std::size_t i = 0; i < n; ++i) sum[i] += columns[pick][i];
                ++picks[pick];
                if (better(pick_score, best)) best = pick_score, best_picks = picks;
            }
            const double total = static_cast<double>(std::accumulate(best_picks.begin(), best_picks.end(), std::size_t{0}));
            for (std::size_t c = 0; c < columns.size(); ++c)
                BOOST_TEST(r.candidates[c].weight == static_cast<double>(best_picks[c]) / total);
            BOOST_TEST(std::count_if(best_picks.begin(), best_picks.end(), [](std::size_t p) { return p > 0; }) >= 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(registry_reader_is_tolerant_of_extra_fields) {
    TempDir dir;
    write_text(dir / "experiments.json", R"({"version": 2, "experiments": [
        {"id": "R01", "round": 1, "family": "lgbm", "cv": 0.91, "oof": "rounds/R01_oof.npy", "test": "rounds/R01_test.npy",
         "features": ["a", "b"], "params": {"lr": 0.1}, "lb": null},
        {"id": 7, "round": 2, "cv": null},
        {"id": "R03", "oof": "/abs/R03_oof.npy", "test": "/abs/R03_test.npy"}]})");
    auto e = read_experiments(dir / "experiments.json");
    BOOST_TEST_REQUIRE(e.size() == 3u);
    BOOST_TEST(e[0].id == "R01");
    BOOST_TEST(e[0].round == 1);
    BOOST_TEST(e[0].family == "lgbm");
    BOOST_TEST(*e[0].cv == 0.91);
    BOOST_TEST(resolve_in_workspace(dir.path(), e[0].oof) == dir / "rounds/R01_oof.npy");
    BOOST_TEST(e[1].id == "7");
    BOOST_TEST(!e[1].cv);
    BOOST_TEST(e[1].oof.empty());
    BOOST_TEST(resolve_in_workspace(dir.path(), e[2].oof) == "/abs/R03_oof.npy");
    BOOST_TEST(read_experiments(dir / "missing.json").empty());
    write_text(dir / "bad.json", R"({"experiments": [{"round": 1}]})");
    metrics_test::require_error([&] { read_experiments(dir / "bad.json"); }, {"bad.json", "experiments[0]", "\"id\""});
}

BOOST_AUTO_TEST_CASE(existing_oof_pairs_are_verified) {
    TempDir dir;
    TargetEncoding t = regression_target({1, 2, 3, 4});
    auto rmse = metric("rmse");
    write_npy(dir / "old/ridge_oof.npy", NpyArray::vector({1, 2, 3, 5}));
    write_npy(dir / "old/ridge_test.npy", NpyArray::vector({1, 2}));
    write_npy(dir / "old/lonely_oof.npy", NpyArray::vector({1, 2, 3, 4}));
    write_npy(dir / "old/short_oof.npy", NpyArray::vector({1, 2}));
    write_npy(dir / "old/short_test.npy", NpyArray::vector({1, 2}));
    write_npy(dir / "old/widetest_oof.npy", NpyArray::vector({1, 2, 3, 4}));
    write_npy(dir / "old/widetest_test.npy", NpyArray::vector({1, 2, 3}));
    auto scan = scan_existing_oof(dir / "old", *rmse, t, 2, dir.path());
    BOOST_TEST_REQUIRE(scan.accepted.size() == 1u);
    BOOST_TEST(scan.accepted[0].id == "existing:ridge");
    BOOST_TEST(scan.accepted[0].family == "existing");
    BOOST_TEST(std::fabs(*scan.accepted[0].cv - 0.5) < 1e-15);  // sqrt(1/4)
    BOOST_TEST(scan.accepted[0].oof == "old/ridge_oof.npy");
    BOOST_TEST(scan.rejected.size() == 3u);
    std::string all;
    for (const auto& r : scan.rejected) all += r + "\n";
    BOOST_TEST(all.find("lonely_oof.npy: no matching lonely_test.npy") != std::string::npos, all);
    BOOST_TEST(all.find("short_oof.npy") != std::string::npos, all);
    BOOST_TEST(all.find("widetest_test.npy") != std::string::npos, all);
}

BOOST_AUTO_TEST_CASE(outputs_are_written_with_a_valid_submission) {
    TempDir dir;
    RegressionModels data(200);
    std::string train = "id,y\n";
    for (std::size_t i = 0; i < data.y.size(); ++i) train += std::to_string(i) + "," + format_number(data.y[i]) + "\n";
    write_text(dir / "train.csv", train);
    std::string test = "id\n", sample = "id,y\n";
    for (int i = 0; i < 50; ++i) {
        test += std::to_string(1000 + i) + "\n";
        sample += std::to_string(1000 + i) + ",0\n";
    }
    write_text(dir / "test.csv", test);
    write_text(dir / "sample_submission.csv", sample);
    const auto info = autokaggle::test::competition_files(dir.path(), "regression", "y");
    auto rmse = metric("rmse");
    TargetEncoding target = load_train_target(info, rmse->prediction_kind());
    BlendOptions options;
    options.config.max_gap = 1.0;
    BlendResult r = blend(*rmse, target, data.models, options);
    write_blend_outputs(r, info, *rmse, target, dir / "blends");
    BOOST_TEST(read_npy(dir / "blends/blend_oof.npy").data == r.oof.data);
    BOOST_TEST(read_npy(dir / "blends/blend_test.npy").rows == 50u);
    BOOST_TEST(check_submission(info, *rmse, dir / "blends/blend_submission.csv").ok());
    auto doc = boost::json::parse(autokaggle::test::read_text(dir / "blends/blend.json")).as_object();
    BOOST_TEST(doc.at("blend_cv").as_double() == r.blend_cv);
    BOOST_TEST(doc.at("models").as_array().size() == r.candidates.size());
    BOOST_TEST(doc.at("correlation").at("matrix").as_array().size() == r.candidates.size());
}

BOOST_AUTO_TEST_SUITE_END()
