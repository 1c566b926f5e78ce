// Campaign integrity through the real `autokaggle`: the fingerprint and CV regimes, the round
// limit everyone sees, killed runs in every table, the workspace lock, one meaning of a zero
// quota, the deadline, the data check shared by run and validate, re-spawn by age, the findings
// before the decision, and competition_dir.
#include <boost/test/unit_test.hpp>

#include "campaign_support.hpp"
#include "metrics/blend.hpp"

#include <chrono>
#include <csignal>
#include <future>
#include <set>
#include <thread>

using namespace orchtest;
using autokaggle::test::TempDir;
namespace chr = std::chrono;
namespace test = autokaggle::test;

namespace {

void write_config(const fs::path& root, const json::object& overrides) {
    json::object config = default_config();
    for (const auto& kv : overrides) config[kv.key()] = kv.value();
    test::write_text(root / "config.json", json::serialize(config));
}

test::ProcessResult validate(const fs::path& root) { return test::run_cli({"validate", root.string()}); }

/// The folder of a local workspace's held-out answers and leaderboard, beside the workspace.
fs::path held_out(const fs::path& root) { return root.parent_path() / (root.filename().string() + "-heldout"); }

/// A test workspace whose submitter is the local one, scoring against answers.csv (the fixture's
/// test ids 100..119) kept outside the workspace, as the local submitter requires.
void make_local_workspace(const fs::path& root, const json::object& script, json::object overrides) {
    const std::string answers_option = "../" + held_out(root).filename().string() + "/answers.csv";
    overrides["submitter"] = json::object{{"plugin", "local"}, {"options", json::object{{"answers", answers_option}}}};
    make_workspace(root, script, overrides);
    std::string answers = "id,target\n";
    for (int i = 0; i < 20; ++i) answers += std::to_string(100 + i) + "," + std::to_string(i * 0.3) + "\n";
    test::write_text(held_out(root) / "answers.csv", answers);
}

test::ProcessResult submit(const fs::path& root, const std::string& message) {
    return test::run_cli({"submit", (root / "data" / "sample_submission.csv").string(), "--dir", root.string(), "-m", message,
                          "--no-wait"});
}

void wait_for(const fs::path& file, const Child& child) {
    for (int i = 0; i < 3000 && !fs::exists(file); ++i) std::this_thread::sleep_for(chr::milliseconds(20));
    BOOST_TEST_REQUIRE(fs::exists(file), child.err());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fingerprint)

BOOST_AUTO_TEST_CASE(a_changed_cv_folds_is_refused_and_rebaseline_starts_cv_regime_2) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 7}});
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "1"}).exit_code == 0);
    write_config(root, json::object{{"cv_folds", 3}});

    const auto refused = run(root, {"--max-rounds", "2"});
    BOOST_TEST(refused.exit_code == 2, refused.out << refused.err);
    BOOST_TEST(contains(refused.err, "cv_folds: 5 -> 3"), refused.err);
    BOOST_TEST(contains(refused.err, "--rebaseline"), refused.err);
    BOOST_TEST(contains(refused.err, "undo the change"), refused.err);
    BOOST_TEST(results(root).size() == 2u);

    const auto rebased = run(root, {"--max-rounds", "2", "--rebaseline"});
    BOOST_TEST_REQUIRE(rebased.exit_code == 0, rebased.err);
    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[0].regime == 1);
    BOOST_TEST(rows[1].regime == 1);
    BOOST_TEST(rows[2].regime == 2);
    BOOST_TEST(rows[2].status == "ok");
    const auto st = state(root);
    BOOST_TEST(st.at("regime").as_object().at("number").as_int64() == 2);
    BOOST_TEST(st.at("regime").as_object().at("since_round").as_int64() == 2);
    BOOST_TEST(st.at("best").as_object().at("cv_round").as_int64() == 2);  // the best starts afresh
    const auto reg = json::parse(text(root / "experiments.json")).as_object();
    BOOST_TEST(reg.at("regime").as_int64() == 2);
    BOOST_TEST(reg.at("experiments").as_array()[0].as_object().at("regime").as_int64() == 1);
    // Blends read only the current regime.
    const auto blendable = autokaggle::metrics::read_experiments(root / "experiments.json");
    BOOST_TEST_REQUIRE(blendable.size() == 1u);
    BOOST_TEST(blendable[0].id == "R02");
    const auto s = status_of(root);
    BOOST_TEST(contains(s.out, "cv regime  2 (since R02)"), s.out);
    BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "CV regime 2 begins at R02"));

    // Settled: the next run goes on without the flag; a free setting changes without a word.
    write_config(root, json::object{{"cv_folds", 3}, {"orchestrator", json::object{{"retro_every", 10}, {"respawn_every", 7}}}});
    const auto again = run(root, {"--max-rounds", "3"});
    BOOST_TEST_REQUIRE(again.exit_code == 0, again.err);
    BOOST_TEST(results(root).at(3).regime == 2);
    BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "config.json: orchestrator changed (free to change)"));
}

