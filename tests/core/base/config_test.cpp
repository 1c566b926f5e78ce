// config.json: syntax errors with positions, types, enums, placeholders, unknown keys, secrets,
// paths, defaults, and the checks against the loaded plugins.
#include "support/fixture_plugins.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

namespace at = autokaggle::test;
namespace fs = std::filesystem;
namespace json = boost::json;
using autokaggle::Diagnostic;

namespace {

/// A valid config.json served entirely by the fixture plugins.
json::object valid_config() {
    return json::parse(R"({
        "competition": "fixture-comp",
        "task_type": "binary_classification",
        "metric": "fixture_count",
        "metric_direction": "lower",
        "target_column": "target",
        "id_column": "id",
        "agents": {"researcher": "fixture-agent",
                   "builder": {"plugin": "fixture-agent", "options": {"max_turns": 3, "llm": "strong"}},
                   "reviewer": {"plugin": "fixture-agent"}},
        "llms": {"strong": {"plugin": "fixture-llm", "options": {"model": "big"}}},
        "submitter": {"plugin": "fixture-submitter"},
        "scraper": "fixture-scraper",
        "runner": {"plugin": "fixture-runner", "options": {"timeout_s": 30}}
    })").as_object();
}

/// The first lines of a small regression config.json (lines 1 to 7), for tests about positions.
const std::string kRegressionHead = R"({
  "competition": "c",
  "task_type": "regression",
  "metric": "fixture_count",
  "metric_direction": "lower",
  "target_column": "y",
  "id_column": "id",
)";

struct Loaded {
    autokaggle::ConfigLoadResult result;
    /// The one diagnostic at `path` (fails the test when there is not exactly one).
    const Diagnostic& at_path(const std::string& path) const {
        const Diagnostic* match = nullptr;
        int count = 0;
        for (const auto& d : result.diagnostics)
            if (d.key_path == path) {
                match = &d;
                ++count;
            }
        BOOST_TEST_REQUIRE(count == 1, "diagnostics at " << path << ": " << count << "\n" << all());
        return *match;
    }
    bool has(const std::string& path) const {
        for (const auto& d : result.diagnostics)
            if (d.key_path == path) return true;
        return false;
    }
    std::string all() const {
        std::string out;
        for (const auto& d : result.diagnostics) out += d.format() + "\n";
        return out;
    }
    std::size_t errors() const {
        std::size_t n = 0;
        for (const auto& d : result.diagnostics) n += d.severity == Diagnostic::Severity::error;
        return n;
    }
};

