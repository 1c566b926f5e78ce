#define BOOST_TEST_MODULE orchestrator-campaign
#include <boost/test/unit_test.hpp>

#include "campaign_support.hpp"
#include "fixture/script.hpp"
#include "metrics/csv.hpp"
#include "metrics/npy.hpp"
#include "orchestrator/policy.hpp"

#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <thread>

using namespace orchtest;
using autokaggle::format_score;
using autokaggle::test::TempDir;
namespace chr = std::chrono;

namespace {
std::string tag(int r) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "R%02d", r);
    return buf;
}
fs::path rounds(const fs::path& root) { return root / "rounds"; }
std::string day_offset(int days) {
    return autokaggle::utc_day(chr::system_clock::now() + chr::days{days});
}
double as_double(const json::value& v) { return v.to_number<double>(); }
}  // namespace

BOOST_AUTO_TEST_CASE(a_twelve_round_campaign_keeps_every_record) {
    TempDir dir;
    const fs::path root = dir / "ws";
    const long long seed = 7;
    make_workspace(root, json::object{{"seed", seed},
                                      {"revise_rounds", json::array{2}},
                                      {"crash_rounds", json::array{4}},
                                      {"reject_rounds", json::array{6}},
                                      {"scrape_fail_rounds", json::array{3}},
                                      {"claim_offset", json::object{{"8", 0.05}}}},
                   json::object{{"max_submissions_per_day", 10}});
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    BOOST_TEST(contains(r.out, "max_rounds"));

    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 13u);
    std::map<int, std::string> expected_status{{0, "eda"}, {4, "crash"}, {8, "unverified"}};
    for (int n = 0; n <= 12; ++n) {
        const auto& row = rows[static_cast<std::size_t>(n)];
        BOOST_TEST(row.round == n);
        const std::string want = expected_status.count(n) ? expected_status[n] : "ok";
        BOOST_TEST(row.status == want, tag(n) << " status " << row.status);
        if (want == "ok") {
            // The metric plugin's mae of the fixture's OOF is exactly the scripted error.
            BOOST_TEST(row.cv_score == format_score(fixture::round_error(seed, n)), tag(n));
            BOOST_TEST(row.script == "rounds/" + tag(n) + "_experiment.py");
        }
    }
    BOOST_TEST(rows[4].cv_score == "crash");
    BOOST_TEST(contains(rows[8].description, "claimed CV"));
    BOOST_TEST(contains(rows[2].description, "(revised)"));
    BOOST_TEST(contains(text(rounds(root) / "R02_plan.md"), "(revised)"));
    BOOST_TEST(rows[6].submitted == "no");
    BOOST_TEST(contains(text(rounds(root) / "R06_decision.md"), "the Reviewer did not approve"));
    BOOST_TEST(!fs::exists(rounds(root) / "R03_research_raw.md"));
    BOOST_TEST(fs::exists(rounds(root) / "R04_research_raw.md"));
    BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "scraper failed"));

    // Retro only at R10, and the plan of R10 is pointed at it.
    for (int n = 1; n <= 12; ++n) BOOST_TEST(fs::exists(rounds(root) / (tag(n) + "_retro.md")) == (n == 10), tag(n));
    BOOST_TEST(contains(text(rounds(root) / "R10_plan.md"), "starting from the retrospective R10_retro.md"));
    BOOST_TEST(contains(text(rounds(root) / "R10_plan.md"), "- R10_retro.md"));

    // Re-spawns at R05 and R10 with summaries written by the core.
    BOOST_TEST(fs::exists(root / "agents" / "summary_R05.md"));
    BOOST_TEST(fs::exists(root / "agents" / "summary_R10.md"));
    BOOST_TEST(!fs::exists(root / "agents" / "summary_R11.md"));
    BOOST_TEST(contains(text(root / "agents" / "summary_R10.md"), "| R09 |"));
    const auto st = state(root);
    for (const char* role : {"researcher", "builder", "reviewer"}) {
        const auto& a = st.at("agents").as_object().at(role).as_object();
        BOOST_TEST(a.at("spawn_round").as_int64() == 10, role);
        BOOST_TEST(a.at("session").as_string() == std::string(role) + "-3", role);
    }

    // Submissions: the ledger (the leaderboard's truth) agrees with state.json and results.tsv,
    // nothing twice, each one beat the best submitted CV by the margin.
    const auto led = ledger(root);
    const auto& subs = st.at("submissions").as_array();
    BOOST_TEST_REQUIRE(led.size() == subs.size());
    BOOST_TEST(led.size() >= 3u);
    std::set<std::string> descriptions;
    std::optional<double> best;
    std::set<int> submitted_rounds;
    for (std::size_t i = 0; i < led.size(); ++i) {
        const auto& l = led[i].as_object();
        const auto& s = subs[i].as_object();
        BOOST_TEST(descriptions.insert(std::string(l.at("description").as_string())).second);
        BOOST_TEST(s.at("ref").as_string() == l.at("ref").as_string());
        BOOST_TEST(s.at("state").as_string() == "complete");
        BOOST_TEST(as_double(s.at("lb")) == as_double(l.at("score")), boost::test_tools::tolerance(1e-12));
        const int round = static_cast<int>(s.at("round").as_int64());
        submitted_rounds.insert(round);
        BOOST_TEST(contains(std::string(l.at("description").as_string()), tag(round) + " "));
        const double cv = fixture::round_error(seed, round);
        if (best) BOOST_TEST(cv < *best - 0.005, tag(round));
        best = cv;
        BOOST_TEST(fs::exists(rounds(root) / (tag(round) + "_submission.csv")));
    }
    // Every round that qualified was submitted (quota 10/day is never reached here).
    std::optional<double> best_submitted;
    for (const auto& row : rows) {
        const bool qualifies = row.status == "ok" && row.round != 6 &&
                               (!best_submitted || fixture::round_error(seed, row.round) < *best_submitted - 0.005);
        BOOST_TEST((row.submitted == "yes") == qualifies, tag(row.round));
        BOOST_TEST((row.submitted == "yes") == (submitted_rounds.count(row.round) == 1), tag(row.round));
        if (qualifies) best_submitted = fixture::round_error(seed, row.round);
        if (row.round > 0) BOOST_TEST(contains(text(rounds(root) / (tag(row.round) + "_decision.md")), "## Submission decision"), tag(row.round));
        if (row.submitted == "yes") BOOST_TEST(!row.lb.empty());
    }

    // state.json agrees with results.tsv.
    BOOST_TEST(st.at("round").as_int64() == 13);
    BOOST_TEST(st.at("stop").as_object().at("reason").as_string() == "max_rounds");
    double best_cv = 1e9;
    int best_round = -1;
    for (const auto& row : rows)
        if (row.status == "ok" && fixture::round_error(seed, row.round) < best_cv) {
            best_cv = fixture::round_error(seed, row.round);
            best_round = row.round;
        }
    BOOST_TEST(st.at("best").as_object().at("cv_round").as_int64() == best_round);
    BOOST_TEST(format_score(as_double(st.at("best").as_object().at("cv"))) == format_score(best_cv));
    BOOST_TEST(st.at("budget_spent").as_object().at("by_role").as_object().size() == 3u);

    // The registry: one experiment per round with code, paths relative, correlations.
    const auto reg = json::parse(text(root / "experiments.json")).as_object();
    BOOST_TEST(reg.at("schema_version").as_int64() == 1);
    const auto& exps = reg.at("experiments").as_array();
    BOOST_TEST(exps.size() == 12u);
    const auto& e1 = exps[0].as_object();
    BOOST_TEST(e1.at("id").as_string() == "R01");
    BOOST_TEST(e1.at("family").as_string() == "gbm");
    BOOST_TEST(e1.at("oof").as_string() == "rounds/R01_oof.npy");
    BOOST_TEST(e1.at("features").as_array().size() == 2u);
    BOOST_TEST(exps[3].as_object().at("status").as_string() == "crash");
    BOOST_TEST(!reg.at("correlations").as_object().empty());

    // LEARNINGS.md from the findings.
    const auto learnings = text(root / "LEARNINGS.md");
    for (int n = 1; n <= 12; ++n) BOOST_TEST(contains(learnings, "## " + tag(n) + "\n- rule " + tag(n)), tag(n));

    // status, text and JSON.
    const auto s = status_of(root);
    BOOST_TEST_REQUIRE(s.exit_code == 0, s.err);
    BOOST_TEST(contains(s.out, "R13, phase start"));
    BOOST_TEST(contains(s.out, "best CV    " + format_score(best_cv) + " (" + tag(best_round) + ")"));
    BOOST_TEST(contains(s.out, "results (last 10 of 13)"));
    BOOST_TEST(contains(s.out, "builder    scripted, spawned at R10"));
    BOOST_TEST(contains(s.out, std::to_string(10 - static_cast<int>(led.size())) + " of 10 left"));
    BOOST_TEST(!contains(s.out, "| R02 |"));
    const auto sj = status_of(root, {"--json", "--rows", "3"});
    BOOST_TEST_REQUIRE(sj.exit_code == 0, sj.err);
    const auto j = json::parse(sj.out).as_object();
    BOOST_TEST(j.at("round").as_int64() == 13);
    BOOST_TEST(j.at("results").as_array().size() == 3u);
    BOOST_TEST(j.at("results").as_array()[2].as_object().at("round").as_int64() == 12);
    BOOST_TEST(j.at("submissions").as_object().at("today").as_int64() == static_cast<long long>(led.size()));
    BOOST_TEST(j.at("agents").as_object().at("reviewer").as_object().at("spawn_round").as_int64() == 10);
}

