// A campaign with a metric the autopilot's experiment scripts never knew: median absolute error
// from a fixture plugin. The scripts print no score; the core scores every fold of every
// round from the OOF file with the plugin, so every round is verified.
#define BOOST_TEST_MODULE autopilot_any_metric
#include <boost/test/unit_test.hpp>

#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <sstream>

using namespace autokaggle;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(a_campaign_with_a_third_party_metric_verifies_every_round) {
    test::TempDir dir("autopilot-medae");
    const auto ws = dir.path() / "boston";
    const auto source = test::competition_dir("boston-housing");
    fs::create_directories(ws / "data");
    for (const char* f : {"train.csv", "test.csv", "sample_submission.csv"})
        fs::copy_file(source / "data" / f, ws / "data" / f);
    fs::create_directories(dir.path() / "boston-heldout");  // held-out answers stay outside the workspace
    fs::copy_file(source / "answers.csv", dir.path() / "boston-heldout" / "answers.csv");
    boost::json::object config{
        {"competition", "boston-housing"},
        {"data_dir", "./data"},
        {"task_type", "regression"},
        {"metric", "medae"},
        {"target_column", "cmedv"},
        {"id_column", "id"},
        {"cv_strategy", "KFold"},
        {"cv_folds", 5},
        {"python", test::python().string()},
        {"plugin_dirs", boost::json::array{(test::test_plugin_dir() / "metric-medae").string()}},
        {"agents", {{"researcher", {{"plugin", "autopilot"}}}, {"builder", {{"plugin", "autopilot"}}},
                    {"reviewer", {{"plugin", "autopilot"}}}}},
        {"submitter", {{"plugin", "local"}, {"options", {{"answers", "../boston-heldout/answers.csv"}}}}},
        {"runner", {{"plugin", "local"}, {"options", {{"timeout_s", 300}}}}},
        {"kill_gate", {{"enabled", false}}},  // every round runs to its end and is verified
    };
    test::write_text(ws / "config.json", boost::json::serialize(config));
    const auto validate = test::run_cli({"validate", ws.string()});
    BOOST_TEST(validate.exit_code == 0, validate.out + validate.err);
    const auto run = test::run_cli({"run", ws.string(), "--max-rounds", "4", "--quiet"}, dir.path(), {},
                                   std::chrono::seconds(900));
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.out + run.err);

    // results.tsv: rounds 1-4, each ok with a verified CV.
    std::istringstream results(test::read_text(ws / "results.tsv"));
    std::string line;
    std::getline(results, line);  // header
    int rounds = 0;
    while (std::getline(results, line)) {
        if (line.rfind("0\t", 0) == 0) continue;  // round 0: the EDA
        ++rounds;
        BOOST_TEST_CONTEXT(line) {
            BOOST_TEST(line.find("\tok\t") != std::string::npos);
            BOOST_TEST(line.find("crash") == std::string::npos);
        }
    }
    BOOST_TEST(rounds == 4);
    for (int r = 1; r <= 4; ++r) {
        const std::string tag = "R0" + std::to_string(r);
        BOOST_TEST_CONTEXT(tag) {
            const auto verification = test::read_text(ws / "rounds" / (tag + "_verification.md"));
            BOOST_TEST(verification.find("medae recomputed from " + tag + "_oof.npy") != std::string::npos, verification);
            BOOST_TEST(verification.find("matches the claim") != std::string::npos, verification);
            const auto scores = boost::json::parse(test::read_text(ws / "rounds" / (tag + "_scores.json"))).as_object();
            BOOST_TEST(scores.at("metric").as_string() == "medae");
            BOOST_TEST(scores.at("fold_scores").as_array().size() == 5u);
            // The script carries no metric: it neither names medae nor prints a score.
            const auto script = test::read_text(ws / "rounds" / (tag + "_experiment.py"));
            BOOST_TEST(script.find("medae") == std::string::npos);
            const auto log = test::read_text(ws / "rounds" / (tag + "_run.log"));
            BOOST_TEST(log.find("CV_SCORE") == std::string::npos);
            BOOST_TEST(log.find("FOLD 5 DONE") != std::string::npos);
        }
    }
    // The local leaderboard scored the submissions with the plugin too.
    const auto board = boost::json::parse(test::read_text(dir.path() / "boston-heldout" / "leaderboard.json")).as_object();
    BOOST_TEST(!board.at("submissions").as_array().empty());
}
