// `autokaggle score` and `autokaggle blend` as real processes.
#include "helpers.hpp"

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
    BOOST_TEST(mismatch.err.find("expected 3") != std::string::npos, mismatch.err);
    auto nofile = test::run_cli({"score", "--metric", "rmse", "--truth", (dir / "nope.csv").string(), "--pred", (dir / "p.npy").string()});
    BOOST_TEST(nofile.exit_code == 2);
    BOOST_TEST(nofile.err.find("nope.csv") != std::string::npos, nofile.err);
}

BOOST_AUTO_TEST_SUITE_END()
