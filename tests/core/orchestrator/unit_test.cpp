#define BOOST_TEST_MODULE orchestrator-unit
#include <boost/test/unit_test.hpp>

#include "base/atomic_file.hpp"
#include "orchestrator/campaign.hpp"
#include "orchestrator/experiments.hpp"
#include "orchestrator/policy.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/signals.hpp"
#include "orchestrator/state.hpp"
#include "orchestrator/workspace.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <atomic>
#include <thread>
#include <unistd.h>

using namespace autokaggle;
namespace fs = std::filesystem;
namespace chr = std::chrono;
using test::TempDir;
using test::read_text;
using test::write_text;

namespace {
CampaignState sample_state() {
    CampaignState s;
    s.round = 7;
    s.phase = "review";
    s.current.done["plan"] = PhaseRecord{"DONE", "rounds/R07_plan.md", "2026-01-01T00:00:00Z"};
    s.current.claimed_cv = 0.25;
    s.best_cv = 0.2;
    s.best_cv_round = 5;
    s.best_lb = 0.31;
    s.best_lb_round = 4;
    s.agents["builder"] = AgentRecord{"scripted", "builder-2", 5};
    s.submissions_per_day["2026-01-01"] = 2;
    SubmissionRecord sub;
    sub.round = 4;
    sub.ref = "sub-1";
    sub.description = "R04 gbm";
    sub.state = "complete";
    sub.lb = 0.31;
    s.submissions.push_back(sub);
    s.pending_submission = PendingSubmission{7, "R07 x", "rounds/R07_submission.csv", "2026-01-01T00:00:00Z", 0.19};
    s.usage_by_role["builder"] = Usage{10, 2, 0, 0, 0.5};
    s.usage_by_round[7] = Usage{10, 2, 0, 0, 0.5};
    s.run_records["R07_experiment"] = boost::json::object{{"pid", 1234}};
    s.cv_lb_divergence = true;
    s.divergence_note = "note";
    return s;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(state_file)

BOOST_AUTO_TEST_CASE(round_trips_every_field) {
    TempDir dir;
    StateStore store(dir / "state.json");
    store.save(sample_state());
    const auto loaded = store.load({});
    BOOST_TEST(loaded.round == 7);
    BOOST_TEST(loaded.phase == "review");
    BOOST_TEST(loaded.current.done.at("plan").token == "DONE");
    BOOST_TEST(*loaded.current.claimed_cv == 0.25);
    BOOST_TEST(*loaded.best_cv == 0.2);
    BOOST_TEST(loaded.best_lb_round == 4);
    BOOST_TEST(loaded.agents.at("builder").spawn_round == 5);
    BOOST_TEST(loaded.agents.at("builder").session == "builder-2");
    BOOST_TEST(loaded.submissions_per_day.at("2026-01-01") == 2);
    BOOST_TEST(loaded.submissions.at(0).lb.value() == 0.31);
    BOOST_TEST(loaded.pending_submission->description == "R07 x");
    BOOST_TEST(loaded.usage_by_role.at("builder").input_tokens == 10);
    BOOST_TEST(loaded.usage_by_round.at(7).usd == 0.5);
    BOOST_TEST(loaded.run_records.at("R07_experiment").as_object().at("pid").as_int64() == 1234);
    BOOST_TEST(loaded.cv_lb_divergence);
    BOOST_TEST(read_text(dir / "state.json") == read_text(dir / "state.json.bak"));
}

BOOST_AUTO_TEST_CASE(missing_files_start_a_new_campaign) {
    TempDir dir;
    const auto s = StateStore(dir / "state.json").load({});
    BOOST_TEST(s.round == 0);
    BOOST_TEST(s.phase == "start");
}

BOOST_AUTO_TEST_CASE(torn_empty_or_garbage_state_is_repaired_from_the_backup) {
    for (const std::string damage : {"", "{\"schema_version\": 1, \"round\": 3, \"pha", "not json", "   \n"}) {
        TempDir dir;
        StateStore store(dir / "state.json");
        store.save(sample_state());
        write_text(dir / "state.json", damage);
        std::vector<std::string> warnings;
        const auto s = store.load([&](const std::string& w) { warnings.push_back(w); });
        BOOST_TEST(s.round == 7);
        BOOST_TEST_REQUIRE(warnings.size() == 1u);
        BOOST_TEST(warnings[0].find("repaired") != std::string::npos);
        BOOST_TEST(warnings[0].find("state.json") != std::string::npos);
        // Repaired on disk too.
        BOOST_TEST(StateStore(dir / "state.json").load({}).round == 7);
        BOOST_TEST(read_text(dir / "state.json") == read_text(dir / "state.json.bak"));
    }
}

BOOST_AUTO_TEST_CASE(peek_reads_the_backup_without_writing) {
    TempDir dir;
    StateStore store(dir / "state.json");
    store.save(sample_state());
    write_text(dir / "state.json", "{");
    std::vector<std::string> warnings;
    BOOST_TEST(store.peek([&](const std::string& w) { warnings.push_back(w); }).round == 7);
    BOOST_TEST(read_text(dir / "state.json") == "{");
    BOOST_TEST(warnings.size() == 1u);
}

BOOST_AUTO_TEST_CASE(both_files_broken_is_an_error_naming_both) {
    TempDir dir;
    write_text(dir / "state.json", "{");
    write_text(dir / "state.json.bak", "");
    try {
        StateStore(dir / "state.json").load({});
        BOOST_FAIL("expected an error");
    } catch (const Error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("state.json ") != std::string::npos);
        BOOST_TEST(m.find("state.json.bak") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(wrong_field_types_and_versions_are_named) {
    TempDir dir;
    write_text(dir / "state.json", R"({"schema_version": 1, "round": "three"})");
    try {
        StateStore(dir / "state.json").load({});
        BOOST_FAIL("expected an error");
    } catch (const Error& e) {
        BOOST_TEST(std::string(e.what()).find("round") != std::string::npos);
    }
    write_text(dir / "state.json", R"({"schema_version": 99, "round": 1})");
    BOOST_CHECK_THROW(StateStore(dir / "state.json").load({}), Error);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_saved_as_json_that_reads_back) {
    TempDir dir;
    StateStore store(dir / "state.json");
    CampaignState s = sample_state();
    // An agent reply cut inside a character, a Latin-1 file name: raw bytes a JSON parser refuses.
    s.current.failure = std::string("plan: the reply '\xE5\xAE\x8C\xE6...' is not valid");
    s.current.verify_message = "caf\xE9";
    store.save(s);
    const CampaignState loaded = store.load({});
    BOOST_TEST(*loaded.current.failure == "plan: the reply '\xE5\xAE\x8C\xEF\xBF\xBD...' is not valid");
    BOOST_TEST(loaded.current.verify_message == "caf\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(numbers_out_of_range_are_named_not_misread) {
    TempDir dir;
    auto refused = [&](const std::string& text) {
        write_text(dir / "state.json", text);
        try {
            StateStore(dir / "state.json").load({});
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(read)");
    };
    // 1e400 reads as infinity, which JSON cannot hold: saved again it would be lost.
    BOOST_TEST(refused(R"({"schema_version": 1, "best": {"cv": 1e400}})").find("state.json.best.cv: expected a finite number") !=
               std::string::npos);
    BOOST_TEST(refused(R"({"schema_version": 1, "round": 1e300})").find("state.json.round: expected an integer") != std::string::npos);
    BOOST_TEST(refused(R"({"schema_version": 1, "budget_spent": {"by_round": {"x": {}}}})")
                   .find("state.json.budget_spent.by_round: \"x\" is not a round number") != std::string::npos);
    BOOST_TEST(refused(R"({"schema_version": 1, "budget_spent": {"by_role": {"a": {"input_tokens": -5}}}})")
                   .find("input_tokens: -5 is not a token count") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_long_integer_score_reads_the_same_before_and_after_a_save) {
    TempDir dir;
    // More digits than a double carries: read as written, it would change once saved and read back.
    write_text(dir / "state.json", R"({"schema_version": 1, "best": {"submitted_cv": 16843575248281131}})");
    const StateStore store(dir / "state.json");
    const CampaignState first = store.load({});
    store.save(first);
    const CampaignState again = store.load({});
    BOOST_TEST(*first.best_submitted_cv == *again.best_submitted_cv);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(results_file)

BOOST_AUTO_TEST_CASE(rows_round_trip_and_upsert_by_round) {
    TempDir dir;
    std::vector<ResultRow> rows;
    upsert_result(rows, ResultRow{2, "rounds/R02_experiment.py", "0.5", "", "ok", "no", "t2", "b"});
    upsert_result(rows, ResultRow{0, "", "", "", "eda", "no", "t0", "eda"});
    upsert_result(rows, ResultRow{1, "s", "crash", "", "crash", "no", "t1", "has\ttab"});
    upsert_result(rows, ResultRow{2, "rounds/R02_experiment.py", "0.4", "0.41", "ok", "yes", "t2b", "b2"});
    write_results(dir / "results.tsv", rows);
    const auto text = read_text(dir / "results.tsv");
    BOOST_TEST(text.rfind(std::string(kResultsHeader) + "\n", 0) == 0u);
    const auto back = read_results(dir / "results.tsv", {});
    BOOST_TEST_REQUIRE(back.rows.size() == 3u);
    BOOST_TEST(back.rows[0].round == 0);
    BOOST_TEST(back.rows[1].description == "has tab");
    BOOST_TEST(back.rows[2].cv_score == "0.4");
    BOOST_TEST(back.rows[2].submitted == "yes");
    BOOST_TEST(!back.repaired);
}

BOOST_AUTO_TEST_CASE(half_written_last_line_is_dropped_with_a_warning) {
    TempDir dir;
    for (const std::string tail : {"1\trounds/R01_exp", "1\tx\t0.5\t\tok\tno\t2026-01-01T00:00:00Z\tdesc"}) {
        write_text(dir / "results.tsv", std::string(kResultsHeader) + "\n0\t\t\t\teda\tno\tt0\teda\n" + tail);
        std::vector<std::string> warnings;
        const auto back = read_results(dir / "results.tsv", [&](const std::string& w) { warnings.push_back(w); });
        BOOST_TEST(back.rows.size() == 1u);
        BOOST_TEST(back.repaired);
        BOOST_TEST_REQUIRE(warnings.size() == 1u);
        BOOST_TEST(warnings[0].find("dropped") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_broken_line_in_the_middle_is_an_error_with_its_line_number) {
    TempDir dir;
    write_text(dir / "results.tsv", std::string(kResultsHeader) + "\nbroken\n0\t\t\t\teda\tno\tt\td\n");
    try {
        read_results(dir / "results.tsv", {});
        BOOST_FAIL("expected an error");
    } catch (const Error& e) {
        BOOST_TEST(std::string(e.what()).find("results.tsv:2") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(scores_are_formatted_stably) {
    BOOST_TEST(format_score(0.5) == "0.5");
    BOOST_TEST(format_score(0.123456789) == "0.123457");
    BOOST_TEST(format_score(2.0) == "2.0");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(experiments_round_trip_and_upsert) {
    TempDir dir;
    ExperimentRegistry reg;
    Experiment e;
    e.id = "R01";
    e.round = 1;
    e.family = "gbm";
    e.features = {"a", "b"};
    e.params = boost::json::object{{"depth", 3}};
    e.cv = 0.3;
    e.oof = "rounds/R01_oof.npy";
    e.status = "ok";
    upsert_experiment(reg, e);
    e.cv = 0.25;
    upsert_experiment(reg, e);
    reg.correlations["R01|R02"] = 0.9;
    write_experiments(dir / "experiments.json", reg);
    const auto back = read_experiments(dir / "experiments.json");
    BOOST_TEST_REQUIRE(back.experiments.size() == 1u);
    BOOST_TEST(*back.experiments[0].cv == 0.25);
    BOOST_TEST(back.experiments[0].features.size() == 2u);
    BOOST_TEST(back.experiments[0].params.at("depth").as_int64() == 3);
    BOOST_TEST(back.correlations.at("R01|R02").as_double() == 0.9);
    write_text(dir / "experiments.json", R"({"schema_version": 1, "experiments": [{"round": 1}]})");
    BOOST_CHECK_THROW(read_experiments(dir / "experiments.json"), Error);
}

BOOST_AUTO_TEST_CASE(plan_lines_give_family_features_params) {
    const auto s = summarize_plan("# R03 lightgbm with lags\n\n- Family: lightgbm\n- features: lag1, lag2 , mean7\nparams: {\"lr\": 0.05}\n");
    BOOST_TEST(s.title == "R03 lightgbm with lags");
    BOOST_TEST(s.family == "lightgbm");
    BOOST_TEST(s.features == (std::vector<std::string>{"lag1", "lag2", "mean7"}), boost::test_tools::per_element());
    BOOST_TEST(s.params.at("lr").as_double() == 0.05);
    BOOST_TEST(summarize_plan("just text").family == "unknown");
}

BOOST_AUTO_TEST_CASE(a_plan_that_is_not_utf8_still_gives_a_registry_that_reads_back) {
    TempDir dir;
    const PlanSummary plan = summarize_plan("# Plan\nfamily: r\xE9gression\nparams: {\"alpha\": 1e400}\n");
    Experiment e;
    e.id = "R01";
    e.family = plan.family;
    e.params = plan.params;
    ExperimentRegistry reg;
    reg.experiments.push_back(e);
    write_experiments(dir / "experiments.json", reg);
    const ExperimentRegistry back = read_experiments(dir / "experiments.json");
    BOOST_TEST(back.experiments.at(0).family == "r\xEF\xBF\xBDgression");
    BOOST_TEST(back.experiments.at(0).params.at("alpha").is_null());  // JSON has no infinity
}

BOOST_AUTO_TEST_CASE(learnings_are_upserted_per_round) {
    TempDir dir;
    const auto f = dir / "LEARNINGS.md";
    const auto l3 = extract_learnings("# F\n\ntext\n\n## Learnings\n- deeper trees overfit\n* lags help\n\n## Next\n- not this\n");
    BOOST_TEST(l3 == (std::vector<std::string>{"deeper trees overfit", "lags help"}), boost::test_tools::per_element());
    update_learnings(f, 3, l3);
    update_learnings(f, 4, {"four"});
    const auto once = read_text(f);
    update_learnings(f, 3, l3);
    BOOST_TEST(read_text(f) == once);
    update_learnings(f, 3, {"changed"});
    const auto text = read_text(f);
    BOOST_TEST(text.find("deeper trees") == std::string::npos);
    BOOST_TEST(text.find("- changed") < text.find("## R04"));
    BOOST_TEST(text.find("- four") != std::string::npos);
    update_learnings(f, 9, {});
    BOOST_TEST(read_text(f).find("R09") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(submission_policy)

namespace {
SubmissionPolicy policy() {
    SubmissionPolicy p;
    p.min_improvement = 0.001;
    p.endgame_days = 3;
    p.endgame_min_improvement = 0.01;
    p.max_submissions_per_day = 2;
    return p;
}
SubmissionInputs inputs(double cv, std::optional<double> best, Direction d = Direction::higher) {
    SubmissionInputs in;
    in.verified_cv = cv;
    in.best_submitted_cv = best;
    in.best_submitted_round = 3;
    in.direction = d;
    in.deadline = "2030-06-30";
    in.now = chr::sys_days{chr::year{2030} / 6 / 1} + chr::hours{12};
    return in;
}
}  // namespace

BOOST_AUTO_TEST_CASE(first_verified_score_is_submitted) {
    const auto d = decide_submission(policy(), inputs(0.8, std::nullopt));
    BOOST_TEST(d.submit);
    BOOST_TEST(d.reason.find("first") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(margin_is_direction_aware) {
    BOOST_TEST(decide_submission(policy(), inputs(0.8015, 0.8)).submit);
    BOOST_TEST(!decide_submission(policy(), inputs(0.8005, 0.8)).submit);
    BOOST_TEST(!decide_submission(policy(), inputs(0.7, 0.8)).submit);
    BOOST_TEST(decide_submission(policy(), inputs(0.2985, 0.3, Direction::lower)).submit);
    BOOST_TEST(!decide_submission(policy(), inputs(0.2995, 0.3, Direction::lower)).submit);
    const auto d = decide_submission(policy(), inputs(0.31, 0.3, Direction::lower));
    BOOST_TEST(!d.submit);
    BOOST_TEST(d.reason.find("lower is better") != std::string::npos);
    BOOST_TEST(d.reason.find("R03") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unverified_unapproved_or_disabled_is_not_submitted) {
    auto in = inputs(0.9, 0.8);
    in.verified_cv.reset();
    in.unverified_reason = "claimed 0.9 but recomputed 0.7";
    auto d = decide_submission(policy(), in);
    BOOST_TEST(!d.submit);
    BOOST_TEST(d.reason.find("recomputed 0.7") != std::string::npos);
    in = inputs(0.9, 0.8);
    in.reviewer_approved = false;
    BOOST_TEST(!decide_submission(policy(), in).submit);
    auto p = policy();
    p.enabled = false;
    BOOST_TEST(!decide_submission(p, inputs(0.9, 0.8)).submit);
}

BOOST_AUTO_TEST_CASE(quota_is_counted_per_utc_day_and_the_leaderboard_limit_wins) {
    auto in = inputs(0.9, 0.8);
    in.used_today = 1;
    BOOST_TEST(decide_submission(policy(), in).submit);
    in.used_today = 2;
    auto d = decide_submission(policy(), in);
    BOOST_TEST(!d.submit);
    BOOST_TEST(d.reason.find("no quota left today (2030-06-01 UTC: 2 of 2 used)") != std::string::npos);
    in.used_today = 1;
    in.limit_today = 1;
    BOOST_TEST(!decide_submission(policy(), in).submit);
}

BOOST_AUTO_TEST_CASE(deadline_passed_means_no_submission) {
    auto in = inputs(0.9, 0.8);
    in.now = chr::sys_days{chr::year{2030} / 7 / 1} + chr::minutes{1};
    const auto d = decide_submission(policy(), in);
    BOOST_TEST(!d.submit);
    BOOST_TEST(d.reason.find("deadline 2030-06-30 has passed") != std::string::npos);
    in.now = chr::sys_days{chr::year{2030} / 6 / 30} + chr::hours{23};  // the deadline day itself still counts
    BOOST_TEST(decide_submission(policy(), in).submit);
}

BOOST_AUTO_TEST_CASE(endgame_applies_the_larger_margin) {
    auto in = inputs(0.805, 0.8);
    BOOST_TEST(decide_submission(policy(), in).submit);  // 25+ days left: margin 0.001
    in.now = chr::sys_days{chr::year{2030} / 6 / 29};    // 2 days left: margin 0.01
    auto d = decide_submission(policy(), in);
    BOOST_TEST(d.endgame);
    BOOST_TEST(!d.submit);
    BOOST_TEST(d.reason.find("endgame margin 0.01") != std::string::npos);
    in.verified_cv = 0.811;
    BOOST_TEST(decide_submission(policy(), in).submit);
}

BOOST_AUTO_TEST_CASE(bad_deadline_is_a_config_error) {
    BOOST_CHECK_THROW(deadline_end("30/06/2030"), ConfigError);
    BOOST_CHECK_THROW(deadline_end("2030-02-30"), ConfigError);
    BOOST_TEST(!deadline_end("").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tokens)

BOOST_AUTO_TEST_CASE(each_phase_accepts_only_its_tokens) {
    for (Phase p : {Phase::eda, Phase::research, Phase::plan, Phase::findings, Phase::retro}) {
        BOOST_TEST(token_problem(p, "DONE").empty());
        BOOST_TEST(token_problem(p, " DONE\n").empty());
        BOOST_TEST(!token_problem(p, "done").empty());
        BOOST_TEST(!token_problem(p, "APPROVED").empty());
        BOOST_TEST(!token_problem(p, "DONE\nextra").empty());
    }
    for (Phase p : {Phase::review, Phase::verify}) {
        BOOST_TEST(token_problem(p, "APPROVED").empty());
        BOOST_TEST(token_problem(p, "REVISE: too shallow").empty());
        BOOST_TEST(!token_problem(p, "REVISE:").empty());
        BOOST_TEST(!token_problem(p, "DONE").empty());
    }
    BOOST_TEST(token_problem(Phase::revise, "REVISED").empty());
    BOOST_TEST(!token_problem(Phase::revise, "DONE").empty());
    BOOST_TEST(token_problem(Phase::code, "CV_SCORE=0.8123").empty());
    BOOST_TEST(token_problem(Phase::code, "CV_SCORE=-1e-3").empty());
    BOOST_TEST(token_problem(Phase::code, "CV_SCORE=crash").empty());
    BOOST_TEST(!token_problem(Phase::code, "CV_SCORE=").empty());
    BOOST_TEST(!token_problem(Phase::code, "CV_SCORE=nan").empty());
    BOOST_TEST(!token_problem(Phase::code, "CV_SCORE=0.8 maybe").empty());
    const auto why = token_problem(Phase::plan, "I think it went well");
    BOOST_TEST(why.find("'I think it went well'") != std::string::npos);
    BOOST_TEST(why.find("plan phase") != std::string::npos);
    BOOST_TEST(why.find("DONE") != std::string::npos);
    // A long reply is cut for the message at a character boundary, never inside a character.
    std::string long_reply;
    for (int i = 0; i < 40; ++i) long_reply += "\xE5\xAE\x8C";  // 完, three bytes each
    const auto cut = token_problem(Phase::plan, long_reply);
    BOOST_TEST(cut.find("\xE5\xAE\x8C...'") != std::string::npos, cut);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(workspace)

BOOST_AUTO_TEST_CASE(round_files_are_named_like_the_seed) {
    WorkspacePaths p;
    p.root = "/w";
    p.rounds = "/w/rounds";
    BOOST_TEST(round_file(p, 7, "plan.md") == fs::path("/w/rounds/R07_plan.md"));
    BOOST_TEST(round_file(p, 123, "eda.md") == fs::path("/w/rounds/R123_eda.md"));
    BOOST_TEST(workspace_relative(p, "/w/rounds/R07_oof.npy") == "rounds/R07_oof.npy");
    BOOST_TEST(workspace_relative(p, "/elsewhere/x.npy") == "/elsewhere/x.npy");
}

BOOST_AUTO_TEST_CASE(the_lock_is_exclusive_and_names_its_holder) {
    TempDir dir;
    {
        WorkspaceLock lock(dir.path());
        BOOST_TEST(read_text(WorkspaceLock::lock_file(dir.path())) == std::to_string(::getpid()) + "\n");
        try {
            WorkspaceLock second(dir.path());
            BOOST_FAIL("a second lock must fail");
        } catch (const LockHeldError& e) {
            BOOST_TEST(e.pid() == ::getpid());
            BOOST_TEST(std::string(e.what()).find("pid " + std::to_string(::getpid())) != std::string::npos);
        }
    }
    WorkspaceLock again(dir.path());  // released on destruction
}

// `status` and `serve` look at the lock while a campaign may be starting: a look never makes the
// start fail.
BOOST_AUTO_TEST_CASE(a_look_at_the_lock_never_refuses_a_start) {
    TempDir dir;
    std::atomic<bool> done{false};
    std::thread looker([&] {
        while (!done) (void)WorkspaceLock::holder(dir.path());
    });
    int refused = 0;
    for (int i = 0; i < 300; ++i) {
        try {
            WorkspaceLock lock(dir.path());
        } catch (const LockHeldError&) {
            ++refused;
        }
    }
    done = true;
    looker.join();
    BOOST_TEST(refused == 0);
}

BOOST_AUTO_TEST_CASE(sigterm_becomes_a_stop_request) {
    SignalWatcher watcher;
    BOOST_TEST(!watcher.stop_requested());
    ::raise(SIGTERM);
    for (int i = 0; i < 200 && !watcher.stop_requested(); ++i) std::this_thread::sleep_for(chr::milliseconds(5));
    BOOST_TEST(watcher.stop_requested());
    BOOST_TEST(watcher.signal() == SIGTERM);
}

BOOST_AUTO_TEST_SUITE_END()
