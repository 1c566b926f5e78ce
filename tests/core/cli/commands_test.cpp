// The real `autokaggle` binary: validate (exit codes, diagnostics, data checks), plugins
// (listing, failures, JSON) and init (scaffold, --force, --competition).
#define BOOST_TEST_MODULE foundation_cli
#include "support/fixture_plugins.hpp"

#include <autokaggle/sdk/abi.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

namespace at = autokaggle::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// Only the fixture plugins: no real plugins from the build's plugin folder interfere.
std::map<std::string, std::string> fixture_env() {
    return {{"AUTOKAGGLE_PLUGIN_PATH", at::good_plugins().string()}};
}

std::string describe(const at::ProcessResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

/// A complete workspace served by the fixture plugins, with small data files.
void write_workspace(const fs::path& dir) {
    at::write_text(dir / "config.json", R"({
  "competition": "fixture-comp",
  "task_type": "binary_classification",
  "metric": "fixture_count",
  "metric_direction": "lower",
  "target_column": "target",
  "id_column": "id",
  "python": "/usr/bin/python3",
  "agents": {"researcher": "fixture-agent", "builder": "fixture-agent", "reviewer": "fixture-agent"},
  "submitter": "fixture-submitter",
  "scraper": "fixture-scraper",
  "runner": "fixture-runner"
}
)");
    std::string train = "id,f1,\"target\"\n";  // enough rows for 5 stratified folds
    for (int i = 1; i <= 10; ++i) train += std::to_string(i) + ",0." + std::to_string(i) + "," + std::to_string(i % 2) + "\n";
    at::write_text(dir / "data" / "train.csv", train);
    at::write_text(dir / "data" / "test.csv", "id,f1\n3,0.2\n");
    at::write_text(dir / "data" / "sample_submission.csv", "id,target\n3,0.5\n");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(version_and_help) {
    auto version = at::run_cli({"--version"});
    BOOST_TEST(version.exit_code == 0);
    BOOST_TEST(at::contains(version.out, "plugin ABI " + std::to_string(AUTOKAGGLE_ABI_VERSION)), version.out);
    for (const char* command : {"validate", "plugins", "init"}) {
        auto help = at::run_cli({command, "--help"});
        BOOST_TEST(help.exit_code == 0, command);
        BOOST_TEST(at::contains(help.out, std::string("usage: autokaggle ") + command), help.out);
    }
    auto typo = at::run_cli({"valdate"});
    BOOST_TEST(typo.exit_code == 2);
    BOOST_TEST(at::contains(typo.err, "unknown command 'valdate'; did you mean 'validate'?"), typo.err);
    BOOST_TEST(at::run_cli({}).exit_code == 2);  // no command: the overview, as bad usage
    auto bad = at::run_cli({"validate", "--bogus"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(at::contains(bad.err, "unknown option --bogus"), bad.err);
}

BOOST_AUTO_TEST_CASE(validate_accepts_a_good_workspace) {
    at::TempDir dir;
    write_workspace(dir.path());
    auto r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(at::contains(r.out, "config OK"), r.out);
    BOOST_TEST(at::contains(r.out, "builder    fixture-agent"), r.out);
    BOOST_TEST(at::contains(r.out, "python: not checked"), r.out);
    // The current folder is the default DIR.
    auto here = at::run_cli({"validate"}, dir.path(), fixture_env());
    BOOST_TEST(here.exit_code == 0, describe(here));
}

BOOST_AUTO_TEST_CASE(validate_reports_a_broken_config_with_positions_and_exits_2) {
    at::TempDir dir;
    write_workspace(dir.path());
    at::write_text(dir / "config.json", R"({
  "competition": "<PLACEHOLDER>",
  "task_type": "binary",
  "metric": "fixture_count",
  "metric_direction": "lower",
  "target_column": "target",
  "id_column": "id",
  "cv_folds": "5",
  "api_key": "sk-do-not-print-me",
  "agents": {"builder": "fixture-metrics"},
  "runner": "no-such-runner"
}
)");
    auto r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "config.json:2:3: competition: still holds the placeholder"), r.out);
    BOOST_TEST(at::contains(r.out, "config.json:3:3: task_type: found \"binary\", allowed:"), r.out);
    BOOST_TEST(at::contains(r.out, "config.json:8:3: cv_folds: found a string (\"5\"), expected a whole number"), r.out);
    BOOST_TEST(at::contains(r.out, "config.json:9:3: api_key: looks like a secret"), r.out);
    BOOST_TEST(at::contains(r.out, "agents.builder.plugin: plugin 'fixture-metrics' is a metric plugin, not an agent"), r.out);
    BOOST_TEST(at::contains(r.out, "runner.plugin: runner plugin 'no-such-runner' not found"), r.out);
    BOOST_TEST(at::contains(r.out, at::good_plugins().string()), r.out);
    BOOST_TEST(!at::contains(r.out + r.err, "sk-do-not-print-me"));
}

