// The dashboard without a network or a browser: path confinement, the file allowlist, results.tsv
// read by column name, the access rule (bind address, token, Host), the routes, and a campaign
// read while its files change (torn state, a growing run log, a restarted run, secrets).
#define BOOST_TEST_MODULE dashboard_unit
#include <boost/test/unit_test.hpp>

#include "dashboard_support.hpp"

#include "orchestrator/results.hpp"
#include "orchestrator/state.hpp"
#include "orchestrator/workspace.hpp"
#include "serve/router.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
namespace json = boost::json;
using autokaggle::test::TempDir;
using autokaggle::test::write_text;
using namespace autokaggle::serve;

namespace {

json::object parse(const std::string& text) { return json::parse(text).as_object(); }

Request get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {{"Host", "127.0.0.1:8765"}}) {
    Request r;
    r.target = std::move(target);
    r.headers = std::move(headers);
    return r;
}

std::shared_ptr<CampaignWatch> watch(const fs::path& root, std::string id = "camp") {
    return std::make_shared<CampaignWatch>(std::move(id), root);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(confinement)

BOOST_AUTO_TEST_CASE(traversal_absolute_and_encoded_paths_are_refused) {
    for (const char* path : {"../config.json", "rounds/../../etc/passwd", "%2e%2e/config.json", "%2E%2E%2Fconfig.json",
                             "rounds/%2e%2e/config.json", "rounds/..%2fconfig.json", "%252e%252e/config.json",
                             "rounds/%252fR01_plan.md", "/etc/passwd", "%2fetc%2fpasswd", "rounds\\..\\config.json",
                             "rounds/R01_plan.md%00.txt", "rounds//R01_plan.md", "./results.tsv", "rounds/.", "rounds/",
                             "", "%zz", "rounds/R01_plan.md%2", "rounds/R01\nplan.md"}) {
        std::string why;
        BOOST_TEST(!decode_relative_path(path, why).has_value(), "accepted: " << path);
        BOOST_TEST(!why.empty());
    }
    std::string why;
    BOOST_TEST(decode_relative_path("rounds/R01%5Fplan.md", why).value_or("") == "rounds/R01_plan.md");
}

BOOST_AUTO_TEST_CASE(only_the_files_the_page_needs_are_served) {
    for (const char* ok : {"results.tsv", "experiments.json", "LEARNINGS.md", "logs/autokaggle.log", "blends/blend.json",
                           "rounds/R01_plan.md", "rounds/R12_run.log.partial", "rounds/R100_experiment.py", "rounds/R00_eda.md"})
        BOOST_TEST(served_path(ok), ok);
    for (const char* no : {"config.json", "state.json", "answers.csv", "leaderboard.json", "agents/builder/session.json",
                           "agents/summary_R05.md", "data/train.csv", "rounds/R01_submission.csv", "rounds/R01_oof.npy",
                           "logs/other.log", "rounds/plan.md", "rounds/Rxx_plan.md", "rounds/R1_plan.md", ".autokaggle.lock",
                           "knowledge/notes.md", "blends/blend_submission.csv", "script.json", "state.json.bak"})
        BOOST_TEST(!served_path(no), no);
}

BOOST_AUTO_TEST_CASE(serve_answers_400_403_404_and_200) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    const WorkspaceFiles files(dir.path());
    BOOST_TEST(files.serve("..%2Fconfig.json").status == 400);
    BOOST_TEST(files.serve("config.json").status == 403);
    BOOST_TEST(files.serve("answers.csv").status == 403);
    BOOST_TEST(files.serve("rounds/R07_plan.md").status == 404);
    const auto plan = files.serve("rounds/R01_plan.md");
    BOOST_TEST(plan.status == 200);
    BOOST_TEST(plan.text == "# R01 plan: linear\nfamily: linear\n");
}

