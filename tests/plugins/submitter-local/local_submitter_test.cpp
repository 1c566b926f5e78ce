// The local leaderboard: scores against held-out answers checked by an independent computation,
// the public/private split, the daily quota and the leaderboard file.
#define BOOST_TEST_MODULE autopilot_submitter
#include <boost/test/unit_test.hpp>

#include "support/fake_host.hpp"
#include "local_submitter.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace autokaggle;
using autokaggle::test::TempDir;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

struct Row {
    std::string id, value;
};

std::vector<std::vector<std::string>> read_rows(const fs::path& csv) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(test::read_text(csv));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::istringstream l(line);
        std::string c;
        while (std::getline(l, c, ',')) cells.push_back(c);
        rows.push_back(cells);
    }
    return rows;
}

/// AUC by counting pairs (ties count half): independent of the metric plugin.
double pairwise_auc(const std::vector<double>& truth, const std::vector<double>& score) {
    double wins = 0, pairs = 0;
    for (std::size_t i = 0; i < truth.size(); ++i)
        for (std::size_t j = 0; j < truth.size(); ++j)
            if (truth[i] == 1 && truth[j] == 0) {
                pairs += 1;
                wins += score[i] > score[j] ? 1.0 : score[i] == score[j] ? 0.5 : 0.0;
            }
    return wins / pairs;
}

json::object options(const test::FakeHost& host, int per_day) {
    return {{"answers", (host.held_out() / "answers.csv").string()}, {"public_share", 0.3}, {"split_seed", 2026},
            {"max_submissions_per_day", per_day}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(binary_scores_match_an_independent_auc_on_each_part) {
    TempDir dir("autopilot-submitter");
    test::FakeHost host(dir.path(), test::pima());
    // A real, imperfect prediction: the glucose reading, scaled to [0, 1].
    const auto test_rows = read_rows(host.paths().data / "test.csv");
    const auto answers = read_rows(host.held_out() / "answers.csv");
    std::map<std::string, double> truth;
    for (std::size_t i = 1; i < answers.size(); ++i) truth[answers[i][0]] = std::stod(answers[i][1]);
    std::string sub = "id,diabetes\n";
    std::vector<double> t_pub, s_pub, t_priv, s_priv;
    for (std::size_t i = 1; i < test_rows.size(); ++i) {
        const auto& id = test_rows[i][0];
        // Glucose may be missing (an empty cell): such rows get a neutral 0.5.
        const double p = test_rows[i][2].empty() ? 0.5 : std::strtod(test_rows[i][2].c_str(), nullptr) / 200.0;
        sub += id + "," + std::to_string(p) + "\n";
        const bool pub = local_submitter::is_public(id, 0.3, 2026);
        (pub ? t_pub : t_priv).push_back(truth.at(id));
        (pub ? s_pub : s_priv).push_back(std::stod(std::to_string(p)));
    }
    test::write_text(dir.path() / "sub.csv", sub);
    local_submitter::LocalSubmitter submitter(host, options(host, 5));
    const auto info = submitter.submit({dir.path() / "sub.csv", "R01 glucose"});
    BOOST_TEST((info.state == SubmissionState::complete));
    BOOST_REQUIRE(info.public_score.has_value());
    BOOST_TEST(*info.public_score == pairwise_auc(t_pub, s_pub), boost::test_tools::tolerance(1e-9));
    const auto board = json::parse(test::read_text(host.held_out() / "leaderboard.json")).as_object();
    const auto& entry = board.at("submissions").as_array().at(0).as_object();
    BOOST_TEST(entry.at("private_score").to_number<double>() == pairwise_auc(t_priv, s_priv),
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(entry.at("public_rows").to_number<double>() == static_cast<double>(t_pub.size()));
    BOOST_TEST(std::fabs(t_pub.size() / double(t_pub.size() + t_priv.size()) - 0.3) < 0.08);
    BOOST_TEST(submitter.status(info.ref).public_score.value() == *info.public_score);
}

BOOST_AUTO_TEST_CASE(multiclass_uniform_probabilities_score_log_of_k) {
    TempDir dir("autopilot-submitter");
    test::FakeHost host(dir.path(), test::vehicle());
    local_submitter::LocalSubmitter submitter(host, options(host, 5));
    // sample_submission.csv holds 0.25 for each of the four classes: logloss ln(4) everywhere.
    const auto info = submitter.submit({host.paths().data / "sample_submission.csv", "uniform"});
    BOOST_REQUIRE(info.public_score.has_value());
    BOOST_TEST(*info.public_score == std::log(4.0), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(quota_leaderboard_and_bad_files) {
    TempDir dir("autopilot-submitter");
    test::FakeHost host(dir.path(), test::pima());
    local_submitter::LocalSubmitter submitter(host, options(host, 2));
    // The answers themselves are a perfect submission.
    const auto perfect = submitter.submit({host.held_out() / "answers.csv", "perfect"});
    BOOST_TEST(perfect.public_score.value() == 1.0);
    test::write_text(dir.path() / "bad.csv", "wrong,columns\n1,2\n");
    const auto bad = submitter.submit({dir.path() / "bad.csv", "bad"});
    BOOST_TEST((bad.state == SubmissionState::error));
    BOOST_TEST(bad.message.find("id") != std::string::npos);
    BOOST_TEST(submitter.quota()->used_today == 2);
    BOOST_TEST(submitter.quota()->limit == 2);
    BOOST_CHECK_THROW(submitter.submit({host.held_out() / "answers.csv", "third"}), ServiceError);
    const auto recent = submitter.recent(10);
    BOOST_REQUIRE(recent.size() == 2u);
    BOOST_TEST(recent[0].description == "bad");
    BOOST_TEST(recent[1].description == "perfect");
    // A new submitter object (a new process) sees the same leaderboard and quota.
    local_submitter::LocalSubmitter again(host, options(host, 2));
    BOOST_TEST(again.quota()->used_today == 2);
    BOOST_CHECK_THROW(local_submitter::LocalSubmitter(host, json::object{{"answers", "missing.csv"}}), ConfigError);
    // The leaderboard with the private scores sits next to the answers, outside the workspace.
    BOOST_TEST(fs::exists(host.held_out() / "leaderboard.json"));
    BOOST_TEST(!fs::exists(host.paths().root / "leaderboard.json"));
}

BOOST_AUTO_TEST_CASE(held_out_files_inside_the_workspace_are_refused) {
    TempDir dir("autopilot-submitter");
    test::FakeHost host(dir.path(), test::pima());
    fs::copy_file(host.held_out() / "answers.csv", host.paths().root / "answers.csv");
    try {
        local_submitter::LocalSubmitter submitter(host, json::object{{"answers", "answers.csv"}});
        BOOST_FAIL("answers inside the workspace must be refused");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("submitter.options.answers") != std::string::npos, e.what());
        BOOST_TEST(std::string(e.what()).find("inside the workspace") != std::string::npos, e.what());
    }
    BOOST_CHECK_THROW(local_submitter::LocalSubmitter(host, json::object{{"answers", (host.held_out() / "answers.csv").string()},
                                                                         {"leaderboard", "leaderboard.json"}}),
                      ConfigError);
}