BOOST_AUTO_TEST_CASE(validate_reports_json_syntax_errors) {
    at::TempDir dir;
    at::write_text(dir / "config.json", "{\n  \"competition\": \"x\",\n  \"metric\": ,\n}\n");
    auto r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "config.json:3:13: invalid JSON"), r.out);
}

BOOST_AUTO_TEST_CASE(validate_reports_a_missing_config) {
    at::TempDir dir;
    auto r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "autokaggle init"), r.out);
}

BOOST_AUTO_TEST_CASE(validate_checks_the_data_files_and_columns) {
    at::TempDir dir;
    write_workspace(dir.path());
    at::write_text(dir / "data" / "train.csv", "id,f1,label\n1,0.5,1\n");
    at::write_text(dir / "data" / "sample_submission.csv", "row_id,target\n3,0.5\n");
    fs::remove(dir / "data" / "test.csv");
    auto r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "data/train.csv: target_column \"target\" is not a column of train.csv (columns: id, f1, label)"), r.out);
    BOOST_TEST(at::contains(r.out, "data/test.csv: missing"), r.out);
    BOOST_TEST(at::contains(r.out, "data/sample_submission.csv: id_column \"id\" is not a column of sample_submission.csv"), r.out);

    fs::remove_all(dir / "data");
    auto no_data = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(no_data.exit_code == 2);
    BOOST_TEST(at::contains(no_data.out, "data: data folder not found"), no_data.out);
}

BOOST_AUTO_TEST_CASE(validate_checks_the_fold_columns_and_that_the_data_can_be_split) {
    at::TempDir dir;
    write_workspace(dir.path());
    auto config = json::parse(at::read_text(dir / "config.json")).as_object();
    auto r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(at::contains(r.out, "folds: StratifiedKFold, 5 folds of 2 validation rows; written to"), r.out);

    config["cv_strategy"] = "GroupKFold";
    config["group_column"] = "f2";
    at::write_text(dir / "config.json", json::serialize(config));
    r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "group_column \"f2\" is not a column of train.csv (columns: id, f1, target); did you "
                                   "mean \"f1\"?"), r.out);
    // `run` checks the data (and makes the folds) before any round, and stops on the same problem.
    r = at::run_cli({"run", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.err, "data/train.csv: group_column \"f2\" is not a column of train.csv"), describe(r));
    BOOST_TEST(!fs::exists(dir / "rounds" / "R01_plan.md"));

    config["cv_strategy"] = "TimeSeriesSplit";
    config.erase("group_column");
    config["time_column"] = "id";
    config["cv_gap"] = 5;
    at::write_text(dir / "config.json", json::serialize(config));
    r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "folds: config.json: cv_folds: TimeSeriesSplit with 5 folds and cv_gap 5"), r.out);
    BOOST_TEST(!at::contains(r.out, "config OK"), r.out);
}