BOOST_AUTO_TEST_CASE(symbolic_links_are_never_followed) {
    TempDir outside, dir;
    dashtest::record_campaign(dir.path());
    write_text(outside / "secret.md", "outside the workspace\n");
    write_text(outside / "R01_findings.md", "outside the workspace\n");
    fs::create_symlink(outside / "secret.md", dir / "rounds" / "R01_verify.md");         // a file link out
    fs::create_symlink(dir / "rounds" / "R01_plan.md", dir / "rounds" / "R01_decision.md");  // a file link inside
    fs::create_directories(dir / "logs");
    fs::remove_all(dir / "blends");
    fs::create_symlink(outside.path(), dir / "blends");  // a folder link out
    write_text(outside / "blend.json", "{}");
    const WorkspaceFiles files(dir.path());
    for (const char* path : {"rounds/R01_verify.md", "rounds/R01_decision.md", "blends/blend.json"}) {
        const auto read = files.serve(path);
        BOOST_TEST(read.status == 404, path);
        BOOST_TEST(read.text.empty());
        BOOST_TEST(read.message.find("symbolic link") != std::string::npos, read.message);
    }
    // The round listing skips links too.
    const auto listed = files.list("rounds", "R01_");
    BOOST_TEST((std::find(listed.begin(), listed.end(), "R01_verify.md") == listed.end()));
    // The workspace folder itself may be reached through a link.
    TempDir links;
    fs::create_symlink(dir.path(), links / "ws");
    BOOST_TEST(WorkspaceFiles(links / "ws").serve("rounds/R01_plan.md").status == 200);
}

BOOST_AUTO_TEST_CASE(logs_are_read_from_their_end_and_documents_up_to_a_limit) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    std::string log;
    for (int i = 0; i < 20000; ++i) log += "line " + std::to_string(i) + " of the campaign log\n";
    write_text(dir / "logs" / "autokaggle.log", log);
    const WorkspaceFiles files(dir.path());
    const auto tail = files.serve("logs/autokaggle.log");
    BOOST_TEST(tail.status == 200);
    BOOST_TEST(tail.truncated);
    BOOST_TEST(tail.size == log.size());
    BOOST_TEST(tail.text.size() <= WorkspaceFiles::kTailBytes);
    BOOST_TEST(tail.text.rfind("line ", 0) == 0);  // starts at a whole line
    BOOST_TEST(tail.text.find("line 19999 of the campaign log\n") != std::string::npos);
    BOOST_TEST(tail.text.find("line 100 of") == std::string::npos);
    write_text(dir / "rounds" / "R02_plan.md", std::string(WorkspaceFiles::kMaxWholeBytes + 5000, 'x'));
    const auto big = files.serve("rounds/R02_plan.md");
    BOOST_TEST(big.text.size() == WorkspaceFiles::kMaxWholeBytes);
    BOOST_TEST(big.truncated);
}

BOOST_AUTO_TEST_CASE(a_fifo_is_refused_without_blocking) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    BOOST_REQUIRE(::mkfifo((dir / "rounds" / "R05_run.log").c_str(), 0644) == 0);
    const auto read = WorkspaceFiles(dir.path()).serve("rounds/R05_run.log");
    BOOST_TEST(read.status == 404);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(results_table)

BOOST_AUTO_TEST_CASE(columns_are_read_by_name_and_unknown_ones_ignored) {
    std::vector<std::string> warnings;
    const auto rows = parse_results_table(
        "round\tregime\tscript\tcv_score\tlb\tstatus\tsubmitted\ttimestamp\tdescription\tusd\n"
        "1\tkfold5\trounds/R01_experiment.py\t0.81\t0.79\tok\tyes\t2026-04-01T09:10:00Z\tlinear\t0.5\n",
        warnings);
    BOOST_TEST(warnings.empty());
    BOOST_REQUIRE(rows.size() == 1u);
    const auto& r = rows[0].as_object();
    BOOST_TEST(r.at("cv_score").as_string() == "0.81");
    BOOST_TEST(r.at("status").as_string() == "ok");
    BOOST_TEST(r.at("description").as_string() == "linear");
}