BOOST_AUTO_TEST_CASE(malformed_replies_and_missing_files_are_retried_once_then_fail_the_round) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 3},
                                      {"revise_rounds", json::array{4}},
                                      {"faults", json::object{{"R00_eda", "bad_token_once"},
                                                              {"R01_research", "bad_token"},
                                                              {"R02_plan", "no_output"},
                                                              {"R03_review", "multi_line"},
                                                              {"R04_revise", "bad_token"},
                                                              {"R05_code", "throw"},
                                                              {"R06_verify", "no_output"},
                                                              {"R07_findings", "bad_token"},
                                                              {"R08_plan", "no_output_once"},
                                                              {"R09_code", "bad_token_once"},
                                                              {"R10_retro", "no_output"}}}},
                   json::object{{"budget", json::object{{"max_rounds", 11}}}});
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 12u);
    BOOST_TEST(rows[0].status == "eda");
    const std::map<int, std::string> failures{
        {1, "failed at research: the reply 'I think it went well' is not a valid token for the research phase"},
        {2, "failed at plan: the output file rounds/R02_plan.md is missing or empty"},
        {3, "failed at review: the reply"},
        {4, "failed at revise: the reply 'I think it went well' is not a valid token for the revise phase; answer exactly REVISED"},
        {5, "failed at code: the previous attempt failed:"},
        {6, "failed at verify: the output file rounds/R06_verify.md is missing or empty"},
        {7, "failed at findings: the reply"},
        {10, "failed at retro: the output file rounds/R10_retro.md is missing or empty"}};
    for (const auto& [n, why] : failures) {
        const auto& row = rows[static_cast<std::size_t>(n)];
        BOOST_TEST(row.status == "failed", tag(n));
        // R07 fails after its submission decision (at findings): a submission may stand.
        if (n != 7) BOOST_TEST(row.submitted == "no", tag(n));
        BOOST_TEST(contains(row.description, why), tag(n) << ": " << row.description);
    }
    BOOST_TEST(contains(rows[5].description, "scripted failure of code"));
    for (int n : {8, 9, 11}) BOOST_TEST(rows[static_cast<std::size_t>(n)].status == "ok", tag(n));
    // The retry carried the problem; phases after a failure did not run.
    const auto builder = text(root / "agents" / "builder" / "problems.log");
    BOOST_TEST(contains(builder, "R00 eda: the reply 'I think it went well' is not a valid token for the eda phase"));
    BOOST_TEST(contains(builder, "R02 plan: the output file rounds/R02_plan.md is missing or empty"));
    BOOST_TEST(contains(builder, "R08 plan: the output file rounds/R08_plan.md is missing or empty"));
    BOOST_TEST(contains(builder, "R09 code: the reply 'I think it went well'"));
    BOOST_TEST(contains(text(root / "agents" / "reviewer" / "problems.log"), "R03 review: the reply"));
    BOOST_TEST(!fs::exists(rounds(root) / "R01_plan.md"));
    BOOST_TEST(!fs::exists(rounds(root) / "R06_decision.md"));
    BOOST_TEST(!fs::exists(rounds(root) / "R10_research_brief.md"));
    // A failed round submits nothing; the first good verified round does.
    for (const auto& s : ledger(root)) {
        const std::string d(s.as_object().at("description").as_string());
        for (int n : {1, 2, 3, 4, 5, 6, 10}) BOOST_TEST(d.rfind(tag(n) + " ", 0) != 0, d);
    }
    BOOST_TEST(!ledger(root).empty());
}

