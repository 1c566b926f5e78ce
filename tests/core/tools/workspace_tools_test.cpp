// The standard tools over a real workspace (the shipped pima-diabetes competition) with the real
// plugins, as `autokaggle mcp` builds them: run_python through the local runner (EDA without a
// record), run_experiment through the configured runner with the kill gate and the core's
// verification, the blend as the round's experiment, the leaderboard, the held-out answers out of
// reach, the Kaggle research tools against a fake Kaggle, fetch_url limited to its hosts, and the
// facts the prompts state.
#define BOOST_TEST_MODULE tools_workspace
#include <boost/test/unit_test.hpp>

#include "tools_support.hpp"

#include "support/fake_kaggle.hpp"
#include "support/kaggle_support.hpp"
#include "orchestrator/experiments.hpp"
#include "tools/run_journal.hpp"

#include <regex>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(run_python_runs_eda_without_any_record) {
    ToolWorkspace w;
    w.set_state(0, "eda");
    const auto r = w.call("builder", "run_python",
                          {{"code", "import numpy as np, pandas as pd\n"
                                    "df = pd.read_csv('data/train.csv')\n"
                                    "print('rows', len(df), 'columns', df.shape[1])\n"
                                    "np.save('probe.npy', np.arange(5))\n"
                                    "print('sum', np.load('probe.npy').sum())\n"}});
    BOOST_TEST_MESSAGE(r.content);
    BOOST_TEST(!r.is_error, r.content);
    BOOST_TEST(r.content.find("status: ok") != std::string::npos, r.content);
    BOOST_TEST(std::regex_search(r.content, std::regex("rows \\d+ columns 10")), r.content);
    BOOST_TEST(r.content.find("sum 10") != std::string::npos, r.content);
    // The output is what the code printed: the runner's notes (a memory cap without cgroups) are apart.
    const auto output = r.content.find("--- output ---\nrows ");
    BOOST_TEST(output != std::string::npos, r.content);
    BOOST_TEST(r.content.find("[runner]", output) == std::string::npos, r.content);
    // A failing script is a result to read, never a crash record.
    const auto crash = w.call("reviewer", "run_python", {{"code", "raise ValueError('bad analysis')"}});
    BOOST_TEST(!crash.is_error);
    BOOST_TEST(crash.content.find("status: crash") != std::string::npos, crash.content);
    BOOST_TEST(crash.content.find("ValueError: bad analysis") != std::string::npos, crash.content);
    const auto slow = w.call("researcher", "run_python", {{"code", "import time\ntime.sleep(30)"}, {"timeout_s", 1}});
    BOOST_TEST(slow.content.find("status: timeout") != std::string::npos, slow.content);
    for (const char* record : {"results.tsv", "experiments.json", "rounds/R00_run.json", "rounds/R00_run.log"})
        BOOST_TEST(!fs::exists(w.ws / record), record);
    BOOST_TEST(fs::exists(w.ws / "scratch" / "builder" / "R00_001.py"));
}

BOOST_AUTO_TEST_CASE(run_experiment_belongs_to_the_builder_in_the_code_phase) {
    ToolWorkspace w;
    w.write("rounds/R01_experiment.py", experiment_script("LogisticRegression(max_iter=500)", 4));
    w.set_state(1, "plan");
    const auto early = w.call("builder", "run_experiment", {{"script", "rounds/R01_experiment.py"}});
    BOOST_TEST(early.is_error);
    BOOST_TEST(early.content.find("code phase") != std::string::npos, early.content);
    const auto researcher = w.call("researcher", "run_experiment", {{"script", "rounds/R01_experiment.py"}});
    BOOST_TEST(researcher.is_error);
    BOOST_TEST(researcher.content.find("unknown tool") != std::string::npos, researcher.content);
    BOOST_TEST(!fs::exists(w.ws / "rounds" / "R01_run.log"));
}