class ConfigFixture {
public:
    ConfigFixture() : host_({at::good_plugins()}) {}
    Loaded load_text(const std::string& text, bool with_plugins = true) {
        at::write_text(dir_ / "config.json", text);
        return {autokaggle::load_config(dir_ / "config.json", with_plugins ? &host_ : nullptr)};
    }
    Loaded load(const json::object& config, bool with_plugins = true) {
        return load_text(json::serialize(config), with_plugins);
    }
    const at::TempDir& dir() const { return dir_; }
    const autokaggle::PluginHost& host() const { return host_; }

private:
    at::TempDir dir_{"autokaggle-config"};
    autokaggle::PluginHost host_;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(config, ConfigFixture)

BOOST_AUTO_TEST_CASE(valid_config_loads_with_values_and_defaults) {
    auto loaded = load(valid_config());
    BOOST_TEST_REQUIRE(loaded.result.ok(), loaded.all());
    BOOST_TEST(loaded.result.diagnostics.empty(), loaded.all());
    const auto& c = *loaded.result.config;
    BOOST_TEST(c.file == dir() / "config.json");
    BOOST_TEST(c.root == dir().path());
    BOOST_TEST(c.competition.competition == "fixture-comp");
    BOOST_TEST(c.competition.cv_strategy == "StratifiedKFold");  // default for classification
    BOOST_TEST(c.competition.cv_folds == 5);
    BOOST_TEST(c.competition.max_submissions_per_day == 5);
    BOOST_TEST(c.competition.seed == 42);
    BOOST_TEST(c.competition.python.empty());
    BOOST_TEST(c.competition.train_csv == dir() / "data" / "train.csv");
    BOOST_TEST(c.competition.sample_submission_csv == dir() / "data" / "sample_submission.csv");
    // Options validated with defaults filled in.
    const auto& builder = c.agents.at("builder");
    BOOST_TEST(builder.plugin == "fixture-agent");
    BOOST_TEST(builder.key_path == "agents.builder");
    BOOST_TEST(builder.options.at("max_turns").as_int64() == 3);
    BOOST_TEST(builder.options.at("temperature").as_double() == 0.5);
    BOOST_TEST(c.agents.at("researcher").options.at("llm").as_string() == "strong");
    BOOST_TEST(c.llms.at("strong").options.at("model").as_string() == "big");
    BOOST_TEST(c.llms.at("strong").options.at("api_key_env").as_string() == "FIXTURE_API_KEY");
    BOOST_TEST(c.runner.options.at("timeout_s").as_int64() == 30);
    BOOST_TEST(c.scraper.plugin == "fixture-scraper");
    // Sections not given keep their defaults.
    BOOST_TEST(c.orchestrator.retro_every == 10);
    BOOST_TEST(c.kill_gate.enabled);
    BOOST_TEST(c.blend.steps == 100);
    BOOST_TEST(c.budget.max_rounds == 0);

    auto paths = autokaggle::workspace_paths(c);
    BOOST_TEST(paths.data == dir() / "data");
    BOOST_TEST(paths.state == dir() / "state.json");
    BOOST_TEST(paths.learnings == dir() / "LEARNINGS.md");
    BOOST_TEST(paths.rounds == dir() / "rounds");
}

BOOST_AUTO_TEST_CASE(absent_sections_select_the_offline_plugins) {
    auto config = valid_config();
    for (const char* key : {"agents", "llms", "submitter", "scraper", "runner"}) config.erase(key);
    auto loaded = load(config, false);
    BOOST_TEST_REQUIRE(loaded.result.ok(), loaded.all());
    const auto& c = *loaded.result.config;
    for (const char* role : {"researcher", "builder", "reviewer"}) BOOST_TEST(c.agents.at(role).plugin == "autopilot");
    BOOST_TEST(c.submitter.plugin == "local");
    BOOST_TEST(c.scraper.plugin == "files");
    BOOST_TEST(c.runner.plugin == "local");
    BOOST_TEST(c.llms.empty());
    // With plugins loaded, those defaults must exist too: the fixture folder has no "autopilot".
    auto checked = load(config, true);
    BOOST_TEST(!checked.result.ok());
    BOOST_TEST(autokaggle::test::contains(checked.at_path("agents.builder.plugin").message,
                                          "agent plugin 'autopilot' not found"));
}

BOOST_AUTO_TEST_CASE(every_section_is_parsed) {
    auto config = valid_config();
    config["budget"] = json::parse(R"({"max_rounds": 12, "max_hours": 1.5, "max_usd": 20, "max_tokens": 1000000})");
    config["orchestrator"] = json::parse(R"({"retro_every": 5, "respawn_every": 7, "min_improvement": 0.001,
        "endgame_days": 2, "endgame_min_improvement": 0.01, "submit": false, "phase_retries": 2})");
    config["verify"] = json::parse(R"({"cv_tolerance": 0.0001})");
    config["kill_gate"] = json::parse(R"({"enabled": false, "relative_margin": 0.1, "max_correlation": 0.99})");
    config["blend"] = json::parse(R"({"max_gap": 0.01, "correlation_threshold": 0.9, "steps": 50})");
    config["cv_strategy"] = "GroupKFold";
    config["group_column"] = "patient";
    config["cv_folds"] = 10;
    config["seed"] = 7;
    config["max_submissions_per_day"] = 2;
    config["deadline"] = "2099-12-31";
    config["kaggle_username"] = "someone";
    config["python"] = "/usr/bin/python3";
    auto loaded = load(config);
    BOOST_TEST_REQUIRE(loaded.result.ok(), loaded.all());
    const auto& c = *loaded.result.config;
    BOOST_TEST(c.budget.max_rounds == 12);
    BOOST_TEST(c.competition.max_rounds == 12);
    BOOST_TEST(c.budget.max_hours == 1.5);
    BOOST_TEST(c.budget.max_tokens == 1000000);
    BOOST_TEST(c.orchestrator.retro_every == 5);
    BOOST_TEST(c.orchestrator.respawn_every == 7);
    BOOST_TEST(!c.orchestrator.submit);
    BOOST_TEST(c.orchestrator.phase_retries == 2);
    BOOST_TEST(c.verify.cv_tolerance == 0.0001);
    BOOST_TEST(!c.kill_gate.enabled);
    BOOST_TEST(c.kill_gate.max_correlation == 0.99);
    BOOST_TEST(c.blend.steps == 50);
    BOOST_TEST(c.competition.cv_strategy == "GroupKFold");
    BOOST_TEST(c.competition.group_column == "patient");
    BOOST_TEST(c.competition.folds_dir == dir() / "folds");
    BOOST_TEST(c.competition.cv_folds == 10);
    BOOST_TEST(c.competition.seed == 7);
    BOOST_TEST(c.competition.max_submissions_per_day == 2);
    BOOST_TEST(c.competition.deadline == "2099-12-31");
    BOOST_TEST(c.kaggle_username == "someone");
    BOOST_TEST(c.competition.python == fs::path("/usr/bin/python3"));
}