BOOST_AUTO_TEST_CASE(a_second_run_exits_2_naming_the_pid_and_sigterm_stops_cleanly) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 5}, {"sleep_ms", 200}});
    Child first(root);
    // Wait until the first run holds the lock and has started a round.
    for (int i = 0; i < 3000 && !fs::exists(root / "rounds" / "R00_eda.md"); ++i) std::this_thread::sleep_for(chr::milliseconds(20));
    BOOST_TEST_REQUIRE(!first.finished(), first.err());
    const auto second = run(root);
    BOOST_TEST(second.exit_code == 2);
    BOOST_TEST(contains(second.err, "pid " + std::to_string(first.pid())), second.err);
    const auto s = status_of(root);
    BOOST_TEST(contains(s.out, "running    yes (pid " + std::to_string(first.pid()) + ")"), s.out);

    first.signal(SIGTERM);
    BOOST_TEST(first.wait() == 0, first.err());
    const auto st = state(root);
    BOOST_TEST(st.at("stop").as_object().at("reason").as_string() == "SIGTERM");
    BOOST_TEST(!st.at("stop").as_object().at("at").as_string().empty());
    BOOST_TEST(contains(status_of(root).out, "SIGTERM"));

    // The same command resumes.
    auto script = json::object{{"seed", 5}};
    autokaggle::test::write_text(root / "script.json", json::serialize(script));
    const auto resumed = run(root, {"--max-rounds", "1"});
    BOOST_TEST_REQUIRE(resumed.exit_code == 0, resumed.err);
    BOOST_TEST(results(root).size() == 2u);
}