BOOST_AUTO_TEST_CASE(run_experiment_answers_with_the_verified_cv_and_runs_a_script_once) {
    ToolWorkspace w;
    w.set_state(1, "code");
    const auto wrote = w.call("builder", "write_file",
                              {{"path", "rounds/R01_experiment.py"}, {"content", experiment_script("LogisticRegression(max_iter=500)", 4)}});
    BOOST_REQUIRE(!wrote.is_error);
    const auto r = w.call("builder", "run_experiment", {{"script", "rounds/R01_experiment.py"}, {"description", "logistic"}});
    BOOST_TEST_MESSAGE(r.content);
    BOOST_TEST(!r.is_error, r.content);
    BOOST_TEST(r.content.find("status: ok") != std::string::npos, r.content);
    BOOST_TEST(r.content.find("agrees at its printed precision") != std::string::npos, r.content);
    std::smatch printed, answer;
    BOOST_REQUIRE(std::regex_search(r.content, printed, std::regex("printed CV_SCORE: (0\\.\\d{4})\\n")));
    BOOST_REQUIRE(std::regex_search(r.content, answer, std::regex("answer for the code phase: CV_SCORE=(0\\.\\d+)")));
    BOOST_TEST(std::fabs(std::stod(answer[1]) - std::stod(printed[1])) <= 0.00005 + 1e-12);
    BOOST_TEST(answer[1].str().size() > 6u);  // the full recomputed value, not the rounded print
    BOOST_TEST(fs::exists(w.ws / "rounds" / "R01_run.log"));
    BOOST_TEST(tools::recorded_run_status(w.ws / "rounds", 1) == "ok");
    // The same unchanged script is not run again.
    const auto log_time = fs::last_write_time(w.ws / "rounds" / "R01_run.log");
    const auto again = w.call("builder", "run_experiment", {{"script", "rounds/R01_experiment.py"}});
    BOOST_TEST(again.content.find("not run again") != std::string::npos, again.content);
    BOOST_TEST((fs::last_write_time(w.ws / "rounds" / "R01_run.log") == log_time));
}

BOOST_AUTO_TEST_CASE(the_kill_gate_stops_a_clearly_weaker_run) {
    ToolWorkspace w;
    w.set_state(2, "code", 0.99);  // the best verified CV so far
    w.write("rounds/R02_experiment.py", experiment_script("DummyClassifier(strategy='prior')", 6));
    const auto r = w.call("builder", "run_experiment", {{"script", "rounds/R02_experiment.py"}});
    BOOST_TEST_MESSAGE(r.content);
    BOOST_TEST(r.content.find("status: killed_fold1") != std::string::npos, r.content);
    BOOST_TEST(r.content.find("answer for the code phase: CV_SCORE=crash") != std::string::npos, r.content);
    BOOST_TEST(tools::recorded_run_status(w.ws / "rounds", 2) == "killed_fold1");
    BOOST_TEST(fs::exists(w.ws / "rounds" / "R02_run.log"));
}

BOOST_AUTO_TEST_CASE(the_blend_can_become_the_rounds_experiment) {
    ToolWorkspace w({{"blend", json::object{{"max_gap", 0.05}}}});
    ExperimentRegistry registry;
    const std::vector<std::pair<std::string, std::string>> models{
        {"LogisticRegression(max_iter=500)", "logistic"},
        {"RandomForestClassifier(n_estimators=100, min_samples_leaf=5, random_state=0)", "random_forest"}};
    for (int round = 1; round <= 2; ++round) {
        w.set_state(round, "code");
        const std::string script = "rounds/R0" + std::to_string(round) + "_experiment.py";
        w.write(script, experiment_script(models[static_cast<std::size_t>(round - 1)].first, 6));
        const auto run = w.call("builder", "run_experiment", {{"script", script}});
        BOOST_REQUIRE_MESSAGE(run.content.find("status: ok") != std::string::npos, run.content);
        Experiment e;
        e.id = "R0" + std::to_string(round);
        e.round = round;
        e.family = models[static_cast<std::size_t>(round - 1)].second;
        e.cv = 0.8;
        e.oof = "rounds/R0" + std::to_string(round) + "_oof.npy";
        e.test = "rounds/R0" + std::to_string(round) + "_test.npy";
        e.status = "ok";
        upsert_experiment(registry, e);
    }
    write_experiments(w.ws / "experiments.json", registry);
    const auto preview = w.call("reviewer", "blend", json::object{});
    BOOST_TEST_MESSAGE(preview.content);
    BOOST_TEST(!preview.is_error, preview.content);
    BOOST_TEST(preview.content.find("blend cv: ") != std::string::npos);
    BOOST_TEST(preview.content.find("R01") != std::string::npos);
    BOOST_TEST(w.call("reviewer", "blend", {{"as_experiment", true}}).is_error);  // the Builder's call

    w.set_state(3, "code");
    const auto r = w.call("builder", "blend", {{"as_experiment", true}});
    BOOST_TEST_MESSAGE(r.content);
    BOOST_REQUIRE_MESSAGE(!r.is_error, r.content);
    BOOST_TEST(r.content.find("answer for the code phase: CV_SCORE=0.") != std::string::npos, r.content);
    for (const char* f : {"rounds/R03_oof.npy", "rounds/R03_test.npy", "rounds/R03_experiment.py", "rounds/R03_run.log"})
        BOOST_TEST(fs::exists(w.ws / f), f);
    BOOST_TEST(tools::recorded_run_status(w.ws / "rounds", 3) == "ok");
}