BOOST_AUTO_TEST_CASE(syntax_error_reports_line_and_column) {
    auto loaded = load_text("{\n  \"competition\": \"x\",\n  \"task_type\": \"regression\"\n  \"metric\": \"rmse\"\n}\n");
    BOOST_TEST_REQUIRE(loaded.result.diagnostics.size() == 1u);
    const auto& d = loaded.result.diagnostics[0];
    BOOST_TEST(d.line == 4);
    BOOST_TEST(d.column == 3);
    BOOST_TEST(at::contains(d.format(), "config.json:4:3: invalid JSON"), d.format());

    // A trailing comma, and a file that ends too early.
    auto trailing = load_text("{\"a\": 1,\n}");
    BOOST_TEST(trailing.result.diagnostics.at(0).line == 2);
    BOOST_TEST(trailing.result.diagnostics.at(0).column == 1);
    auto truncated = load_text("{\"a\": [1,\n 2");
    BOOST_TEST(truncated.result.diagnostics.at(0).line == 2);
    BOOST_TEST(!truncated.result.ok());
}

BOOST_AUTO_TEST_CASE(top_level_must_be_an_object) {
    auto loaded = load_text("[1, 2]");
    BOOST_TEST(!loaded.result.ok());
    BOOST_TEST(at::contains(loaded.all(), "expected an object"), loaded.all());
}

BOOST_AUTO_TEST_CASE(missing_file_says_how_to_create_one) {
    auto result = autokaggle::load_config(dir() / "nowhere" / "config.json", nullptr);
    BOOST_TEST(!result.ok());
    BOOST_TEST(at::contains(result.diagnostics.at(0).message, "autokaggle init"));
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_key_what_was_found_and_what_is_expected) {
    auto config = valid_config();
    config["cv_folds"] = "five";
    config["max_submissions_per_day"] = 2.5;
    config["knowledge_files"] = "notes.md";
    config["agents"] = json::array{};
    config["budget"] = json::parse(R"({"max_usd": "lots"})");
    config["kill_gate"] = json::parse(R"({"enabled": 1})");
    auto loaded = load(config);
    BOOST_TEST(!loaded.result.ok());
    BOOST_TEST(loaded.at_path("cv_folds").message == "found a string (\"five\"), expected a whole number");
    BOOST_TEST(at::contains(loaded.at_path("max_submissions_per_day").message, "expected a whole number"));
    BOOST_TEST(at::contains(loaded.at_path("knowledge_files").message, "expected an array of strings"));
    BOOST_TEST(at::contains(loaded.at_path("agents").message, "found an array ([]), expected an object"));
    BOOST_TEST(at::contains(loaded.at_path("budget.max_usd").message, "expected a number"));
    BOOST_TEST(at::contains(loaded.at_path("kill_gate.enabled").message, "expected true or false"));
}

BOOST_AUTO_TEST_CASE(learnings_store_is_a_path_or_false) {
    auto config = valid_config();
    config["learnings_store"] = "~/notes/learnings.md";
    BOOST_TEST(load(config).result.ok());
    config["learnings_store"] = false;
    BOOST_TEST(load(config).result.ok());
    config["learnings_store"] = true;
    auto loaded = load(config);
    BOOST_TEST(!loaded.result.ok());
    BOOST_TEST(at::contains(loaded.at_path("learnings_store").message, "found true, expected the learnings store's path"),
               loaded.all());
}

BOOST_AUTO_TEST_CASE(out_of_range_values_say_what_is_allowed) {
    auto config = valid_config();
    config["cv_folds"] = 1;
    config["kill_gate"] = json::parse(R"({"max_correlation": 1.5})");
    auto loaded = load(config);
    BOOST_TEST(loaded.at_path("cv_folds").message == "found 1, allowed: 2 to 100");
    BOOST_TEST(loaded.at_path("kill_gate.max_correlation").message == "found 1.5, allowed: 0 to 1");
}

BOOST_AUTO_TEST_CASE(bad_enum_values_list_the_allowed_ones) {
    auto config = valid_config();
    config["task_type"] = "binary";
    config["cv_strategy"] = "stratifiedkfold";
    config["metric_direction"] = "up";
    config["deadline"] = "2026-02-30";
    auto loaded = load(config);
    const auto& task = loaded.at_path("task_type").message;
    BOOST_TEST(at::contains(task, "found \"binary\", allowed: binary_classification, multiclass_classification"), task);
    BOOST_TEST(at::contains(task, "object_detection"), task);
    BOOST_TEST(at::contains(loaded.at_path("cv_strategy").message, "did you mean \"StratifiedKFold\"?"));
    BOOST_TEST(at::contains(loaded.at_path("metric_direction").message, "allowed: higher, lower"));
    BOOST_TEST(at::contains(loaded.at_path("deadline").message, "expected a date YYYY-MM-DD"));
}