BOOST_AUTO_TEST_CASE(max_rounds_is_absolute_across_resumes) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 9}});
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "2"}).exit_code == 0);
    BOOST_TEST(results(root).size() == 3u);
    const auto again = run(root, {"--max-rounds", "2"});
    BOOST_TEST(again.exit_code == 0);
    BOOST_TEST(contains(again.out, "0 round(s) finished"));
    BOOST_TEST(results(root).size() == 3u);
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "4"}).exit_code == 0);
    BOOST_TEST(results(root).size() == 5u);
    BOOST_TEST(run(root, {"--max-rounds", "-1"}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(torn_state_and_a_half_written_results_line_are_repaired_on_start) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 11}});
    BOOST_TEST_REQUIRE(run(root, {"--max-rounds", "2"}).exit_code == 0);
    const auto good = text(root / "results.tsv");
    autokaggle::test::write_text(root / "results.tsv", good + "3\trounds/R03_exper");
    autokaggle::test::write_text(root / "state.json", text(root / "state.json").substr(0, 100));
    const auto s = status_of(root);
    BOOST_TEST(s.exit_code == 0);
    BOOST_TEST(contains(s.out, "half-written"), s.out);
    BOOST_TEST(contains(s.out, "state.json is not valid JSON"), s.out);
    BOOST_TEST(contains(s.out, "R03, phase start"), s.out);
    const auto r = run(root, {"--max-rounds", "3"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    const auto log = text(root / "logs" / "autokaggle.log");
    BOOST_TEST(contains(log, "half-written"));
    BOOST_TEST(contains(log, "R03_exper'"));
    BOOST_TEST(contains(log, "repaired from the last good copy"));
    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 4u);
    BOOST_TEST(rows[3].status == "ok");
    BOOST_TEST(state(root).at("round").as_int64() == 4);
}