BOOST_AUTO_TEST_CASE(the_leaderboard_shows_quota_and_deadline_but_never_the_answers) {
    ToolWorkspace w;
    const auto board = w.call("reviewer", "leaderboard", json::object{});
    BOOST_TEST_MESSAGE(board.content);
    BOOST_TEST(board.content.find("quota today (UTC): 0 used of 5, 5 left") != std::string::npos, board.content);
    BOOST_TEST(board.content.find("deadline: none") != std::string::npos, board.content);
    BOOST_TEST(board.content.find("private") == std::string::npos);
    const std::string held_out = "../" + w.ws.filename().string() + "-heldout/answers.csv";
    BOOST_TEST(fs::exists(w.ws / held_out));
    for (const auto& [tool, args] : std::vector<std::pair<std::string, json::object>>{
             {"read_file", {{"path", held_out}}},
             {"grep", {{"pattern", "diabetes"}, {"path", held_out}}},
             {"list_files", {{"path", ".."}}}}) {
        const auto r = w.call("builder", tool, args);
        BOOST_TEST(r.is_error, tool << ": " << r.content);
    }
}

BOOST_AUTO_TEST_CASE(researcher_reads_kaggle_notebooks_and_discussions_when_credentials_exist) {
    const auto credentials = fake_credentials();
    FakeKaggle kaggle(credentials.authorization());
    kaggle.set_competition(fake_competition());
    kaggle.add_kernel({"alice/strong-baseline", "Strong LightGBM baseline", "alice", 42, "2026-01-02T00:00:00Z", 3,
                       R"~({"cells":[{"cell_type":"markdown","source":["# Baseline\n","Target encoding in folds."]},)~"
                       R"~({"cell_type":"code","source":"import lightgbm as lgb\nprint(1)"}]})~"});
    kaggle.add_kernel({"bob/eda", "Quick EDA", "bob", 5, "2026-01-05T00:00:00Z", 1, "print('eda')"});
    kaggle.set_discussions(json::array{json::object{{"id", "11"}, {"title", "Leak in the id column?"}, {"author", "carol"},
                                                    {"votes", 7}, {"url", "https://www.kaggle.com/d/11"}}});
    ScopedCredentials env(kaggle.api_base());
    ToolWorkspace w;
    const auto list = w.call("researcher", "kaggle_notebooks", {{"query", "baseline"}});
    BOOST_TEST_MESSAGE(list.content);
    BOOST_TEST(list.content.find("alice/strong-baseline") != std::string::npos, list.content);
    BOOST_TEST(list.content.find("bob/eda") == std::string::npos, list.content);
    const auto notebook = w.call("researcher", "kaggle_notebook", {{"ref", "alice/strong-baseline"}});
    BOOST_TEST(notebook.content.find("Target encoding in folds.") != std::string::npos, notebook.content);
    BOOST_TEST(notebook.content.find("```python\nimport lightgbm as lgb") != std::string::npos, notebook.content);
    const auto topics = w.call("researcher", "kaggle_discussions", json::object{});
    BOOST_TEST(topics.content.find("Leak in the id column?") != std::string::npos, topics.content);
    BOOST_TEST(w.call("builder", "kaggle_notebooks", json::object{}).is_error);  // the Researcher's tools
    const auto facts = w.tools->host().prompt_values("researcher");
    BOOST_TEST(facts.at("research_sources").find("kaggle_notebooks") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_credentials_the_research_tools_are_not_offered) {
    NoCredentials none;
    ToolWorkspace w;
    std::vector<std::string> names;
    for (const auto& s : w.tools->surface().specs("researcher")) names.push_back(s.name);
    auto has = [&](const char* name) { return std::find(names.begin(), names.end(), name) != names.end(); };
    BOOST_TEST(!has("kaggle_notebooks"));
    BOOST_TEST(!has("fetch_url"));  // off by default
    BOOST_TEST(has("run_python"));
    const auto facts = w.tools->host().prompt_values("builder");
    BOOST_TEST(facts.at("python_packages").find("numpy") != std::string::npos, facts.at("python_packages"));
    BOOST_TEST(facts.at("python_packages").find("sklearn") != std::string::npos);
    BOOST_TEST(!facts.at("gpu").empty());
    BOOST_TEST(fs::exists(w.ws / "agents" / "environment.json"));  // probed once, then cached
}

BOOST_AUTO_TEST_CASE(fetch_url_reaches_only_the_allowed_hosts) {
    FakeServer site;
    site.route("GET", "/page", [](const RecordedRequest&) {
        auto r = FakeResponse::text(200, "<html><head><style>p{}</style></head><body><h1>Tips</h1>"
                                         "<p>Use <b>rank</b> averaging.</p><script>x()</script></body></html>");
        r.headers.set("content-type", "text/html; charset=utf-8");
        return r;
    });
    site.route("GET", "/away", [](const RecordedRequest&) {
        FakeResponse r;
        r.status = 302;
        r.headers.set("location", "http://localhost:1/elsewhere");
        return r;
    });
    ToolWorkspace w({{"tools", json::object{{"fetch_url_hosts", json::array{"127.0.0.1"}}}}});
    const auto page = w.call("researcher", "fetch_url", {{"url", site.base_url() + "/page"}});
    BOOST_TEST(!page.is_error, page.content);
    BOOST_TEST(page.content.find("Use rank averaging.") != std::string::npos, page.content);
    BOOST_TEST(page.content.find("x()") == std::string::npos, page.content);
    const auto other = w.call("researcher", "fetch_url", {{"url", "http://localhost:" + std::to_string(site.port()) + "/page"}});
    BOOST_TEST(other.is_error);
    BOOST_TEST(other.content.find("tools.fetch_url_hosts") != std::string::npos, other.content);
    BOOST_TEST(w.call("researcher", "fetch_url", {{"url", site.base_url() + "/away"}}).is_error);
}

BOOST_AUTO_TEST_CASE(validate_and_run_refuse_held_out_answers_inside_the_workspace) {
    ToolWorkspace w;
    fs::copy_file(w.ws.parent_path() / "ws-heldout" / "answers.csv", w.ws / "answers.csv");
    json::object c = json::parse(read_text(w.ws / "config.json")).as_object();
    c["submitter"] = json::object{{"plugin", "local"}, {"options", json::object{{"answers", "answers.csv"}}}};
    write_text(w.ws / "config.json", json::serialize(c));
    const auto v = run_cli({"validate", w.ws.string()});
    BOOST_TEST_MESSAGE(v.out << v.err);
    BOOST_TEST(v.exit_code == 2);
    BOOST_TEST(v.out.find("submitter.options.answers") != std::string::npos, v.out);
    BOOST_TEST(v.out.find("inside the workspace") != std::string::npos, v.out);
    const auto r = run_cli({"run", w.ws.string(), "--max-rounds", "0"});
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(!fs::exists(w.ws / "rounds" / "R00_eda.md"));
}