BOOST_AUTO_TEST_CASE(validation_strategies_require_the_columns_they_split_on) {
    for (const char* strategy : {"GroupKFold", "StratifiedGroupKFold"}) {
        auto config = valid_config();
        config["cv_strategy"] = strategy;
        auto loaded = load(config);
        BOOST_TEST(!loaded.result.ok());
        BOOST_TEST(at::contains(loaded.at_path("group_column").message, "missing: " + std::string(strategy) +
                                                                           " keeps all rows of a group in one fold"));
    }
    auto config = valid_config();
    config["cv_strategy"] = "TimeSeriesSplit";
    config["cv_gap"] = -1;
    auto loaded = load(config);
    BOOST_TEST(at::contains(loaded.at_path("time_column").message, "missing: TimeSeriesSplit validates every fold on rows later"));
    BOOST_TEST(loaded.at_path("cv_gap").message == "found -1, allowed: 0 to 1000000000");
    config["time_column"] = "date";
    config["cv_gap"] = 7;
    loaded = load(config);
    BOOST_TEST_REQUIRE(loaded.result.ok(), loaded.all());
    BOOST_TEST(loaded.result.config->competition.time_column == "date");
    BOOST_TEST(loaded.result.config->competition.cv_gap == 7);
    // time_series tasks default to TimeSeriesSplit, so they need a time column too.
    config = valid_config();
    config["task_type"] = "time_series";
    BOOST_TEST(at::contains(load(config).at_path("time_column").message, "missing"));
    // The target is no group and no time.
    config = valid_config();
    config["cv_strategy"] = "GroupKFold";
    config["group_column"] = "target";
    BOOST_TEST(at::contains(load(config).at_path("group_column").message, "is the target column"));
}

BOOST_AUTO_TEST_CASE(an_unknown_strategy_is_an_error_and_ignored_columns_are_warned_about) {
    auto config = valid_config();
    config["cv_strategy"] = "PurgedKFold";
    config["group_column"] = "patient";
    auto loaded = load(config);
    BOOST_TEST(!loaded.result.ok());
    const auto& d = loaded.at_path("cv_strategy");
    BOOST_TEST((d.severity == Diagnostic::Severity::error));
    BOOST_TEST(at::contains(d.message, "found \"PurgedKFold\", allowed: KFold, StratifiedKFold, GroupKFold, "
                                       "StratifiedGroupKFold, TimeSeriesSplit"), d.message);
    BOOST_TEST(!loaded.has("group_column"));  // no follow-up about a strategy that does not exist

    config["cv_strategy"] = "KFold";
    config["time_column"] = "date";
    config["cv_gap"] = 3;
    loaded = load(config);
    BOOST_TEST_REQUIRE(loaded.result.ok(), loaded.all());
    const auto& group = loaded.at_path("group_column");
    BOOST_TEST((group.severity == Diagnostic::Severity::warning));
    BOOST_TEST(at::contains(group.message, "rows of one group can be in the training and the validation part"));
    BOOST_TEST(at::contains(loaded.at_path("time_column").message, "only TimeSeriesSplit"));
    BOOST_TEST(at::contains(loaded.at_path("cv_gap").message, "only TimeSeriesSplit"));
}

BOOST_AUTO_TEST_CASE(every_task_type_of_the_seed_is_accepted) {
    for (const char* t : {"binary_classification", "multiclass_classification", "regression", "ranking",
                          "object_detection", "nlp_generation", "time_series", "multilabel_classification",
                          "image_classification", "segmentation"}) {
        auto config = valid_config();
        config["task_type"] = t;
        auto loaded = load(config, false);
        BOOST_TEST(!loaded.has("task_type"), t << ": " << loaded.all());
    }
}

BOOST_AUTO_TEST_CASE(missing_required_keys_are_named) {
    auto config = valid_config();
    config.erase("target_column");
    config.erase("task_type");
    auto loaded = load(config, false);
    BOOST_TEST(at::contains(loaded.at_path("target_column").message, "missing"));
    BOOST_TEST(at::contains(loaded.at_path("task_type").message, "missing: one of binary_classification"));
}