BOOST_AUTO_TEST_CASE(a_crash_between_upload_and_record_never_submits_twice) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 13}});
    autokaggle::test::write_text(root / "crash_after_submit", "x");
    const auto crashed = run(root, {"--max-rounds", "2"});
    BOOST_TEST_REQUIRE(crashed.signal == SIGKILL, crashed.out << crashed.err);
    const auto pending = state(root).at("pending_submission");
    BOOST_TEST_REQUIRE(pending.is_object());
    BOOST_TEST(pending.as_object().at("round").as_int64() == 1);
    BOOST_TEST(ledger(root).size() == 1u);

    const auto resumed = run(root, {"--max-rounds", "2"});
    BOOST_TEST_REQUIRE(resumed.exit_code == 0, resumed.err);
    const auto led = ledger(root);
    std::set<std::string> descriptions;
    for (const auto& s : led) BOOST_TEST(descriptions.insert(std::string(s.as_object().at("description").as_string())).second);
    BOOST_TEST(contains(std::string(led[0].as_object().at("description").as_string()), "R01 "));
    const auto st = state(root);
    BOOST_TEST(st.at("pending_submission").is_null());
    BOOST_TEST(st.at("submissions").as_array().size() == led.size());
    BOOST_TEST(st.at("submissions").as_array()[0].as_object().at("ref").as_string() == "sub-1");
    const auto rows = results(root);
    BOOST_TEST(rows[1].submitted == "yes");
    BOOST_TEST(!rows[1].lb.empty());
    BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "reached the leaderboard as sub-1"));
}

// A submission that fails in any way (the file cannot be written, the leaderboard refuses it or
// cannot be reached) is recorded and the campaign goes on; it never hangs (the run is given 60 s,
// a hang fails the test) and never submits twice.
BOOST_AUTO_TEST_CASE(a_failed_submission_is_recorded_and_the_campaign_goes_on) {
    const auto run_briefly = [](const fs::path& root, const std::string& max_rounds) {
        return autokaggle::test::run_cli({"run", root.string(), "--quiet", "--max-rounds", max_rounds}, {}, {},
                                         std::chrono::seconds(60));
    };
    {  // the CSV cannot be written: a folder sits where its temporary file goes
        TempDir dir;
        const fs::path root = dir / "ws";
        make_workspace(root, json::object{{"seed", 7}});
        fs::create_directories(rounds(root) / "R01_submission.csv.tmp");
        const auto r = run_briefly(root, "1");
        BOOST_TEST_REQUIRE(!r.timed_out, "the campaign hung after a failed submission");
        BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
        BOOST_TEST(ledger(root).empty());
        BOOST_TEST(results(root).at(1).submitted == "no");
        BOOST_TEST(state(root).at("round").as_int64() == 2);
        BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "could not be built"));
        fs::remove_all(rounds(root) / "R01_submission.csv.tmp");
        const auto resumed = run_briefly(root, "2");
        BOOST_TEST_REQUIRE(resumed.exit_code == 0, resumed.err);
        BOOST_TEST(ledger(root).size() == 1u);
        BOOST_TEST(results(root).at(2).submitted == "yes");
    }
    {  // refused with a 4xx: nothing arrived, nothing stays pending
        TempDir dir;
        const fs::path root = dir / "ws";
        make_workspace(root, json::object{{"seed", 7}});
        autokaggle::test::write_text(root / "refuse_submit", "x");
        const auto r = run_briefly(root, "1");
        BOOST_TEST_REQUIRE(!r.timed_out, "the campaign hung after a refused submission");
        BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
        BOOST_TEST(state(root).at("pending_submission").is_null());
        BOOST_TEST(contains(text(rounds(root) / "R01_decision.md"), "submit"));
        BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "refused the submission"));
    }
    {  // unreachable: the upload may have arrived, so it stays pending until the leaderboard answers
        TempDir dir;
        const fs::path root = dir / "ws";
        make_workspace(root, json::object{{"seed", 7}});
        autokaggle::test::write_text(root / "leaderboard_down", "x");
        const auto r = run_briefly(root, "1");
        BOOST_TEST_REQUIRE(!r.timed_out, "the campaign hung with the leaderboard unreachable");
        BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
        BOOST_TEST_REQUIRE(state(root).at("pending_submission").is_object(), text(root / "logs" / "autokaggle.log"));
        const auto down_again = run_briefly(root, "2");  // still down: round 2 must not submit
        BOOST_TEST_REQUIRE(down_again.exit_code == 0, down_again.err);
        BOOST_TEST(ledger(root).empty());
        BOOST_TEST(results(root).at(2).submitted == "no");
        fs::remove(root / "leaderboard_down");
        const auto up = run_briefly(root, "3");
        BOOST_TEST_REQUIRE(up.exit_code == 0, up.err);
        BOOST_TEST(state(root).at("pending_submission").is_null());
        BOOST_TEST(ledger(root).size() == 1u);
        BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "never reached the leaderboard"));
    }
}