BOOST_AUTO_TEST_CASE(a_changed_data_file_is_caught) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 7}});
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "0"}).exit_code == 0);
    test::write_text(root / "data" / "train.csv", text(root / "data" / "train.csv") + "40,10.0,1.5\n");
    const auto r = run(root, {"--max-rounds", "1"});
    BOOST_TEST(r.exit_code == 2, r.out << r.err);
    BOOST_TEST(contains(r.err, "train.csv: "), r.err);
    BOOST_TEST(contains(r.err, "sha256"), r.err);
    BOOST_TEST(!contains(r.err, "test.csv: "), r.err);
    BOOST_TEST(results(root).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(status_and_the_agents_see_the_round_limit_in_force) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 7}}, json::object{{"budget", json::object{{"max_rounds", 3}}}});
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "1"}).exit_code == 0);
    const auto s = status_of(root);
    BOOST_TEST(contains(s.out, "(stops after R01)"), s.out);
    const auto j = json::parse(status_of(root, {"--json"}).out).as_object();
    BOOST_TEST(j.at("budget").as_object().at("max_rounds").as_int64() == 1);
    BOOST_TEST(state(root).at("max_rounds").as_int64() == 1);
    BOOST_TEST(contains(text(root / "rounds" / "R01_plan.md"), "The campaign stops after R01."));
}

BOOST_AUTO_TEST_CASE(a_killed_run_shows_as_killed_in_every_table) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 17}, {"runner_rounds", json::array{1, 2}}, {"kill_rounds", json::array{2}}},
                   json::object{{"budget", json::object{{"max_rounds", 2}}}});
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[1].status == "ok", rows[1].description);
    BOOST_TEST(rows[2].status == "killed_fold1", rows[2].description);
    BOOST_TEST(rows[2].cv_score == "killed");
    BOOST_TEST(contains(rows[2].description, "fold-1 kill gate"), rows[2].description);
    const auto reg = json::parse(text(root / "experiments.json")).as_object();
    const auto& r2 = reg.at("experiments").as_array().at(1).as_object();
    BOOST_TEST(r2.at("status").as_string() == "killed_fold1");
    BOOST_TEST(r2.at("cv").is_null());
    const auto s = status_of(root);
    BOOST_TEST(!contains(s.out, "crash"), s.out);
    BOOST_TEST(contains(s.out, "killed_fold1"), s.out);
}

BOOST_AUTO_TEST_SUITE(workspace_lock)

BOOST_AUTO_TEST_CASE(a_deleted_or_replaced_lock_file_does_not_let_a_second_run_start) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 5}, {"sleep_ms", 300}});
    Child first(root);
    wait_for(root / "rounds" / "R00_eda.md", first);
    const fs::path lock = root / ".autokaggle.lock";
    fs::remove(lock);
    const auto after_delete = run(root, {"--max-rounds", "1"});
    BOOST_TEST(after_delete.exit_code == 2, after_delete.out << after_delete.err);
    BOOST_TEST(contains(after_delete.err, "is in use by another autokaggle process (pid unknown"), after_delete.err);
    test::write_text(lock, "999999\n");  // a stranger's file in its place
    const auto after_replace = run(root, {"--max-rounds", "1"});
    BOOST_TEST(after_replace.exit_code == 2, after_replace.out << after_replace.err);
    BOOST_TEST(!first.finished(), first.err());
    first.signal(SIGTERM);
    BOOST_TEST(first.wait() == 0, first.err());
}