BOOST_AUTO_TEST_CASE(placeholders_are_reported_as_values_to_fill) {
    auto config = valid_config();
    config["competition"] = "<COMPETITION_SLUG>";
    config["target_column"] = "<TARGET_COLUMN>";
    config["llms"].as_object()["strong"].as_object()["options"].as_object()["model"] = "<MODEL>";
    auto loaded = load(config);
    BOOST_TEST(!loaded.result.ok());
    const auto& competition = loaded.at_path("competition").message;
    BOOST_TEST(at::contains(competition, "still holds the placeholder \"<COMPETITION_SLUG>\""), competition);
    BOOST_TEST(at::contains(competition, "kaggle.com/competitions/"), competition);
    BOOST_TEST(at::contains(loaded.at_path("target_column").message, "<TARGET_COLUMN>"));
    BOOST_TEST(at::contains(loaded.at_path("llms.strong.options.model").message, "placeholder"));
    // Reported once, not again as a missing or ill-typed value.
    BOOST_TEST(loaded.errors() == 3u, loaded.all());
}

BOOST_AUTO_TEST_CASE(unknown_keys_warn_with_the_nearest_valid_key) {
    auto config = valid_config();
    config["cv_fold"] = 5;
    config["orchestrator"] = json::parse(R"({"retro_evry": 4})");
    config["agents"].as_object()["reviewr"] = "fixture-agent";
    config["_comment"] = "ignored";
    config["zzzzzzzzzzzz"] = 1;
    auto loaded = load(config);
    BOOST_TEST_REQUIRE(loaded.result.ok(), loaded.all());  // warnings only
    const auto& d = loaded.at_path("cv_fold");
    BOOST_TEST((d.severity == Diagnostic::Severity::warning));
    BOOST_TEST(at::contains(d.message, "did you mean \"cv_folds\"?"), d.message);
    BOOST_TEST(at::contains(d.format(), "warning: unknown key"), d.format());
    BOOST_TEST(at::contains(loaded.at_path("orchestrator.retro_evry").message, "\"retro_every\""));
    BOOST_TEST(at::contains(loaded.at_path("agents.reviewr").message, "\"reviewer\""));
    BOOST_TEST(at::contains(loaded.at_path("zzzzzzzzzzzz").message, "known keys: competition"));
    BOOST_TEST(!loaded.has("_comment"));
}

BOOST_AUTO_TEST_CASE(secrets_are_refused_without_echoing_them) {
    auto config = valid_config();
    config["kaggle_key"] = "0123456789abcdef-kaggle";
    config["llms"].as_object()["strong"].as_object()["options"].as_object()["api_key"] = "sk-ant-secret-value";
    config["runner"].as_object()["options"].as_object()["token"] = "tok-secret-value";
    auto loaded = load(config);
    BOOST_TEST(!loaded.result.ok());
    const auto& kaggle = loaded.at_path("kaggle_key").message;
    BOOST_TEST(at::contains(kaggle, "looks like a secret"), kaggle);
    BOOST_TEST(at::contains(kaggle, "~/.kaggle/kaggle.json"), kaggle);
    const auto& api = loaded.at_path("llms.strong.options.api_key").message;
    BOOST_TEST(at::contains(api, "ANTHROPIC_API_KEY"), api);
    BOOST_TEST(at::contains(api, "api_key_env"), api);
    BOOST_TEST(loaded.has("runner.options.token"));
    std::string all = loaded.all();
    BOOST_TEST(!at::contains(all, "0123456789abcdef"), all);
    BOOST_TEST(!at::contains(all, "sk-ant-secret"), all);
    BOOST_TEST(!at::contains(all, "tok-secret"), all);
    // Not secrets: the name of a variable, a token budget.
    auto fine = valid_config();
    fine["llms"].as_object()["strong"].as_object()["options"].as_object()["api_key_env"] = "MY_KEY";
    fine["budget"] = json::parse(R"({"max_tokens": 5})");
    auto ok = load(fine);
    BOOST_TEST(ok.result.ok(), ok.all());
}

BOOST_AUTO_TEST_CASE(camel_case_secret_keys_are_refused_without_echoing_them) {
    auto config = valid_config();
    config["kaggleKey"] = "0123456789abcdef-kaggle";
    config["llms"].as_object()["strong"].as_object()["options"].as_object()["apiKey"] = "sk-ant-camel-value";
    config["runner"].as_object()["options"].as_object()["accessToken"] = "tok-camel-value";
    config["submitter"].as_object()["options"] = json::object{{"APIKey", "upper-camel-value"}, {"clientSecret", "cs-value"}};
    auto loaded = load(config);
    BOOST_TEST(!loaded.result.ok());
    for (const char* path : {"kaggleKey", "llms.strong.options.apiKey", "runner.options.accessToken",
                             "submitter.options.APIKey", "submitter.options.clientSecret"})
        BOOST_TEST(at::contains(loaded.at_path(path).message, "looks like a secret"), path << "\n" << loaded.all());
    const std::string all = loaded.all();
    for (const char* value : {"0123456789abcdef", "sk-ant-camel", "tok-camel", "upper-camel", "cs-value"})
        BOOST_TEST(!at::contains(all, value), all);
    // Words that only end like a secret word, and names of variables, are fine.
    BOOST_TEST(!autokaggle::is_secret_key("maxTokens"));
    BOOST_TEST(!autokaggle::is_secret_key("apiKeyEnv"));
    BOOST_TEST(!autokaggle::is_secret_key("monkey"));
    BOOST_TEST(autokaggle::is_secret_key("OAuthToken"));
}