BOOST_AUTO_TEST_CASE(quota_is_respected_from_config_and_from_the_leaderboard) {
    for (const bool leaderboard_limit : {false, true}) {
        TempDir dir;
        const fs::path root = dir / "ws";
        json::object overrides{{"budget", json::object{{"max_rounds", 5}}}};
        if (leaderboard_limit) overrides["submitter"] = json::object{{"plugin", "ledger"}, {"options", json::object{{"quota", 1}}}};
        else overrides["max_submissions_per_day"] = 1;
        make_workspace(root, json::object{{"seed", 7}}, overrides);
        const auto r = run(root);
        BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
        BOOST_TEST(ledger(root).size() == 1u);
        int refused = 0;
        for (int n = 2; n <= 5; ++n) {
            if (contains(text(rounds(root) / (tag(n) + "_decision.md")), "no quota left today")) ++refused;
        }
        BOOST_TEST(refused >= 1);
    }
}

BOOST_AUTO_TEST_CASE(endgame_margin_and_deadline_stop) {
    TempDir dir;
    const fs::path root = dir / "ws";
    json::object overrides{{"deadline", day_offset(1)},
                           {"budget", json::object{{"max_rounds", 4}}},
                           {"orchestrator", json::object{{"endgame_days", 3}, {"endgame_min_improvement", 0.5}}}};
    make_workspace(root, json::object{{"seed", 7}}, overrides);
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    BOOST_TEST(ledger(root).size() == 1u);
    BOOST_TEST(contains(text(rounds(root) / "R02_decision.md"), "endgame margin 0.5"));

    TempDir late;
    const fs::path past = late / "ws";
    overrides["deadline"] = day_offset(-1);
    make_workspace(past, json::object{{"seed", 7}}, overrides);
    const auto p = run(past);
    BOOST_TEST_REQUIRE(p.exit_code == 0, p.err);
    BOOST_TEST(state(past).at("stop").as_object().at("reason").as_string() == "deadline");
    BOOST_TEST(results(past).empty());
    BOOST_TEST(ledger(past).empty());
}

BOOST_AUTO_TEST_CASE(a_spending_budget_stops_the_campaign) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 7}}, json::object{{"budget", json::object{{"max_usd", 0.035}}}});
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    const auto st = state(root);
    BOOST_TEST(st.at("stop").as_object().at("reason").as_string() == "max_usd");
    BOOST_TEST(as_double(st.at("budget_spent").as_object().at("total").as_object().at("usd")) >= 0.035);
    BOOST_TEST(st.at("round").as_int64() <= 1);
}