BOOST_AUTO_TEST_CASE(validate_and_run_refuse_what_the_campaign_cannot_carry) {
    at::TempDir dir;
    write_workspace(dir.path());
    auto config = json::parse(at::read_text(dir / "config.json")).as_object();
    config["task_type"] = "nlp_generation";
    config["metric"] = "bleu";  // the standard plugin's: it scores text
    config["metric_direction"] = "higher";
    for (const char* role : {"researcher", "builder", "reviewer"}) config["agents"].as_object()[role] = "codex";  // serve any task
    at::write_text(dir / "config.json", json::serialize(config));
    for (const char* command : {"validate", "run"}) {
        auto r = at::run_cli({command, dir.path().string()}, {}, fixture_env());
        BOOST_TEST_CONTEXT(command) {
            BOOST_TEST(r.exit_code == 2, describe(r));
            BOOST_TEST(at::contains(r.out + r.err, "task_type nlp_generation predicts generated text for each row, which "
                                                   "the numeric .npy prediction files"), describe(r));
            BOOST_TEST(at::contains(r.out + r.err, "metric bleu scores text predictions, which a numeric .npy cannot "
                                                   "hold, so no experiment's CV can be verified"), describe(r));
            BOOST_TEST(!at::contains(r.out, "config OK"), r.out);
        }
    }
    BOOST_TEST(!fs::exists(dir / "state.json"));  // `run` refused before any round

    // A metric of class probabilities on a task that predicts values.
    write_workspace(dir.path());
    config = json::parse(at::read_text(dir / "config.json")).as_object();
    config["task_type"] = "regression";
    config["metric"] = "logloss";
    at::write_text(dir / "config.json", json::serialize(config));
    auto r = at::run_cli({"validate", dir.path().string()}, {}, fixture_env());
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "metric logloss scores class probabilities, but task_type regression predicts values"),
               r.out);
}

BOOST_AUTO_TEST_CASE(validate_checks_the_python_of_local_runs) {
    at::TempDir dir;
    write_workspace(dir.path());
    auto config = json::parse(at::read_text(dir / "config.json")).as_object();
    config["runner"] = "local";  // the interpreter matters for runs on this machine
    at::write_text(dir / "config.json", json::serialize(config));
    auto env = fixture_env();
    env["AUTOKAGGLE_PLUGIN_PATH"] += ":" + at::fixture("local-runner-stub").string();
    auto good = at::run_cli({"validate", dir.path().string()}, {}, env);
    BOOST_TEST(good.exit_code == 0, describe(good));
    BOOST_TEST(at::contains(good.out, "python: /usr/bin/python3"), good.out);

    config["python"] = "/bin/false";
    at::write_text(dir / "config.json", json::serialize(config));
    auto bad = at::run_cli({"validate", dir.path().string()}, {}, env);
    BOOST_TEST(bad.exit_code == 2, describe(bad));
    // One clean line: the key once, what is wrong, then the fix.
    BOOST_TEST(at::contains(bad.out, "config.json: python: /bin/false: it printed no module report (exit code 1); set "
                                     "\"python\": \"/usr/bin/python3\", which has numpy, pandas and sklearn\n"),
               bad.out);
    BOOST_TEST(!at::contains(bad.out, "python: config.json"), bad.out);

    // What the interpreter said is its last line (where Python names the exception), not a
    // multi-line traceback cut anywhere.
    at::write_text(dir / "fake-python", "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                                        "echo '  File \"<string>\", line 1' >&2\n"
                                        "echo 'ImportError: libfoo.so: cannot open shared object file' >&2\nexit 1\n");
    fs::permissions(dir / "fake-python", fs::perms::owner_all);
    config["python"] = (dir / "fake-python").string();
    at::write_text(dir / "config.json", json::serialize(config));
    auto said = at::run_cli({"validate", dir.path().string()}, {}, env);
    BOOST_TEST(said.exit_code == 2, describe(said));
    BOOST_TEST(at::contains(said.out, "(exit code 1; it said: ImportError: libfoo.so: cannot open shared object file); set"),
               said.out);
    BOOST_TEST(!at::contains(said.out, "Traceback"), said.out);
}