BOOST_AUTO_TEST_CASE(concurrent_submits_keep_the_local_leaderboard_whole) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_local_workspace(root, json::object{{"seed", 5}}, json::object{{"max_submissions_per_day", 50}});
    constexpr int kSubmits = 6;
    std::vector<std::future<test::ProcessResult>> running;
    for (int i = 0; i < kSubmits; ++i)
        running.push_back(std::async(std::launch::async, [&, i] { return submit(root, "manual " + std::to_string(i)); }));
    for (auto& r : running) {
        const auto result = r.get();
        BOOST_TEST(result.exit_code == 0, result.out << result.err);
    }
    const auto board = json::parse(text(held_out(root) / "leaderboard.json")).as_object().at("submissions").as_array();
    BOOST_TEST(board.size() == static_cast<std::size_t>(kSubmits));
    std::set<std::string> refs, messages;
    for (const auto& e : board) {
        refs.insert(std::string(e.as_object().at("ref").as_string()));
        messages.insert(std::string(e.as_object().at("description").as_string()));
    }
    BOOST_TEST(refs.size() == static_cast<std::size_t>(kSubmits));
    BOOST_TEST(messages.size() == static_cast<std::size_t>(kSubmits));
}

BOOST_AUTO_TEST_CASE(submit_is_refused_while_a_campaign_runs) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_local_workspace(root, json::object{{"seed", 5}, {"sleep_ms", 300}}, {});
    Child campaign(root);
    wait_for(root / "rounds" / "R00_eda.md", campaign);
    const auto r = submit(root, "by hand");
    BOOST_TEST(r.exit_code == 2, r.out << r.err);
    BOOST_TEST(contains(r.err, "a campaign is running in"), r.err);
    BOOST_TEST(contains(r.err, "pid " + std::to_string(campaign.pid())), r.err);
    campaign.signal(SIGTERM);
    BOOST_TEST(campaign.wait() == 0, campaign.err());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(zero_submissions_per_day_means_none_everywhere) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_local_workspace(root, json::object{{"seed", 5}}, json::object{{"max_submissions_per_day", 0}});
    const auto v = validate(root);
    BOOST_TEST(contains(v.out, "max_submissions_per_day: warning: 0 means no submissions at all"), v.out << v.err);
    const auto by_hand = submit(root, "by hand");
    BOOST_TEST(by_hand.exit_code == 1, by_hand.out << by_hand.err);
    BOOST_TEST(contains(by_hand.err, "max_submissions_per_day is 0"), by_hand.err);
    const auto r = run(root, {"--max-rounds", "1"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    BOOST_TEST(contains(text(root / "rounds" / "R01_decision.md"), "no quota left today"));
    BOOST_TEST(!fs::exists(held_out(root) / "leaderboard.json"));
}

BOOST_AUTO_TEST_CASE(a_past_deadline_says_what_run_does) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 5}}, json::object{{"deadline", "2020-01-31"}});
    const auto v = validate(root);
    BOOST_TEST(contains(v.out, "2020-01-31 has passed: `run` stops at once, without running a round or submitting"),
               v.out << v.err);
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    BOOST_TEST(contains(r.out, "the deadline 2020-01-31 (end of that day, UTC) has passed, so no round runs and nothing "
                               "is submitted"),
               r.out);
    BOOST_TEST(results(root).empty());
}

