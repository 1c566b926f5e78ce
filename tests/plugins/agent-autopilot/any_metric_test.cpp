// A campaign with a metric the autopilot's experiment scripts never knew: median absolute error
// from a fixture plugin. The scripts print no score; the core scores every fold of every
// round from the OOF file with the plugin, so every round is verified. The metric's direction
// comes from the plugin (config.json does not state it). A second campaign gives its metric an
// option (mean pinball loss with alpha 0.9): the verified CV, `autokaggle score --dir` and the
// local leaderboard all score with it.
#define BOOST_TEST_MODULE autopilot_any_metric
#include <boost/test/unit_test.hpp>

#include "local_submitter.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <map>
#include <sstream>

using namespace autokaggle;
namespace fs = std::filesystem;

namespace {

/// A boston-housing workspace under `root` (its held-out answers and the local leaderboard
/// beside it, in heldout(root), where no agent reads), run by the offline plugins, with
/// `metric` from a plugin in `plugin_dir`, without metric_direction.
fs::path heldout(const fs::path& root) { return root / "boston-heldout"; }

fs::path boston_workspace(const fs::path& root, const std::string& metric, const fs::path& plugin_dir,
                          boost::json::object extra = {}) {
    const auto ws = root / "boston";
    const auto source = test::competition_dir("boston-housing");
    fs::create_directories(ws / "data");
    for (const char* f : {"train.csv", "test.csv", "sample_submission.csv"})
        fs::copy_file(source / "data" / f, ws / "data" / f);
    fs::create_directories(heldout(root));
    fs::copy_file(source / "answers.csv", heldout(root) / "answers.csv");
    boost::json::object config{
        {"competition", "boston-housing"},
        {"data_dir", "./data"},
        {"task_type", "regression"},
        {"metric", metric},
        {"target_column", "cmedv"},
        {"id_column", "id"},
        {"cv_strategy", "KFold"},
        {"cv_folds", 5},
        {"python", test::python().string()},
        {"plugin_dirs", boost::json::array{plugin_dir.string()}},
        {"agents", {{"researcher", {{"plugin", "autopilot"}}}, {"builder", {{"plugin", "autopilot"}}},
                    {"reviewer", {{"plugin", "autopilot"}}}}},
        {"submitter", {{"plugin", "local"}, {"options", {{"answers", (heldout(root) / "answers.csv").string()}}}}},
        {"runner", {{"plugin", "local"}, {"options", {{"timeout_s", 300}}}}},
        {"kill_gate", {{"enabled", false}}},  // every round runs to its end and is verified
    };
    for (const auto& [key, value] : extra) config[key] = value;
    test::write_text(ws / "config.json", boost::json::serialize(config));
    return ws;
}

/// id -> the second column of a two-column CSV with a header.
std::map<std::string, double> csv_values(const fs::path& csv) {
    std::map<std::string, double> out;
    std::istringstream in(test::read_text(csv));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto comma = line.find(',');
        if (comma != std::string::npos) out[line.substr(0, comma)] = std::stod(line.substr(comma + 1));
    }
    return out;
}

/// Mean pinball loss at `alpha`, written out here (independent of the plugin).
double pinball(const std::vector<double>& truth, const std::vector<double>& pred, double alpha) {
    double sum = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const double d = truth[i] - pred[i];
        sum += d >= 0 ? alpha * d : (alpha - 1) * d;
    }
    return sum / static_cast<double>(truth.size());
}

double json_score(const test::ProcessResult& run) {
    BOOST_TEST_REQUIRE(run.exit_code == 0, run.out + run.err);
    return boost::json::parse(run.out).at("score").to_number<double>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_campaign_with_a_third_party_metric_verifies_every_round) {
    test::TempDir dir("autopilot-medae");
    const auto ws = boston_workspace(dir.path(), "medae", test::test_plugin_dir() / "metric-medae");
    const auto validate = test::run_cli({"validate", ws.string()});
    BOOST_TEST(validate.exit_code == 0, validate.out + validate.err);
    BOOST_TEST(validate.out.find("metric medae (lower is better)") != std::string::npos, validate.out);
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
    const auto board = boost::json::parse(test::read_text(heldout(dir.path()) / "leaderboard.json")).as_object();
    BOOST_TEST(!board.at("submissions").as_array().empty());
}

BOOST_AUTO_TEST_CASE(metric_options_reach_the_verified_cv_score_and_the_local_leaderboard) {
    test::TempDir dir("autopilot-pinball");
    const double alpha = 0.9;
    const auto ws = boston_workspace(dir.path(), "mean_pinball", test::test_plugin_dir() / "metric-pinball",
                                     {{"metric_options", {{"alpha", alpha}}}});
    const auto validate = test::run_cli({"validate", ws.string()});
    BOOST_TEST_REQUIRE(validate.exit_code == 0, validate.out + validate.err);
    const auto run = test::run_cli({"run", ws.string(), "--max-rounds", "2", "--quiet"}, dir.path(), {},
                                   std::chrono::seconds(900));
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.out + run.err);

    // The verified CV is the pinball loss at alpha 0.9 of the OOF predictions, not at the
    // plugin's default 0.5.
    const auto scores = boost::json::parse(test::read_text(ws / "rounds" / "R01_scores.json")).as_object();
    const double cv = scores.at("cv").to_number<double>();
    const std::string oof = (ws / "rounds" / "R01_oof.npy").string(), truth = (ws / "data" / "train.csv").string() + ":cmedv";
    auto score_with = [&](const std::string& options) {
        return json_score(test::run_cli({"score", "--metric", "mean_pinball", "--metric-options", options, "--truth", truth,
                                         "--pred", oof, "--json"},
                                        {}, {{"AUTOKAGGLE_PLUGIN_PATH", (test::test_plugin_dir() / "metric-pinball").string()}}));
    };
    const double at_alpha = score_with(R"({"alpha": 0.9})"), at_default = score_with("{}");
    BOOST_TEST(std::fabs(at_alpha - at_default) > 1e-3, at_alpha << " vs " << at_default);
    BOOST_TEST(std::fabs(cv - at_alpha) < 1e-9, cv << " vs " << at_alpha);
    // `autokaggle score --dir` scores with the workspace's metric_options.
    const double with_dir = json_score(test::run_cli({"score", "--dir", ws.string(), "--truth", truth, "--pred", oof, "--json"}));
    BOOST_TEST(std::fabs(with_dir - at_alpha) < 1e-12, with_dir << " vs " << at_alpha);

    // The local leaderboard scored each submission's public part at alpha 0.9 (computed here
    // from the submission file and the answers).
    const auto board = boost::json::parse(test::read_text(heldout(dir.path()) / "leaderboard.json")).as_object();
    const auto& submissions = board.at("submissions").as_array();
    BOOST_TEST_REQUIRE(!submissions.empty());
    const auto answers = csv_values(heldout(dir.path()) / "answers.csv");
    for (const auto& entry : submissions) {
        const auto& e = entry.as_object();
        const auto predicted = csv_values(ws / std::string(e.at("file").as_string()));
        std::vector<double> truth_public, pred_public;
        for (const auto& [id, value] : predicted)
            if (local_submitter::is_public(id, 0.3, 2026)) {
                truth_public.push_back(answers.at(id));
                pred_public.push_back(value);
            }
        const double expected = pinball(truth_public, pred_public, alpha);
        BOOST_TEST(std::fabs(e.at("public_score").to_number<double>() - expected) < 1e-9);
        BOOST_TEST(std::fabs(pinball(truth_public, pred_public, 0.5) - expected) > 1e-3);
    }
}