BOOST_AUTO_TEST_CASE(broken_lines_are_skipped_with_a_warning) {
    std::vector<std::string> warnings;
    const auto rows = parse_results_table(std::string(autokaggle::kResultsHeader) +
                                              "\n1\t\t0.8\t\tok\tno\tt\td\n"
                                              "2\tonly three\tfields\n"
                                              "3\t\t0.9\t\tok\tno\tt\td\n"
                                              "4\t\t0.95\t\tok",
                                          warnings);
    BOOST_TEST(rows.size() == 2u);
    BOOST_TEST(warnings.size() == 2u);
    // Without a header the documented columns apply.
    warnings.clear();
    const auto headless = parse_results_table("5\t\t0.7\t\tok\tno\tt\td\n", warnings);
    BOOST_REQUIRE(headless.size() == 1u);
    BOOST_TEST(headless[0].as_object().at("cv_score").as_string() == "0.7");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(access_rule)

BOOST_AUTO_TEST_CASE(any_address_but_loopback_needs_a_token) {
    for (const char* loopback : {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) BOOST_TEST(bind_refusal(loopback, "").empty(), loopback);
    for (const char* open : {"0.0.0.0", "::", "192.168.1.5", "10.0.0.1"}) {
        const auto refusal = bind_refusal(open, "");
        BOOST_TEST(refusal.find("--token") != std::string::npos, open << ": " << refusal);
        BOOST_TEST(bind_refusal(open, "a-long-token").empty());
    }
}

BOOST_AUTO_TEST_CASE(with_a_token_every_request_must_carry_it) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    const Router router({watch(dir.path())}, AccessRule{"s3cret-token-1", false});
    const std::vector<std::string> targets{"/", "/c/camp/", "/assets/campaign.js", "/api/campaigns", "/api/c/camp/summary",
                                           "/api/c/camp/file/rounds/R01_plan.md", "/api/c/camp/events"};
    for (const auto& t : targets) {
        const auto r = router.handle(get(t));
        BOOST_TEST(r.status == 401, t);
        BOOST_TEST(!r.events);
        BOOST_TEST(r.body.find("# R01") == std::string::npos);
        BOOST_TEST(router.handle(get(t, {{"Authorization", "Bearer wrong-token-1"}})).status == 401, t);
        BOOST_TEST(router.handle(get(t, {{"Cookie", "autokaggle_token=s3cret-token-2"}})).status == 401, t);
    }
    BOOST_TEST(router.handle(get("/api/c/camp/file/rounds/R01_plan.md", {{"Authorization", "Bearer s3cret-token-1"}})).status == 200);
    BOOST_TEST(router.handle(get("/api/c/camp/summary", {{"Cookie", "a=b; autokaggle_token=s3cret-token-1"}})).status == 200);
    BOOST_TEST(router.handle(get("/api/c/camp/summary", {{"X-Autokaggle-Token", "s3cret-token-1"}})).status == 200);
    // A first visit with ?token= sets the cookie and drops the token from the address.
    const auto first = router.handle(get("/c/camp/?x=1&token=s3cret-token-1"));
    BOOST_TEST(first.status == 303);
    std::map<std::string, std::string> h(first.headers.begin(), first.headers.end());
    BOOST_TEST(h["Location"] == "/c/camp/?x=1");
    BOOST_TEST(h["Set-Cookie"].find("autokaggle_token=s3cret-token-1") == 0u);
    BOOST_TEST(h["Set-Cookie"].find("HttpOnly") != std::string::npos);
    BOOST_TEST(h["Set-Cookie"].find("SameSite=Strict") != std::string::npos);
    BOOST_TEST(router.handle(get("/c/camp/?token=s3cret-token-X")).status == 401);
    // The icon browsers fetch for the refusal page too is no secret.
    const auto icon = router.handle(get("/favicon.ico"));
    BOOST_TEST(icon.status == 200);
    BOOST_TEST(icon.content_type.find("svg") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_a_token_only_loopback_host_names_are_answered) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    const Router router({watch(dir.path())}, AccessRule{});
    for (const char* host : {"127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"})
        BOOST_TEST(router.handle(get("/api/c/camp/summary", {{"Host", host}})).status == 200, host);
    for (const char* host : {"evil.example:8765", "127.0.0.1.evil.example", ""})
        BOOST_TEST(router.handle(get("/api/c/camp/summary", {{"Host", host}})).status == 403, host);
}

BOOST_AUTO_TEST_CASE(routes) {
    TempDir a, b;
    dashtest::record_campaign(a.path());
    dashtest::record_campaign(b.path());
    const Router one({watch(a.path())}, AccessRule{});
    auto r = one.handle(get("/"));
    BOOST_TEST(r.status == 303);
    BOOST_TEST(r.headers.at(0).second == "/c/camp/");
    const Router two({watch(a.path(), "a"), watch(b.path(), "b")}, AccessRule{});
    r = two.handle(get("/"));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.content_type.find("text/html") == 0u);
    BOOST_TEST(r.body.find("/assets/index.js") != std::string::npos);
    BOOST_TEST(two.handle(get("/c/a")).status == 303);
    r = two.handle(get("/c/a/"));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body.find("/assets/campaign.js") != std::string::npos);
    BOOST_TEST(two.handle(get("/c/zz/")).status == 404);
    BOOST_TEST(two.handle(get("/c/a/extra")).status == 404);
    r = two.handle(get("/assets/chart.js"));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.content_type.find("text/javascript") == 0u);
    BOOST_TEST(r.from_binary);
    BOOST_TEST(two.handle(get("/assets/../config.json")).status == 404);
    const auto list = json::parse(two.handle(get("/api/campaigns")).body).as_array();
    BOOST_REQUIRE(list.size() == 2u);
    BOOST_TEST(list[1].as_object().at("id").as_string() == "b");
    BOOST_TEST(list[1].as_object().at("competition").as_string() == "pima-diabetes");
    const auto round = parse(two.handle(get("/api/c/a/round/1")).body);
    std::vector<std::string> names;
    for (const auto& f : round.at("files").as_array()) names.emplace_back(f.as_object().at("name").as_string());
    BOOST_TEST((names == std::vector<std::string>{"plan.md", "review.md", "experiment.py"}));
    BOOST_TEST(two.handle(get("/api/c/a/round/x1")).status == 404);
    BOOST_TEST(two.handle(get("/api/c/a/file/config.json")).status == 403);
    BOOST_TEST(two.handle(get("/api/c/a/file/rounds/..%2f..%2fconfig.json")).status == 400);
    BOOST_TEST(two.handle(get("/api/c/a/file/rounds/R01_submission.csv")).status == 403);
    BOOST_TEST(two.handle(get("/api/c/a/events")).events != nullptr);
    Request post = get("/api/c/a/summary");
    post.method = "POST";
    r = two.handle(post);
    BOOST_TEST(r.status == 405);
    BOOST_TEST(r.headers.at(0).second == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(campaign_ids_come_from_folder_names) {
    const auto ids = campaign_ids({"/x/My Comp", "/y/my comp", "/z/s6e4_v2/", "/w/..."});
    BOOST_TEST((ids == std::vector<std::string>{"my-comp", "my-comp-2", "s6e4_v2", "campaign"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(campaign)

BOOST_AUTO_TEST_CASE(summary_joins_results_registry_spend_and_blend) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    const auto s = parse(watch(dir.path())->refresh(std::chrono::milliseconds(0)).summary);
    BOOST_TEST(s.at("competition").as_string() == "pima-diabetes");
    BOOST_TEST(s.at("metric").as_string() == "auc_roc");
    BOOST_TEST(s.at("cv_folds").as_int64() == 5);
    BOOST_TEST(s.at("round").as_int64() == 4);
    const auto& rounds = s.at("rounds").as_array();
    BOOST_REQUIRE(rounds.size() == 4u);
    const auto& r1 = rounds[1].as_object();
    BOOST_TEST(r1.at("round").as_int64() == 1);
    BOOST_TEST(r1.at("family").as_string() == "linear");
    BOOST_TEST(r1.at("usd").as_double() == 0.25);
    BOOST_TEST(r1.at("tokens").as_int64() == 1200);
    BOOST_TEST(rounds[2].as_object().at("status").as_string() == "killed_fold1");
    BOOST_TEST(s.at("experiments").as_array().size() == 2u);
    BOOST_TEST(s.at("correlations").as_object().at("R01|R03").as_double() == 0.93);
    const auto& blend = s.at("blend").as_object();
    BOOST_TEST(blend.at("models").as_array().size() == 2u);
    BOOST_TEST(!blend.contains("secret_extra"));
    BOOST_TEST(s.at("warnings").as_array().empty());
}

BOOST_AUTO_TEST_CASE(a_torn_or_missing_state_is_read_from_its_copy_and_never_stops_the_page) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    auto campaign = watch(dir.path());
    const autokaggle::StateStore store(dir / "state.json");
    const auto good_state = store.load(nullptr);
    const auto good = campaign->refresh(std::chrono::milliseconds(0));
    write_text(dir / "state.json", "{\"schema_version\": 1, \"round\": ");  // torn
    auto s = parse(campaign->refresh(std::chrono::milliseconds(0)).summary);
    BOOST_TEST(s.at("round").as_int64() == 4);
    BOOST_TEST(json::serialize(s.at("warnings")).find("state.json") != std::string::npos);
    fs::remove(dir / "state.json");  // missing for a moment
    s = parse(campaign->refresh(std::chrono::milliseconds(0)).summary);
    BOOST_TEST(s.at("round").as_int64() == 4);
    write_text(dir / "state.json.bak", "garbage");  // both unreadable: the last good reading stays
    write_text(dir / "state.json", "garbage");
    const auto snap = campaign->refresh(std::chrono::milliseconds(0));
    s = parse(snap.summary);
    BOOST_TEST(s.at("round").as_int64() == 4);
    BOOST_TEST(s.at("rounds").as_array().size() == 4u);
    BOOST_TEST(json::serialize(s.at("warnings")).find("cannot read the campaign") != std::string::npos);
    BOOST_TEST(!parse(snap.live).empty());
    store.save(good_state);  // the campaign writes again
    s = parse(campaign->refresh(std::chrono::milliseconds(0)).summary);
    BOOST_TEST(s.at("warnings").as_array().empty(), json::serialize(s.at("warnings")));
    BOOST_TEST(campaign->refresh(std::chrono::milliseconds(0)).summary_version > good.summary_version);
}

BOOST_AUTO_TEST_CASE(versions_change_only_with_the_content) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    auto campaign = watch(dir.path());
    const auto a = campaign->refresh(std::chrono::milliseconds(0));
    const auto b = campaign->refresh(std::chrono::milliseconds(0));
    BOOST_TEST(a.summary_version == b.summary_version);
    BOOST_TEST(a.live_version == b.live_version);
    write_text(dir / "logs" / "autokaggle.log", "2026-04-01T10:00:00Z INFO  orchestrator: R04 plan (builder)\n");
    const auto c = campaign->refresh(std::chrono::milliseconds(0));
    BOOST_TEST(c.live_version == b.live_version + 1);
    BOOST_TEST(c.live.find("R04 plan (builder)") != std::string::npos);
    BOOST_TEST(c.summary_version == b.summary_version);
}

BOOST_AUTO_TEST_CASE(the_running_experiment_is_followed_through_its_log_and_a_restart) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    autokaggle::StateStore store(dir / "state.json");
    auto state = store.load(nullptr);
    state.phase = "code";
    state.run_records["R04_experiment"] = json::object{{"runner", "local"}, {"pid", 111}};
    store.save(state);
    write_text(dir / "rounds" / "R04_run.log.partial", "loading data\nFOLD 1 SCORE=0.80\n");
    auto campaign = watch(dir.path());
    auto live = parse(campaign->refresh(std::chrono::milliseconds(0)).live);
    auto run = live.at("run").as_object();
    BOOST_TEST(run.at("round").as_int64() == 4);
    BOOST_TEST(run.at("folds_done").as_int64() == 1);
    BOOST_TEST(run.at("folds_total").as_int64() == 5);
    BOOST_TEST(run.at("log").as_string() == "rounds/R04_run.log.partial");
    BOOST_TEST(run.at("started_at").as_double() > 0);
    {
        std::ofstream append(dir / "rounds" / "R04_run.log.partial", std::ios::app);
        append << "FOLD 2 SCORE=0.81\nFOLD 3 SCO";
    }
    run = parse(campaign->refresh(std::chrono::milliseconds(0)).live).at("run").as_object();
    BOOST_TEST(run.at("folds_done").as_int64() == 2);
    {
        std::ofstream append(dir / "rounds" / "R04_run.log.partial", std::ios::app);
        append << "RE=0.82\n";
    }
    run = parse(campaign->refresh(std::chrono::milliseconds(0)).live).at("run").as_object();
    BOOST_TEST(run.at("folds_done").as_int64() == 3);
    BOOST_TEST(run.at("fold_scores").as_array().at(2).as_object().at("score").as_double() == 0.82);
    // A fold the script reports without a score (the core scores it) counts, with no score: the
    // page gets JSON it can parse (no NaN).
    {
        std::ofstream append(dir / "rounds" / "R04_run.log.partial", std::ios::app);
        append << "FOLD 4 DONE\n";
    }
    const std::string text = campaign->refresh(std::chrono::milliseconds(0)).live;
    BOOST_TEST(text.find("NaN") == std::string::npos, text);
    run = parse(text).at("run").as_object();
    BOOST_TEST(run.at("folds_done").as_int64() == 4);
    BOOST_TEST(run.at("fold_scores").as_array().at(3).as_object().at("score").is_null());
    // The campaign restarts: a new record for the same label, the log started over.
    state.run_records["R04_experiment"] = json::object{{"runner", "local"}, {"pid", 222}};
    store.save(state);
    write_text(dir / "rounds" / "R04_run.log.partial", "FOLD 1 SCORE=0.70\n");
    run = parse(campaign->refresh(std::chrono::milliseconds(0)).live).at("run").as_object();
    BOOST_TEST(run.at("folds_done").as_int64() == 1);
    BOOST_TEST(run.at("fold_scores").as_array().at(0).as_object().at("score").as_double() == 0.70);
    // The same run's log replaced by a shorter one is read again from its start.
    write_text(dir / "rounds" / "R04_run.log.partial", "FOLD 1 SCORE=0.6\n");
    run = parse(campaign->refresh(std::chrono::milliseconds(0)).live).at("run").as_object();
    BOOST_TEST(run.at("fold_scores").as_array().at(0).as_object().at("score").as_double() == 0.60);
    // The run ends: the record is gone and its log installed under the final name.
    fs::rename(dir / "rounds" / "R04_run.log.partial", dir / "rounds" / "R04_run.log");
    state.run_records.clear();
    store.save(state);
    BOOST_TEST(parse(campaign->refresh(std::chrono::milliseconds(0)).live).at("run").is_null());
}

BOOST_AUTO_TEST_CASE(running_while_a_run_holds_the_lock) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    auto campaign = watch(dir.path());
    {
        autokaggle::WorkspaceLock lock(dir.path());
        const auto live = parse(campaign->refresh(std::chrono::milliseconds(0)).live);
        BOOST_TEST(live.at("running_pid").as_int64() == ::getpid());
    }
    BOOST_TEST(parse(campaign->refresh(std::chrono::milliseconds(0)).live).at("running_pid").is_null());
}