BOOST_AUTO_TEST_CASE(unusable_data_stops_run_and_validate_naming_the_file_the_problem_and_the_fix) {
    struct Case {
        const char* file;
        std::string content;
        std::string problem;
    };
    std::string test_csv = "id,x\n", sample = "id,target\n";
    for (int i = 0; i < 20; ++i) {
        test_csv += std::to_string(100 + i) + "," + std::to_string(i * 0.3) + "\n";
        sample += std::to_string(i == 7 ? 999 : 100 + i) + ",0.0\n";
    }
    const std::vector<Case> cases{
        {"train.csv", "id,x,label\n1,0.5,1\n2,0.7,2\n", "target_column \"target\" is not a column of train.csv"},
        {"train.csv", "", "empty: expected a CSV file"},
        {"train.csv", "id,x,target\n", "has a header but no data rows"},
        {"train.csv", "id,x,target\n1,0.5,1.5\n", "has only 1 data row"},
        {"train.csv", "id,x,target\n1,0.5,1.5\n2,0.7,nan\n3,0.1,2.5\n",
         "target_column \"target\" has no value (empty or NaN) in 1 row(s), first at train.csv line 3"},
        {"test.csv", "id,x\n100,caf\xe9\n", "not UTF-8 text: byte 0xE9 on line 2"},
        {"sample_submission.csv", sample, "id \"999\" at sample_submission.csv line 9, column 'id' is not an id of test.csv"},
        {"test.csv", "id,x,extra\n100,0.1,3\n", "has column(s) train.csv lacks: extra"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        const fs::path root = dir / "ws";
        make_workspace(root, json::object{{"seed", 5}});
        test::write_text(root / "data" / c.file, c.content);
        const std::string where = std::string("data/") + c.file + ": ";
        const auto r = run(root);
        BOOST_TEST(r.exit_code == 2, c.problem << "\n" << r.out << r.err);
        BOOST_TEST(contains(r.err, where), c.problem << "\n" << r.err);
        BOOST_TEST(contains(r.err, c.problem), c.problem << "\n" << r.err);
        BOOST_TEST(results(root).empty(), c.problem);
        const auto v = validate(root);
        BOOST_TEST(v.exit_code == 2, c.problem << "\n" << v.out);
        BOOST_TEST(contains(v.out, where + c.problem.substr(0, 20)), c.problem << "\n" << v.out);
    }
}

BOOST_AUTO_TEST_CASE(each_agent_is_respawned_by_its_own_age) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 5}});  // respawn_every 5
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "3"}).exit_code == 0);
    // The builder started a new session at R03 (as after a change of its plugin).
    auto st = state(root);
    st["agents"].as_object()["builder"].as_object()["spawn_round"] = 3;
    test::write_text(root / "state.json", json::serialize(st));
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "8"}).exit_code == 0);
    const auto after = state(root);
    const auto& agents = after.at("agents").as_object();
    BOOST_TEST(agents.at("researcher").as_object().at("spawn_round").as_int64() == 5);
    BOOST_TEST(agents.at("reviewer").as_object().at("spawn_round").as_int64() == 5);
    BOOST_TEST(agents.at("builder").as_object().at("spawn_round").as_int64() == 8);
    BOOST_TEST(fs::exists(root / "agents" / "summary_R08.md"));
}

BOOST_AUTO_TEST_CASE(the_decision_reads_the_findings_and_records_the_recommendation) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 7}, {"reject_rounds", json::array{2}}});
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "2"}).exit_code == 0);
    const auto r1 = text(root / "rounds" / "R01_decision.md");
    BOOST_TEST(contains(r1, "- the Builder recommended: submit (R01 looks good)"), r1);
    BOOST_TEST(contains(r1, "- followed: yes"), r1);
    const auto r2 = text(root / "rounds" / "R02_decision.md");
    BOOST_TEST(contains(r2, "- followed: no: the Reviewer did not approve the result"), r2);
    BOOST_TEST((fs::last_write_time(root / "rounds" / "R02_findings.md") <=
                fs::last_write_time(root / "rounds" / "R02_decision.md")));
}

BOOST_AUTO_TEST_CASE(competition_dir_holds_the_data_when_data_dir_is_absent) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 7}}, json::object{{"competition_dir", "comp"}});
    fs::create_directories(root / "comp");
    fs::rename(root / "data", root / "comp" / "data");
    const auto v = validate(root);
    BOOST_TEST(v.exit_code == 0, v.out << v.err);
    const auto r = run(root, {"--max-rounds", "1"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    BOOST_TEST(results(root).at(1).status == "ok", results(root).at(1).description);
}