BOOST_AUTO_TEST_CASE(a_key_pasted_into_an_env_option_is_refused_without_echoing_it) {
    auto with_env = [&](const std::string& value) {
        auto config = valid_config();
        config["llms"].as_object()["strong"].as_object()["options"].as_object()["api_key_env"] = value;
        return load(config);
    };
    for (const std::string key : {"sk-ant-api03-AbCdEf0123456789AbCdEf0123456789", "0123456789abcdef0123456789abcdef",
                                  "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"}) {
        auto loaded = with_env(key);
        BOOST_TEST(!loaded.result.ok(), key);
        const auto& message = loaded.at_path("llms.strong.options.api_key_env").message;
        BOOST_TEST(at::contains(message, "looks like a key"), message);
        BOOST_TEST(!at::contains(loaded.all(), key.substr(0, 12)), loaded.all());
    }
    // Not a name, not a key either: still not shown (it may be part of one).
    auto odd = with_env("my key!");
    BOOST_TEST(at::contains(odd.at_path("llms.strong.options.api_key_env").message, "is not the name of an environment variable"));
    BOOST_TEST(!at::contains(odd.all(), "my key!"), odd.all());
    // Names of variables are fine, also long ones made of words.
    for (const char* name : {"MY_KEY", "ANTHROPIC_API_KEY_FOR_PROJECT_2", "openai_key", "_K"}) {
        auto ok = with_env(name);
        BOOST_TEST(ok.result.ok(), name << "\n" << ok.all());
    }
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_errors_naming_both_lines) {
    auto loaded = load_text(kRegressionHead + R"(  "cv_folds": 3,
  "budget": {"max_rounds": 2,
             "max_rounds": 4},
  "cv_folds": 10
})",
                            false);
    BOOST_TEST(!loaded.result.ok());
    const auto& top = loaded.at_path("cv_folds");
    BOOST_TEST(at::contains(top.message, "written twice in the same object (lines 8 and 11)"), top.message);
    BOOST_TEST(top.line == 11);
    BOOST_TEST(at::contains(loaded.at_path("budget.max_rounds").message, "(lines 9 and 10)"), loaded.all());
    // Keys spelled with \u escapes are the same keys.
    auto escaped = load_text(R"({"competition": "c", "comp\u0065tition": "d"})", false);
    BOOST_TEST(at::contains(escaped.at_path("competition").message, "written twice"), escaped.all());
}

BOOST_AUTO_TEST_CASE(a_utf8_byte_order_mark_is_accepted) {
    auto text = json::serialize(valid_config());
    auto loaded = load_text("\xEF\xBB\xBF" + text);
    BOOST_TEST(loaded.result.ok(), loaded.all());
    // Positions are unchanged by the mark.
    auto typed = load_text("\xEF\xBB\xBF{\n  \"cv_folds\": \"x\"\n}", false);
    BOOST_TEST(typed.at_path("cv_folds").line == 2);
    BOOST_TEST(typed.at_path("cv_folds").column == 3);
}

BOOST_AUTO_TEST_CASE(errors_leave_a_partial_config_of_what_could_be_read) {
    auto config = valid_config();
    config["orchestrator"] = json::object{{"retro_every", "often"}};
    auto loaded = load(config);
    BOOST_TEST_REQUIRE(!loaded.result.ok());
    BOOST_TEST_REQUIRE(loaded.result.partial.has_value());
    BOOST_TEST(loaded.result.partial->runner.plugin == "fixture-runner");
    BOOST_TEST(loaded.result.partial->runner.options.at("timeout_s").as_int64() == 30);
    BOOST_TEST(loaded.result.partial->orchestrator.retro_every == 10);  // the key in error keeps its default
    BOOST_TEST(!load_text("[1]").result.partial.has_value());  // nothing to read
}