BOOST_AUTO_TEST_CASE(validate_reports_every_problem_in_one_pass) {
    at::TempDir dir;
    write_workspace(dir.path());
    auto config = json::parse(at::read_text(dir / "config.json")).as_object();
    config["orchestrator"] = json::object{{"retro_every", "often"}};  // a key error ...
    config["agents"].as_object()["builder"] = "fixture-throws";        // ... a plugin that fails to start ...
    at::write_text(dir / "config.json", json::serialize(config));
    at::write_text(dir / "data" / "train.csv", "id,f1,label\n1,0.5,1\n");  // ... and a data problem
    auto env = fixture_env();
    env["AUTOKAGGLE_PLUGIN_PATH"] += ":" + at::fixture("factory-throws").string();
    auto r = at::run_cli({"validate", dir.path().string()}, {}, env);
    BOOST_TEST(r.exit_code == 2, describe(r));
    for (const char* expected : {"orchestrator.retro_every: found a string", "config.json: agents.builder: ",
                                 "model file weights.bin is missing",
                                 "target_column \"target\" is not a column of train.csv",
                                 "data/test.csv: lacks train.csv's column(s) label", "4 error(s)"})
        BOOST_TEST(at::contains(r.out, expected), expected << "\n" << r.out);
}

BOOST_AUTO_TEST_CASE(plugins_lists_every_kind_and_the_failures) {
    std::string path = at::good_plugins().string() + ":" + at::fixture("abi-mismatch").string() + ":" +
                       at::fixture("duplicate-agent").string();
    auto r = at::run_cli({"plugins"}, {}, {{"AUTOKAGGLE_PLUGIN_PATH", path}});
    BOOST_TEST(r.exit_code == 0, describe(r));
    for (const char* kind : {"agent", "llm", "metric", "submitter", "scraper", "runner"})
        BOOST_TEST(at::contains(r.out, std::string("\n") + kind + " "), kind << "\n" << r.out);
    BOOST_TEST(at::contains(r.out, "fixture-agent"), r.out);
    BOOST_TEST(at::contains(r.out, "1.2.3"), r.out);
    BOOST_TEST(at::contains(r.out, (at::good_plugins() / "autokaggle-fixture-good-agent.so").string()), r.out);
    BOOST_TEST(at::contains(r.out, "failed to load:"), r.out);
    BOOST_TEST(at::contains(r.out, at::fixture_library("abi-mismatch").string() + ": ABI mismatch: got " + std::to_string(AUTOKAGGLE_ABI_VERSION + 1) + ", supported"), r.out);
    BOOST_TEST(at::contains(r.out, "duplicate plugin agent/fixture-agent"), r.out);
}

BOOST_AUTO_TEST_CASE(plugins_and_validate_show_a_plugin_with_an_unresolved_symbol) {
    auto env = fixture_env();
    env["AUTOKAGGLE_PLUGIN_PATH"] += ":" + at::fixture("unresolved-symbol").string();
    auto listed = at::run_cli({"plugins"}, {}, env);
    BOOST_TEST(listed.exit_code == 0, describe(listed));
    BOOST_TEST(at::contains(listed.out, at::fixture_library("unresolved-symbol").string() +
                                            ": unresolved symbol _ZN10autokaggle30fixture_helper_this_host_lacks"),
               listed.out);

    at::TempDir dir;
    write_workspace(dir.path());
    auto config = json::parse(at::read_text(dir / "config.json")).as_object();
    config["agents"].as_object()["builder"] = "fixture-unresolved";
    at::write_text(dir / "config.json", json::serialize(config));
    auto r = at::run_cli({"validate", dir.path().string()}, {}, env);
    BOOST_TEST(r.exit_code == 2, describe(r));
    BOOST_TEST(at::contains(r.out, "agent plugin 'fixture-unresolved' not found"), r.out);
    BOOST_TEST(at::contains(r.out, at::fixture_library("unresolved-symbol").string() + ": unresolved symbol"), r.out);
}