BOOST_AUTO_TEST_CASE(secrets_never_leave_the_server) {
    TempDir dir;
    dashtest::record_campaign(dir.path());
    const std::string key = "sk-dashtest-0123456789abcdef";
    BOOST_REQUIRE(::setenv("DASHTEST_API_KEY", key.c_str(), 1) == 0);
    write_text(dir / "rounds" / "R01_findings.md", "the key is " + key + "\n");
    write_text(dir / "logs" / "autokaggle.log", "leaked " + key + "\n");
    auto rows = autokaggle::read_results(dir / "results.tsv", nullptr).rows;
    rows[1].description = "plan with " + key;
    autokaggle::write_results(dir / "results.tsv", rows);
    const Router router({watch(dir.path())}, AccessRule{});
    std::string everything;
    for (const char* t : {"/api/c/camp/summary", "/api/c/camp/live", "/api/c/camp/file/rounds/R01_findings.md",
                          "/api/c/camp/file/logs/autokaggle.log", "/api/campaigns", "/api/c/camp/file/nope" })
        everything += router.handle(get(t)).body;
    everything += watch(dir.path())->refresh().summary;
    ::unsetenv("DASHTEST_API_KEY");
    BOOST_TEST(everything.find(key) == std::string::npos);
    BOOST_TEST(everything.find("[redacted]") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