BOOST_AUTO_TEST_CASE(paths_are_relative_to_the_config_file) {
    at::write_text(dir() / "knowledge" / "notes.md", "# notes\n");
    at::write_text(dir() / "best.py", "print(1)\n");
    fs::create_directories(dir() / "oof");
    auto config = valid_config();
    config["data_dir"] = "./input/../data2";
    config["knowledge_files"] = json::array{"knowledge/notes.md", "knowledge/missing.md"};
    config["best_pipeline_script"] = "best.py";
    config["existing_oof_dir"] = "oof";
    config["plugin_dirs"] = json::array{"plugins", "/abs/plugins"};
    config["python"] = "venv/bin/python";
    config["scraper_path"] = "scraped";
    auto loaded = load(config);
    BOOST_TEST_REQUIRE(loaded.result.ok(), loaded.all());
    const auto& c = *loaded.result.config;
    BOOST_TEST(c.competition.train_csv == dir() / "data2" / "train.csv");
    BOOST_TEST(c.competition.knowledge_files.at(0) == dir() / "knowledge" / "notes.md");
    BOOST_TEST(c.competition.best_pipeline_script.value() == dir() / "best.py");
    BOOST_TEST(c.competition.existing_oof_dir.value() == dir() / "oof");
    BOOST_TEST(c.plugin_dirs.at(0) == dir() / "plugins");
    BOOST_TEST(c.plugin_dirs.at(1) == fs::path("/abs/plugins"));
    BOOST_TEST(c.competition.python == dir() / "venv" / "bin" / "python");
    BOOST_TEST(c.scraper_path.value() == dir() / "scraped");
    // A missing knowledge file is a warning; a missing script the user named is an error.
    BOOST_TEST((loaded.at_path("knowledge_files[1]").severity == Diagnostic::Severity::warning));
    config["best_pipeline_script"] = "nope.py";
    BOOST_TEST(at::contains(load(config).at_path("best_pipeline_script").message, "nope.py is not a file"));
    // A bare interpreter name stays a name (looked up on PATH when experiments run).
    config["best_pipeline_script"] = "best.py";
    config["python"] = "python3";
    BOOST_TEST(load(config).result.config->competition.python == fs::path("python3"));
}

BOOST_AUTO_TEST_CASE(key_diagnostics_carry_the_line_of_the_key) {
    auto loaded = load_text(kRegressionHead + R"(  "cv_folds": "x",
  "agents": {"builder": {"plugin": "fixture-agent", "options": {"max_turns": "many"}}}
})",
                            false);
    const auto& d = loaded.at_path("cv_folds");
    BOOST_TEST(d.line == 8);
    BOOST_TEST(d.column == 3);
    BOOST_TEST(at::contains(d.format(), "config.json:8:3: cv_folds: found a string"), d.format());
}

BOOST_AUTO_TEST_CASE(missing_plugin_lists_the_folders_tried) {
    auto config = valid_config();
    config["runner"] = "slurm";
    auto loaded = load(config);
    const auto& m = loaded.at_path("runner.plugin").message;
    BOOST_TEST(at::contains(m, "runner plugin 'slurm' not found"), m);
    BOOST_TEST(at::contains(m, at::good_plugins().string()), m);
    BOOST_TEST(at::contains(m, "runner plugins found: fixture-runner"), m);
}

BOOST_AUTO_TEST_CASE(plugin_of_the_wrong_kind_is_named) {
    auto config = valid_config();
    config["agents"].as_object()["builder"] = "fixture-metrics";
    auto loaded = load(config);
    const auto& m = loaded.at_path("agents.builder.plugin").message;
    BOOST_TEST(at::contains(m, "plugin 'fixture-metrics' is a metric plugin, not an agent"), m);
}

BOOST_AUTO_TEST_CASE(plugin_options_are_checked_against_the_schema) {
    auto config = valid_config();
    config["agents"].as_object()["builder"].as_object()["options"] = json::parse(R"({"max_turn": 3, "verbose": "yes"})");
    config["submitter"].as_object()["options"] = json::parse(R"({"depth": 2})");
    auto loaded = load(config);
    BOOST_TEST(at::contains(loaded.at_path("agents.builder.options.max_turn").message, "did you mean 'max_turns'"));
    BOOST_TEST(at::contains(loaded.at_path("agents.builder.options.verbose").message, "expected boolean"));
    BOOST_TEST(at::contains(loaded.at_path("submitter.options.depth").message, "takes no options"));
}

BOOST_AUTO_TEST_CASE(agent_option_llm_must_name_a_configuration) {
    auto config = valid_config();
    config["agents"].as_object()["builder"].as_object()["options"].as_object()["llm"] = "fast";
    auto loaded = load(config);
    const auto& m = loaded.at_path("agents.builder.options.llm").message;
    BOOST_TEST(at::contains(m, "\"fast\", which is not configured under \"llms\" (configured: strong)"), m);
}