BOOST_AUTO_TEST_CASE(plugins_json_and_dir) {
    auto r = at::run_cli({"plugins", "--json", "--dir", at::fixture("factory-null").string()}, {}, fixture_env());
    BOOST_TEST_REQUIRE(r.exit_code == 0, describe(r));
    auto doc = json::parse(r.out).as_object();
    BOOST_TEST(doc.at("search_dirs").as_array().at(0).as_string() == at::fixture("factory-null").string());
    std::set<std::string> names;
    for (const auto& p : doc.at("plugins").as_array()) names.insert(std::string(p.at("name").as_string()));
    BOOST_TEST(names.count("fixture-null") == 1u);
    BOOST_TEST(names.count("fixture-runner") == 1u);
    auto missing = at::run_cli({"plugins", "--dir", "/nonexistent/dir"}, {}, fixture_env());
    BOOST_TEST(missing.exit_code == 2);
}

BOOST_AUTO_TEST_CASE(init_scaffolds_a_workspace_that_validate_explains) {
    at::TempDir dir;
    fs::path ws = dir / "titanic";
    // KAGGLE_API.md asks Kaggle about the slug: never the real one from a test.
    auto r = at::run_cli({"init", ws.string(), "--competition", "titanic"}, {}, {{"KAGGLE_API_BASE_URL", "http://127.0.0.1:9"}});
    BOOST_TEST_REQUIRE(r.exit_code == 0, describe(r));
    BOOST_TEST(fs::is_regular_file(ws / "config.json"));
    BOOST_TEST(fs::is_regular_file(ws / "LEARNINGS.md"));
    BOOST_TEST(fs::is_regular_file(ws / "knowledge" / "README.md"));
    BOOST_TEST(fs::is_directory(ws / "data"));
    auto config = json::parse(at::read_text(ws / "config.json")).as_object();
    BOOST_TEST(config.at("competition").as_string() == "titanic");
    BOOST_TEST(config.at("target_column").as_string() == "<PLACEHOLDER>");

    // validate names every placeholder still to fill.
    auto v = at::run_cli({"validate", ws.string()}, {}, fixture_env());
    BOOST_TEST(v.exit_code == 2, describe(v));
    BOOST_TEST(at::contains(v.out, "target_column: still holds the placeholder \"<PLACEHOLDER>\""), v.out);
    BOOST_TEST(!at::contains(v.out, "competition: still holds"), v.out);

    // A second init keeps the edited config; --force replaces it.
    at::write_text(ws / "config.json", "{\"edited\": true}");
    at::write_text(ws / "LEARNINGS.md", "my rules");
    auto again = at::run_cli({"init", ws.string()});
    BOOST_TEST(again.exit_code == 0, describe(again));
    BOOST_TEST(at::read_text(ws / "config.json") == "{\"edited\": true}");
    auto forced = at::run_cli({"init", ws.string(), "--force"});
    BOOST_TEST(forced.exit_code == 0, describe(forced));
    BOOST_TEST(at::contains(at::read_text(ws / "config.json"), "\"competition\": \"<PLACEHOLDER>\""));
    // The user's text stays; the learnings store's rules are brought in below it.
    const auto learnings = at::read_text(ws / "LEARNINGS.md");
    BOOST_TEST(learnings.rfind("my rules\n", 0) == 0, learnings);
    BOOST_TEST(at::contains(learnings, "## From earlier campaigns"), learnings);
}

BOOST_AUTO_TEST_CASE(init_refuses_bad_usage) {
    at::TempDir dir;
    BOOST_TEST(at::run_cli({"init"}).exit_code == 2);
    auto bad_slug = at::run_cli({"init", (dir / "x").string(), "--competition", "Not A Slug"});
    BOOST_TEST(bad_slug.exit_code == 2);
    BOOST_TEST(at::contains(bad_slug.err, "is not a Kaggle slug"), bad_slug.err);
    BOOST_TEST(!fs::exists(dir / "x"));
    BOOST_TEST(at::run_cli({"init", (dir / "y").string(), "--download"}).exit_code == 2);
}

BOOST_AUTO_TEST_SUITE_END()
