// `autokaggle demo`: a short offline campaign on the shipped competition through the CLI.
#define BOOST_TEST_MODULE autopilot_demo
#include <boost/test/unit_test.hpp>

#include "support/test_support.hpp"

#include <boost/json.hpp>

using namespace autokaggle;

BOOST_AUTO_TEST_CASE(demo_runs_a_short_campaign_and_prints_the_leaderboard) {
    test::TempDir dir("autopilot-demo");
    const auto workspace = dir.path() / "demo";
    const auto result = test::run_cli({"demo", "--max-rounds", "3", "--dir", workspace.string()}, dir.path(), {},
                                      std::chrono::seconds(800));
    BOOST_TEST_MESSAGE(result.out);
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out.find("Leaderboard") != std::string::npos);
    BOOST_TEST(result.out.find("R01") != std::string::npos);
    BOOST_TEST(result.out.find("R03") != std::string::npos);
    // The held-out answers and the leaderboard with the private scores live beside the workspace,
    // never in it; the leaderboard file records the public and private score of every submission.
    BOOST_TEST(!std::filesystem::exists(workspace / "answers.csv"));
    BOOST_TEST(!std::filesystem::exists(workspace / "leaderboard.json"));
    BOOST_TEST(std::filesystem::exists(dir.path() / "demo-heldout" / "answers.csv"));
    const auto board = boost::json::parse(test::read_text(dir.path() / "demo-heldout" / "leaderboard.json")).as_object();
    const auto& subs = board.at("submissions").as_array();
    BOOST_REQUIRE(!subs.empty());
    BOOST_TEST(subs.at(0).as_object().contains("private_score"));
    // Either the score improved over round 1, or the summary says honestly that it did not.
    BOOST_TEST((result.out.find("improved") != std::string::npos || result.out.find("no improvement") != std::string::npos));
}
