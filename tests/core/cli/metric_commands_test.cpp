// `autokaggle score` and `autokaggle blend` as real processes.
#define BOOST_TEST_MODULE metrics_cli
#include "support/metric_checks.hpp"

#include "metrics/npy.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

using namespace autokaggle;
using autokaggle::test::TempDir;
using autokaggle::test::write_text;

namespace {

double python_value(const std::string& code, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {test::python().string(), "-c", code};
    argv.insert(argv.end(), args.begin(), args.end());
    auto run = test::run_process(argv);
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    return std::stod(run.out);
}

boost::json::object json_of(const test::ProcessResult& r) {
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "exit " << r.exit_code << ": " << r.err);
    return boost::json::parse(r.out).as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(score_command)

BOOST_AUTO_TEST_CASE(csv_rows_are_aligned_by_id) {
    TempDir dir;
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::string truth = "id,feature,label\n", pred = "id,label\n";
    std::vector<std::string> lines;
    for (int i = 0; i < 500; ++i) {
        bool pos = u(rng) < 0.4;
        truth += std::to_string(i) + ",x," + (pos ? "pos" : "neg") + "\n";
        lines.push_back(std::to_string(i) + "," + std::to_string(std::round((u(rng) + (pos ? 0.3 : 0)) * 20) / 20) + "\n");
    }
    std::shuffle(lines.begin(), lines.end(), rng);
    for (const auto& l : lines) pred += l;
    write_text(dir / "truth.csv", truth);
    write_text(dir / "pred.csv", pred);
    auto out = json_of(test::run_cli({"score", "--metric", "auc_roc", "--truth", (dir / "truth.csv:label").string(), "--pred",
                                      (dir / "pred.csv").string(), "--json"}));
    double reference = python_value(
        "import pandas as pd, sys; from sklearn.metrics import roc_auc_score as f; "
        "t = pd.read_csv(sys.argv[1]); p = pd.read_csv(sys.argv[2]); m = t.merge(p, on='id', suffixes=('', '_p')); "
        "print(repr(f((m['label'] == 'pos').astype(int), m['label_p'])))",
        {(dir / "truth.csv").string(), (dir / "pred.csv").string()});
    BOOST_TEST(metrics_test::close(out.at("score").as_double(), reference), out.at("score").as_double() << " vs " << reference);
    BOOST_TEST(out.at("direction").as_string() == "higher");
    BOOST_TEST(out.at("id_column").as_string() == "id");
    BOOST_TEST(out.at("rows").to_number<int>() == 500);

    auto text = test::run_cli({"score", "--metric", "auc_roc", "--truth", (dir / "truth.csv:label").string(), "--pred",
                               (dir / "pred.csv:label").string()});
    BOOST_TEST(text.exit_code == 0, text.err);
    BOOST_TEST(text.out.find("auc_roc = ") == 0u, text.out);
    BOOST_TEST(text.out.find("higher is better") != std::string::npos, text.out);
}

BOOST_AUTO_TEST_CASE(npy_files_and_label_lists) {
    TempDir dir;
    metrics::write_npy(dir / "y.npy", metrics::NpyArray::vector({0, 2, 1, 2}));
    metrics::write_npy(dir / "p.npy", metrics::NpyArray::matrix({.7, .2, .1, .1, .3, .6, .2, .5, .3, .5, .25, .25}, 4, 3));
    auto out = json_of(test::run_cli({"score", "--metric", "logloss", "--truth", (dir / "y.npy").string(), "--pred",
                                      (dir / "p.npy").string(), "--json"}));
    double reference = python_value("import numpy as np, sys; from sklearn.metrics import log_loss as f; "
                                    "print(repr(f(np.load(sys.argv[1]), np.load(sys.argv[2]), eps=1e-15)))",
                                    {(dir / "y.npy").string(), (dir / "p.npy").string()});
    BOOST_TEST(metrics_test::close(out.at("score").as_double(), reference));
    BOOST_TEST(out.at("direction").as_string() == "lower");

    // map@3 on space-separated labels: row 1 first (1), row 2 third (1/3), row 3 absent (0)
    write_text(dir / "t.csv", "id,species\n1,oak\n2,elm\n3,fir\n");
    write_text(dir / "s.csv", "id,species\n3,oak elm ash\n1,oak elm fir\n2,fir ash elm\n");
    auto map3 = json_of(test::run_cli({"score", "--metric", "map@3", "--truth", (dir / "t.csv:species").string(), "--pred",
                                       (dir / "s.csv").string(), "--json"}));
    BOOST_TEST(metrics_test::close(map3.at("score").as_double(), (1.0 + 1.0 / 3.0) / 3.0));
}

BOOST_AUTO_TEST_CASE(bad_usage_and_bad_inputs) {
    TempDir dir;
    metrics::write_npy(dir / "y.npy", metrics::NpyArray::vector({1, 2, 3}));
    metrics::write_npy(dir / "p.npy", metrics::NpyArray::vector({1, 2}));
    auto missing = test::run_cli({"score", "--truth", (dir / "y.npy").string(), "--pred", (dir / "p.npy").string()});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(missing.err.find("--metric is required") != std::string::npos, missing.err);
    auto unknown = test::run_cli({"score", "--metric", "gini", "--truth", (dir / "y.npy").string(), "--pred", (dir / "p.npy").string()});
    BOOST_TEST(unknown.exit_code == 2);
    BOOST_TEST(unknown.err.find("available metrics") != std::string::npos, unknown.err);
    auto mismatch = test::run_cli({"score", "--metric", "rmse", "--truth", (dir / "y.npy").string(), "--pred", (dir / "p.npy").string()});
    BOOST_TEST(mismatch.exit_code == 1);
    BOOST_TEST(mismatch.err.find("p.npy") != std::string::npos, mismatch.err);
    BOOST_TEST(mismatch.err.find("has 3 rows") != std::string::npos, mismatch.err);
    auto nofile = test::run_cli({"score", "--metric", "rmse", "--truth", (dir / "nope.csv").string(), "--pred", (dir / "p.npy").string()});
    BOOST_TEST(nofile.exit_code == 2);
    BOOST_TEST(nofile.err.find("nope.csv") != std::string::npos, nofile.err);
}

BOOST_AUTO_TEST_CASE(one_bad_cell_is_named_with_its_line_and_column) {
    TempDir dir;
    write_text(dir / "truth.csv", "id,target\n1,0\n2,1\n3,1\n4,0\n5,1\n");
    write_text(dir / "probs.csv", "id,target\n1,0.1\n2,0.9\n3,O.7\n4,0.2\n5,0.8\n");   // a letter O for a zero
    write_text(dir / "labels.csv", "id,target\n1,0\n2,1\n3,1\n4,\n5,1\n");            // an empty cell
    auto score = [&](const char* metric, const std::string& truth, const std::string& pred) {
        return test::run_cli({"score", "--metric", metric, "--truth", (dir / truth).string(), "--pred", (dir / pred).string()});
    };
    for (const char* metric : {"auc_roc", "accuracy", "logloss"}) {
        auto r = score(metric, "truth.csv", "probs.csv");
        BOOST_TEST(r.exit_code == 1, metric << ": exit " << r.exit_code << "\n" << r.out << r.err);
        BOOST_TEST(r.err.find("probs.csv line 4, column 'target': 'O.7' is not a number, while 4 of the column's 5 cells are") !=
                       std::string::npos, metric << ": " << r.err);
    }
    auto empty = score("accuracy", "truth.csv", "labels.csv");
    BOOST_TEST(empty.exit_code == 1, empty.out << empty.err);
    BOOST_TEST(empty.err.find("labels.csv line 5, column 'target': an empty cell is not a number") != std::string::npos, empty.err);
    // The same in the truth.
    auto truth = score("auc_roc", "probs.csv", "truth.csv");
    BOOST_TEST(truth.exit_code == 1);
    BOOST_TEST(truth.err.find("probs.csv line 4") != std::string::npos, truth.err);
    // Text labels stay labels.
    write_text(dir / "animals.csv", "id,target\n1,cat\n2,dog\n3,dog\n4,cat\n5,dog\n");
    write_text(dir / "guess.csv", "id,target\n1,cat\n2,dog\n3,cat\n4,cat\n5,dog\n");
    auto labels = score("accuracy", "animals.csv", "guess.csv");
    BOOST_TEST(labels.exit_code == 0, labels.err);
    BOOST_TEST(labels.out.find("accuracy = 0.8") == 0u, labels.out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(blend_command)

BOOST_AUTO_TEST_CASE(blends_the_registry_into_the_blends_folder) {
    TempDir ws;
    std::mt19937_64 rng(9);
    std::normal_distribution<double> g(0.0, 1.0);
    const std::size_t n = 3000, n_test = 200;
    std::string train = "id,f,target\n", test = "id,f\n", sample = "id,target\n";
    std::vector<double> y(n), signal(n);
    for (std::size_t i = 0; i < n; ++i) {
        signal[i] = g(rng);
        y[i] = signal[i] + g(rng) > 0.3 ? 1 : 0;
        train += std::to_string(i) + ",0," + (y[i] == 1 ? "good" : "bad") + "\n";
    }
    for (std::size_t i = 0; i < n_test; ++i) {
        test += std::to_string(n + i) + ",0\n";
        sample += std::to_string(n + i) + ",0.5\n";
    }
    write_text(ws / "data/train.csv", train);
    write_text(ws / "data/test.csv", test);
    write_text(ws / "data/sample_submission.csv", sample);
    write_text(ws / "config.json", R"({"competition": "blend-test", "task_type": "binary_classification", "metric": "auc_roc",
        "metric_direction": "higher", "target_column": "target", "id_column": "id", "data_dir": "./data",
        "blend": {"max_gap": 0.5, "correlation_threshold": 0.995, "steps": 50}})");
    boost::json::array entries;
    for (int m = 0; m < 3; ++m) {
        std::vector<double> oof(n), pred(n_test);
        for (std::size_t i = 0; i < n; ++i) oof[i] = signal[i] + (0.6 + 0.2 * m) * g(rng);
        for (auto& v : pred) v = g(rng);
        std::string id = "R0" + std::to_string(m + 1);
        metrics::write_npy(ws / ("rounds/" + id + "_oof.npy"), metrics::NpyArray::vector(oof));
        metrics::write_npy(ws / ("rounds/" + id + "_test.npy"), metrics::NpyArray::vector(pred));
        entries.push_back(boost::json::object{{"id", id}, {"round", m + 1}, {"family", "f" + std::to_string(m)}, {"cv", 0.5},
                                              {"oof", "rounds/" + id + "_oof.npy"}, {"test", "rounds/" + id + "_test.npy"},
                                              {"params", "whatever"}});
    }
    entries.push_back(boost::json::object{{"id", "R04"}, {"round", 4}, {"oof", "rounds/R04_oof.npy"}, {"test", "rounds/R04_test.npy"}});
    write_text(ws / "experiments.json", boost::json::serialize(boost::json::object{{"experiments", entries}}));

    auto text = test::run_cli({"blend", ws.path().string()});
    BOOST_TEST_REQUIRE(text.exit_code == 0, text.err + text.out);
    BOOST_TEST(text.out.find("correlation of OOF predictions") != std::string::npos, text.out);
    BOOST_TEST(text.out.find("R04") != std::string::npos, text.out);  // listed as not blended
    BOOST_TEST(text.out.find("blend cv:") != std::string::npos, text.out);

    auto out = json_of(test::run_cli({"blend", ws.path().string(), "--json"}));
    BOOST_TEST(out.at("rank_average").as_bool());
    BOOST_TEST(out.at("models").as_array().size() == 3u);
    double weights = 0;
    for (const auto& m : out.at("models").as_array()) weights += m.at("weight").as_double();
    BOOST_TEST(std::fabs(weights - 1.0) < 1e-12);
    // the blend's CV, recomputed by scikit-learn from the files the command wrote
    double reference = python_value(
        "import numpy as np, pandas as pd, sys; from sklearn.metrics import roc_auc_score as f; "
        "y = (pd.read_csv(sys.argv[1])['target'] == 'good').astype(int); print(repr(f(y, np.load(sys.argv[2]))))",
        {(ws / "data/train.csv").string(), (ws / "blends/blend_oof.npy").string()});
    BOOST_TEST(metrics_test::close(out.at("blend_cv").as_double(), reference));
    BOOST_TEST(out.at("blend_cv").as_double() >= out.at("best_single").at("cv").as_double());
    auto sub = test::read_text(ws / "blends/blend_submission.csv");
    BOOST_TEST(sub.rfind("id,target\n3000,", 0) == 0u, sub.substr(0, 40));
}

BOOST_AUTO_TEST_CASE(missing_config_is_a_usage_error) {
    TempDir ws;
    auto r = test::run_cli({"blend", ws.path().string()});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("config.json") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