BOOST_AUTO_TEST_CASE(experiments_run_through_the_configured_runner) {
    TempDir dir;
    const fs::path root = dir / "ws";
    const long long seed = 17;
    make_workspace(root, json::object{{"seed", seed}, {"runner_rounds", json::array{1, 2}}},
                   json::object{{"budget", json::object{{"max_rounds", 2}}},
                                {"kill_gate", json::object{{"enabled", false}}}});
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 3u);
    for (int n : {1, 2}) {
        const auto& row = rows[static_cast<std::size_t>(n)];
        BOOST_TEST(row.status == "ok", tag(n) << ": " << row.description);
        BOOST_TEST(row.cv_score == format_score(fixture::round_error(seed, n)), tag(n));
        BOOST_TEST(contains(text(rounds(root) / (tag(n) + "_run.log")), "FOLD 5 SCORE="), tag(n));
    }
    BOOST_TEST(state(root).at("run_records").as_object().empty());
}

BOOST_AUTO_TEST_CASE(a_failed_eda_is_recorded_and_the_campaign_goes_on) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 2}, {"faults", json::object{{"R00_eda", "no_output"}, {"R01_code", "bad_token"}}}},
                   json::object{{"budget", json::object{{"max_rounds", 2}}}});
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[0].status == "failed");
    BOOST_TEST(contains(rows[0].description, "failed at eda: the output file rounds/R00_eda.md is missing or empty"));
    BOOST_TEST(rows[1].status == "failed");
    BOOST_TEST(contains(rows[1].description, "failed at code: the reply 'I think it went well' is not a valid token for the code phase"));
    BOOST_TEST(rows[2].status == "ok");
    BOOST_TEST(contains(text(root / "agents" / "builder" / "problems.log"), "R00 eda: the output file rounds/R00_eda.md"));
}

BOOST_AUTO_TEST_CASE(a_token_budget_stops_the_campaign) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 7}}, json::object{{"budget", json::object{{"max_tokens", 3000}}}});
    const auto r = run(root);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    const auto st = state(root);
    BOOST_TEST(st.at("stop").as_object().at("reason").as_string() == "max_tokens");
    const auto& total = st.at("budget_spent").as_object().at("total").as_object();
    BOOST_TEST(total.at("input_tokens").as_int64() + total.at("output_tokens").as_int64() >= 3000);
    BOOST_TEST(contains(status_of(root).out, "stopped    R01 "));
}

BOOST_AUTO_TEST_CASE(existing_experiments_are_registered_once_with_a_recomputed_cv) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, json::object{{"seed", 2}},
                   json::object{{"existing_oof_dir", "old"}});
    fs::create_directories(root / "old");
    const auto train = autokaggle::metrics::read_csv(root / "data" / "train.csv", {"target"});
    const auto truth = train.numbers("target");
    std::vector<double> oof(truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) oof[i] = truth[i] + (i % 2 ? 0.25 : -0.25);
    autokaggle::metrics::write_npy(root / "old" / "xgb_oof.npy", autokaggle::metrics::NpyArray::vector(oof));
    autokaggle::metrics::write_npy(root / "old" / "xgb_test.npy", autokaggle::metrics::NpyArray::vector(std::vector<double>(20, 1.0)));
    autokaggle::metrics::write_npy(root / "old" / "short_oof.npy", autokaggle::metrics::NpyArray::vector({1.0, 2.0}));
    autokaggle::metrics::write_npy(root / "old" / "short_test.npy", autokaggle::metrics::NpyArray::vector(std::vector<double>(20, 1.0)));
    for (int pass = 0; pass < 2; ++pass) {
        const auto r = run(root, {"--max-rounds", "0"});
        BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    }
    const auto reg = json::parse(text(root / "experiments.json")).as_object();
    const auto& exps = reg.at("experiments").as_array();
    BOOST_TEST_REQUIRE(exps.size() == 1u);
    const auto& e = exps[0].as_object();
    BOOST_TEST(e.at("id").as_string() == "existing:xgb");
    BOOST_TEST(e.at("round").as_int64() == -1);
    BOOST_TEST(e.at("oof").as_string() == "old/xgb_oof.npy");
    BOOST_TEST(e.at("test").as_string() == "old/xgb_test.npy");
    BOOST_TEST(as_double(e.at("cv")) == 0.25, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(contains(text(root / "logs" / "autokaggle.log"), "short_oof.npy"));
}