BOOST_AUTO_TEST_CASE(agents_that_cannot_serve_the_task_type_are_refused) {
    auto config = valid_config();
    config["task_type"] = "object_detection";
    config["metric_direction"] = "lower";
    auto loaded = load(config);
    const auto& m = loaded.at_path("agents.reviewer.plugin").message;
    BOOST_TEST(at::contains(m, "agent plugin 'fixture-agent' cannot serve task_type \"object_detection\""), m);
    BOOST_TEST(at::contains(m, "llm, claude-code or codex"), m);
}

BOOST_AUTO_TEST_CASE(metric_must_be_provided_by_a_metric_plugin) {
    auto config = valid_config();
    config["metric"] = "fixture_cont";
    auto loaded = load(config);
    const auto& m = loaded.at_path("metric").message;
    BOOST_TEST(at::contains(m, "no metric plugin provides \"fixture_cont\""), m);
    BOOST_TEST(at::contains(m, "available metrics: fixture_count, fixture_top@k"), m);
    BOOST_TEST(at::contains(m, "did you mean \"fixture_count\"?"), m);
    config["metric"] = "fixture_top@7";
    BOOST_TEST(load(config).result.ok());
}

BOOST_AUTO_TEST_CASE(metric_direction_comes_from_the_metric_plugin) {
    auto config = valid_config();  // fixture_count, lower-is-better by its plugin
    config.erase("metric_direction");
    auto filled = load(config);
    BOOST_TEST_REQUIRE(filled.result.ok(), filled.all());
    BOOST_TEST(filled.result.config->competition.metric_direction == "lower");
    // without the plugins nothing is guessed from a metric's name
    config["metric"] = "rmse";
    auto bare = load(config, false);
    BOOST_TEST_REQUIRE(bare.result.ok(), bare.all());
    BOOST_TEST(bare.result.config->competition.metric_direction.empty());
    config["metric"] = "fixture_top@3";
    config["metric_direction"] = "higher";
    auto contradicting = load(config);
    const auto& d = contradicting.at_path("metric_direction");
    BOOST_TEST((d.severity == Diagnostic::Severity::error));
    BOOST_TEST(at::contains(d.format(), "config.json"), d.format());
    BOOST_TEST(at::contains(d.message, "\"higher\" contradicts metric fixture_top@3, which metric plugin "
                                       "'fixture-metrics' declares lower-is-better"), d.message);
    BOOST_TEST(at::contains(d.message, "remove the key"), d.message);
    config["metric_direction"] = "lower";
    BOOST_TEST(load(config).result.ok());
}

BOOST_AUTO_TEST_CASE(metric_options_are_checked_by_the_metric_plugin) {
    auto config = valid_config();
    config["metric_options"] = json::object{{"scale", 2}};
    auto good = load(config);
    BOOST_TEST_REQUIRE(good.result.ok(), good.all());
    BOOST_TEST(!good.has("metric_options"), good.all());  // a known key, no "unknown key" warning
    config["metric_options"] = json::object{{"scale", "big"}};
    auto wrong_type = load(config);
    const auto& t = wrong_type.at_path("metric_options.scale");
    BOOST_TEST(t.format().starts_with("config.json:"), t.format());
    BOOST_TEST(at::contains(t.format(), " metric_options.scale: "), t.format());
    BOOST_TEST(at::contains(t.message, "expected number"), t.message);
    BOOST_TEST(at::contains(t.message, "fix the value or remove the key"), t.message);
    config["metric_options"] = json::object{{"scael", 2}};
    const auto unknown = load(config);
    const auto& u = unknown.at_path("metric_options.scael");
    BOOST_TEST(at::contains(u.message, "unknown option 'scael' for metric plugin 'fixture-metrics' (options: scale)"), u.message);
    config["metric_options"] = json::object{{"scale", -1}};
    const auto refused = load(config);
    const auto& r = refused.at_path("metric_options");
    BOOST_TEST(at::contains(r.message, "option scale must be positive"), r.message);
    config["metric_options"] = 3;
    BOOST_TEST(at::contains(load(config, false).at_path("metric_options").message, "an object"));
}

BOOST_AUTO_TEST_CASE(load_or_throw_lists_every_error) {
    auto config = valid_config();
    config["cv_folds"] = "x";
    config["task_type"] = "y";
    at::write_text(dir() / "config.json", json::serialize(config));
    try {
        autokaggle::load_config_or_throw(dir() / "config.json", nullptr);
        BOOST_FAIL("expected ConfigError");
    } catch (const autokaggle::ConfigError& e) {
        std::string m = e.what();
        BOOST_TEST(at::contains(m, "2 errors"), m);
        BOOST_TEST(at::contains(m, "cv_folds"), m);
        BOOST_TEST(at::contains(m, "task_type"), m);
    }
}

BOOST_AUTO_TEST_SUITE_END()
