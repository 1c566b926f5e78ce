// Kaggle pieces that need no server: credentials and their precedence, the JSON mapping,
// metric names, the zip reader, config filling and the notebook idea extractor.
#define BOOST_TEST_MODULE kaggle_unit
#include "code_ideas.hpp"
#include "base/plugin_host.hpp"
#include "kaggle/api.hpp"
#include "kaggle/credentials.hpp"
#include "kaggle/json_text.hpp"
#include "kaggle/setup.hpp"
#include "kaggle/zip.hpp"
#include "support/kaggle_support.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

BOOST_TEST_DONT_PRINT_LOG_VALUE(autokaggle::kaggle::Credentials::Scheme)
BOOST_TEST_DONT_PRINT_LOG_VALUE(autokaggle::kaggle::SubmissionStatus)

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;

namespace {

/// A fake home and environment for credential lookups.
struct CredentialWorld {
    TempDir dir{"autokaggle-cred"};
    std::map<std::string, std::string> env;
    kaggle::CredentialEnvironment environment() const {
        kaggle::CredentialEnvironment e;
        auto vars = env;
        e.getenv = [vars](std::string_view name) -> std::optional<std::string> {
            auto it = vars.find(std::string(name));
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
        e.home = dir / "home";
        return e;
    }
    fs::path home() const { return dir / "home"; }
    void write_kaggle_json(const fs::path& folder, const std::string& user, const std::string& key,
                           fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) const {
        fs::create_directories(folder);
        write_text(folder / "kaggle.json", R"({"username": ")" + user + R"(", "key": ")" + key + R"("})");
        fs::permissions(folder / "kaggle.json", perms);
    }
};

std::string secret_in(const kaggle::Credentials& c) {
    // The part after "Bearer " / the decoded Basic pair is what must never be printed.
    return c.authorization();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(credentials)

BOOST_AUTO_TEST_CASE(base64_matches_rfc_examples) {
    BOOST_TEST(kaggle::base64_encode("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    BOOST_TEST(kaggle::base64_encode("foob") == "Zm9vYg==");
    BOOST_TEST(kaggle::base64_encode("fooba") == "Zm9vYmE=");
    BOOST_TEST(kaggle::base64_encode("foobar") == "Zm9vYmFy");
    BOOST_TEST(kaggle::base64_encode("") == "");
}

BOOST_AUTO_TEST_CASE(precedence_follows_kaggles_client) {
    CredentialWorld w;
    w.env["KAGGLE_CONFIG_DIR"] = (w.dir / "cfgdir").string();
    w.env["XDG_CONFIG_HOME"] = (w.dir / "xdg").string();
    w.write_kaggle_json(w.dir / "xdg" / "kaggle", "xdg-user", "KEY-XDG-111111");
    auto found = kaggle::find_credentials(w.environment());
    BOOST_REQUIRE(found);
    BOOST_TEST(found->source() == (w.dir / "xdg" / "kaggle" / "kaggle.json").string());

    w.write_kaggle_json(w.home() / ".kaggle", "home-user", "KEY-HOME-222222");
    BOOST_TEST(kaggle::find_credentials(w.environment())->username() == "home-user");

    w.write_kaggle_json(w.dir / "cfgdir", "cfg-user", "KEY-CFG-333333");
    BOOST_TEST(kaggle::find_credentials(w.environment())->username() == "cfg-user");

    w.env["KAGGLE_USERNAME"] = "env-user";
    w.env["KAGGLE_KEY"] = "KEY-ENV-444444";
    found = kaggle::find_credentials(w.environment());
    BOOST_TEST(found->source() == "KAGGLE_USERNAME/KAGGLE_KEY");
    BOOST_TEST(found->authorization() == "Basic " + kaggle::base64_encode("env-user:KEY-ENV-444444"));

    write_text(w.home() / ".kaggle" / "access_token", "TOKEN-FILE-555555\n");
    fs::permissions(w.home() / ".kaggle" / "access_token", fs::perms::owner_read | fs::perms::owner_write);
    found = kaggle::find_credentials(w.environment());
    BOOST_TEST(found->source() == (w.home() / ".kaggle" / "access_token").string());
    BOOST_TEST(found->authorization() == "Bearer TOKEN-FILE-555555");

    w.env["KAGGLE_API_TOKEN"] = "TOKEN-ENV-666666";
    found = kaggle::find_credentials(w.environment());
    BOOST_TEST(found->source() == "KAGGLE_API_TOKEN");
    BOOST_TEST(found->authorization() == "Bearer TOKEN-ENV-666666");
    BOOST_TEST(found->scheme() == kaggle::Credentials::Scheme::bearer);
}

BOOST_AUTO_TEST_CASE(api_token_may_name_a_file_or_hold_username_and_key) {
    CredentialWorld w;
    fs::create_directories(w.dir / "secrets");
    write_text(w.dir / "secrets" / "token", "TOKEN-IN-FILE-777777\n");
    fs::permissions(w.dir / "secrets" / "token", fs::perms::owner_read);
    w.env["KAGGLE_API_TOKEN"] = (w.dir / "secrets" / "token").string();
    auto found = kaggle::find_credentials(w.environment());
    BOOST_TEST(found->authorization() == "Bearer TOKEN-IN-FILE-777777");
    BOOST_TEST(found->source().find("file") != std::string::npos);

    w.env["KAGGLE_API_TOKEN"] = R"({"username":"json-user","key":"KEY-JSON-888888"})";
    found = kaggle::find_credentials(w.environment());
    BOOST_TEST(found->scheme() == kaggle::Credentials::Scheme::basic);
    BOOST_TEST(found->username() == "json-user");
}

BOOST_AUTO_TEST_CASE(readable_kaggle_json_is_warned_about) {
    CredentialWorld w;
    using p = fs::perms;
    w.write_kaggle_json(w.home() / ".kaggle", "u", fake_key, p::owner_read | p::owner_write | p::group_read | p::others_read);
    auto found = kaggle::find_credentials(w.environment());
    BOOST_REQUIRE(found);
    BOOST_REQUIRE_EQUAL(found->warnings().size(), 1u);
    BOOST_TEST(found->warnings()[0].find("chmod 600") != std::string::npos);
    BOOST_TEST(found->warnings()[0].find("0644") != std::string::npos);
    BOOST_TEST(found->warnings()[0].find(fake_key) == std::string::npos);

    fs::permissions(w.home() / ".kaggle" / "kaggle.json", p::owner_read | p::owner_write);
    BOOST_TEST(kaggle::find_credentials(w.environment())->warnings().empty());
}

BOOST_AUTO_TEST_CASE(broken_sources_are_clear_errors_without_the_key) {
    CredentialWorld w;
    w.env["KAGGLE_KEY"] = fake_key;
    try {
        kaggle::find_credentials(w.environment());
        BOOST_FAIL("KAGGLE_KEY without KAGGLE_USERNAME was accepted");
    } catch (const ConfigError& e) {
        std::string m = e.what();
        BOOST_TEST(m.find("KAGGLE_USERNAME") != std::string::npos);
        BOOST_TEST(m.find(fake_key) == std::string::npos);
    }
    w.env.clear();
    fs::create_directories(w.home() / ".kaggle");
    write_text(w.home() / ".kaggle" / "kaggle.json", R"({"username": "u"})");
    BOOST_CHECK_EXCEPTION(kaggle::find_credentials(w.environment()), ConfigError, [&](const ConfigError& e) {
        std::string m = e.what();
        return m.find("kaggle.json") != std::string::npos && m.find("\"key\"") != std::string::npos;
    });
    fs::remove(w.home() / ".kaggle" / "kaggle.json");
    BOOST_CHECK_EXCEPTION(kaggle::resolve_credentials(w.environment()), ConfigError, [&](const ConfigError& e) {
        std::string m = e.what();
        return m.find("KAGGLE_API_TOKEN") != std::string::npos && m.find("access_token") != std::string::npos &&
               m.find("kaggle.json") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(describe_names_the_source_never_the_secret) {
    auto c = fake_credentials();
    BOOST_TEST(c.describe().find("KAGGLE_USERNAME/KAGGLE_KEY") != std::string::npos);
    BOOST_TEST(c.describe().find(fake_key) == std::string::npos);
    BOOST_TEST(c.describe().find(kaggle::base64_encode(std::string(fake_user) + ":" + fake_key)) == std::string::npos);
    BOOST_TEST(secret_in(c).find("Basic ") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_mapping)

BOOST_AUTO_TEST_CASE(submissions_parse_leniently) {
    auto s = kaggle::parse_submission(json::parse(R"({"ref":"123456789012","date":"2026-01-02T03:04:05.000Z",
        "description":"R07 xgb","publicScore":"0.81","status":"complete","totalBytes":"42","unknownField":{}})").as_object());
    BOOST_TEST(s.ref == 123456789012LL);
    BOOST_TEST(s.status == kaggle::SubmissionStatus::complete);
    BOOST_TEST(s.total_bytes == 42);
    BOOST_TEST(*kaggle::parse_score(s.public_score) == 0.81);
    auto p = kaggle::parse_submission(json::parse(R"({"ref":5})").as_object());
    BOOST_TEST(p.status == kaggle::SubmissionStatus::pending);  // absent = the first enum value
    BOOST_TEST(kaggle::parse_submission_status("SUBMISSION_STATUS_ERROR") == kaggle::SubmissionStatus::error);
    BOOST_TEST(!kaggle::parse_score(""));
    BOOST_TEST(!kaggle::parse_score("n/a"));
}

BOOST_AUTO_TEST_CASE(config_written_from_answers_is_always_json) {
    // What Kaggle sends goes into config.json (init --download): a number past double and a
    // title in Latin-1 still give a file that reads back.
    json::value answer = json::parse(R"({"maxDailySubmissions": 1e400, "ratio": 0.5})");
    answer.as_object()["title"] = "Caf\xE9 competition";
    const std::string text = kaggle::pretty_json(answer);
    boost::system::error_code ec;
    const json::value back = json::parse(text, ec);
    BOOST_TEST_REQUIRE(!ec, text);
    BOOST_TEST(back.at("maxDailySubmissions").is_null());
    BOOST_TEST(back.at("title").as_string() == "Caf\xEF\xBF\xBD competition");
    // An error in a 200 body, with a code past any HTTP status.
    auto error = kaggle::body_error(json::parse(R"({"code": 1e12, "message": "odd"})"));
    BOOST_TEST_REQUIRE(error.has_value());
    BOOST_TEST(error->message == "odd");
    BOOST_TEST(!kaggle::body_error(json::parse(R"({"code": 200})")));
}

BOOST_AUTO_TEST_CASE(requests_omit_defaults) {
    json::object body;
    kaggle::put_string(body, "competitionName", "titanic");
    kaggle::put_string(body, "pageToken", "");
    kaggle::put_int(body, "page", 0);
    kaggle::put_int(body, "pageSize", 20);
    kaggle::put_bool(body, "flag", false);
    BOOST_TEST(json::serialize(body) == R"({"competitionName":"titanic","pageSize":20})");
}

BOOST_AUTO_TEST_CASE(competition_refs_and_dates) {
    auto c = kaggle::parse_competition(fake_competition(3));
    BOOST_TEST(c.slug == fake_slug);
    BOOST_TEST(c.max_daily_submissions == 3);
    BOOST_TEST(kaggle::date_part(c.deadline) == "2031-04-30");
    BOOST_TEST(kaggle::slug_of("titanic") == "titanic");
}

BOOST_AUTO_TEST_CASE(evaluation_metrics_map_to_metric_names) {
    // The names come from the metric plugins: the standard one and a third party's.
    const PluginHost plugins({plugin_dir(), test_plugin_dir() / "metric-spearman"});
    struct Case { const char* kaggle; const char* metric; const char* direction; };
    for (auto c : {Case{"AUC", "auc_roc", "higher"}, Case{"Area Under Receiver Operating Characteristic Curve", "auc_roc", "higher"},
                   Case{"RMSE", "rmse", "lower"}, Case{"Root Mean Squared Logarithmic Error", "rmsle", "lower"},
                   Case{"LogLoss", "logloss", "lower"}, Case{"MulticlassLoss", "logloss", "lower"},
                   Case{"CategorizationAccuracy", "accuracy", "higher"}, Case{"Mean Absolute Error", "mae", "lower"},
                   Case{"MAP@{K}", nullptr, nullptr}, Case{"MAP@3", "map@3", "higher"},
                   Case{"Quadratic Weighted Kappa", "qwk", "higher"}, Case{"Mean F-Score", "f1", "higher"},
                   Case{"Macro F1", "f1_macro", "higher"}, Case{"Mean Average Precision @ 12", "map@12", "higher"},
                   Case{"Spearman's Rank Correlation", "spearman", "higher"}}) {
        auto m = kaggle::map_evaluation_metric(plugins, c.kaggle);
        if (!c.metric) {
            BOOST_TEST(!m, c.kaggle);
            continue;
        }
        BOOST_REQUIRE_MESSAGE(m, c.kaggle);
        BOOST_TEST(m->metric == c.metric);
        BOOST_TEST(m->direction == c.direction);
    }
    BOOST_TEST(!kaggle::map_evaluation_metric(plugins, "Some Custom Host Metric"));
    // without the plugin that answers to it, a name maps to nothing
    BOOST_TEST(!kaggle::map_evaluation_metric(PluginHost({plugin_dir()}), "Spearman Correlation"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(zip_reader)

BOOST_AUTO_TEST_CASE(extracts_deflated_stored_and_nested_folders) {
    TempDir dir;
    std::string big;
    for (int i = 0; i < 20000; ++i) big += std::to_string(i) + "," + std::to_string(i % 7) + "\n";
    write_zip(dir / "data.zip", {{"train.csv", "id,target\n" + big}, {"notes.txt.stored", "stored bytes"}, {"sub/test.csv", "id\n1\n"}});
    auto files = kaggle::extract_zip(dir / "data.zip", dir / "out");
    BOOST_TEST(files.size() == 3u);
    BOOST_TEST(read_text(dir / "out" / "train.csv") == "id,target\n" + big);
    BOOST_TEST(read_text(dir / "out" / "notes.txt") == "stored bytes");
    BOOST_TEST(read_text(dir / "out" / "sub" / "test.csv") == "id\n1\n");
    BOOST_TEST(!fs::exists(dir / "out" / "train.csv.part"));
    auto listing = kaggle::list_zip(dir / "data.zip");
    BOOST_TEST(listing.size() == 3u);
}

BOOST_AUTO_TEST_CASE(refuses_entries_outside_the_destination) {
    TempDir dir;
    write_zip(dir / "evil.zip", {{"../escape.txt", "x"}});
    BOOST_CHECK_EXCEPTION(kaggle::extract_zip(dir / "evil.zip", dir / "out"), Error, [](const Error& e) {
        return std::string(e.what()).find("outside the destination") != std::string::npos;
    });
    BOOST_TEST(!fs::exists(dir / "escape.txt"));
}

BOOST_AUTO_TEST_CASE(detects_corruption_and_non_zips) {
    TempDir dir;
    write_zip(dir / "data.zip", {{"a.txt.stored", "hello world, this is stored content"}});
    std::string bytes = read_text(dir / "data.zip");
    auto at = bytes.find("hello world");
    BOOST_REQUIRE(at != std::string::npos);
    bytes[at] = 'J';  // same size, wrong CRC
    { std::ofstream(dir / "bad.zip", std::ios::binary) << bytes; }
    BOOST_CHECK_EXCEPTION(kaggle::extract_zip(dir / "bad.zip", dir / "out"), Error,
                          [](const Error& e) { return std::string(e.what()).find("CRC") != std::string::npos; });
    BOOST_TEST(!fs::exists(dir / "out" / "a.txt"));
    write_text(dir / "plain.zip", "this is not a zip archive at all");
    BOOST_CHECK_EXCEPTION(kaggle::extract_zip(dir / "plain.zip", dir / "out"), Error, [&](const Error& e) {
        return std::string(e.what()).find("plain.zip") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(never_unpacks_more_than_the_stated_size) {
    TempDir dir;
    write_zip(dir / "bomb.zip", {{"train.csv", std::string(4 << 20, '0')}});  // 4 MiB deflate to a few KiB
    std::string bytes = read_text(dir / "bomb.zip");
    const auto central = bytes.find("PK\x01\x02");
    BOOST_REQUIRE(central != std::string::npos);
    bytes.replace(central + 24, 4, std::string("\x0a\x00\x00\x00", 4));  // states 10 bytes
    { std::ofstream(dir / "bomb.zip", std::ios::binary) << bytes; }
    BOOST_CHECK_EXCEPTION(kaggle::extract_zip(dir / "bomb.zip", dir / "out"), Error, [](const Error& e) {
        return std::string(e.what()).find("entry 'train.csv': more data than the 10 bytes its directory states") !=
               std::string::npos;
    });
    BOOST_TEST(!fs::exists(dir / "out" / "train.csv.part"));
    // The reader on any stream hands the sink no more than the stated size.
    std::istringstream in(bytes);
    kaggle::ZipReader reader(in, "bomb.zip");
    std::size_t delivered = 0;
    BOOST_CHECK_THROW(reader.unpack(0, [&](const char*, std::size_t n) { delivered += n; }), Error);
    BOOST_TEST(delivered <= 10u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_filling)

BOOST_AUTO_TEST_CASE(fills_from_the_api_and_the_data) {
    TempDir dir;
    write_text(dir / "sample_submission.csv", "PassengerId,Survived\n5,0\n6,0\n");
    write_text(dir / "train.csv", "PassengerId,Age,Survived\n1,22,0\n2,38,1\n3,26,1\n4,35,0\n");
    write_text(dir / "test.csv", "PassengerId,Age\n5,30\n6,40\n");
    auto competition = kaggle::parse_competition(fake_competition(3));
    const PluginHost plugins({plugin_dir()});
    auto facts = kaggle::inspect_data(dir.path(), kaggle::map_evaluation_metric(plugins, competition.evaluation_metric));
    BOOST_TEST(facts.id_column == "PassengerId");
    BOOST_REQUIRE_EQUAL(facts.target_columns.size(), 1u);
    BOOST_TEST(facts.task_type == "binary_classification");

    json::object config{{"competition", "<PLACEHOLDER>"}, {"cv_folds", 5}};
    auto report = kaggle::fill_config(config, competition, facts, "alice");
    BOOST_TEST(config.at("competition").as_string() == fake_slug);
    BOOST_TEST(config.at("metric").as_string() == "auc_roc");
    BOOST_TEST(config.at("metric_direction").as_string() == "higher");
    BOOST_TEST(config.at("target_column").as_string() == "Survived");
    BOOST_TEST(config.at("id_column").as_string() == "PassengerId");
    BOOST_TEST(config.at("deadline").as_string() == "2031-04-30");
    BOOST_TEST(config.at("max_submissions_per_day").as_int64() == 3);
    BOOST_TEST(config.at("cv_strategy").as_string() == "StratifiedKFold");
    BOOST_TEST(config.at("kaggle_username").as_string() == "alice");
    BOOST_TEST(config.at("cv_folds").as_int64() == 5);
    BOOST_TEST(report.placeholders.empty());
}

BOOST_AUTO_TEST_CASE(leaves_placeholders_for_what_cannot_be_inferred) {
    TempDir dir;
    write_text(dir / "sample_submission.csv", "id,Class_1,Class_2,Class_3\n9,0.3,0.3,0.4\n");
    write_text(dir / "train.csv", "id,f,a_label,b_label\n1,0.5,x,y\n");
    write_text(dir / "test.csv", "id,f\n9,0.1\n");
    auto competition = kaggle::parse_competition(fake_competition());
    competition.evaluation_metric = "Host Custom Metric";
    auto facts = kaggle::inspect_data(dir.path(), std::nullopt);
    json::object config;
    auto report = kaggle::fill_config(config, competition, facts);
    BOOST_TEST(config.at("metric").as_string() == "<PLACEHOLDER>");
    BOOST_TEST(config.at("target_column").as_string() == "<PLACEHOLDER>");
    BOOST_TEST(config.at("task_type").as_string() == "<PLACEHOLDER>");
    BOOST_TEST(config.at("id_column").as_string() == "id");
    bool names_metric = false, names_candidates = false;
    for (const auto& p : report.placeholders) {
        names_metric |= p.find("Host Custom Metric") != std::string::npos;
        names_candidates |= p.find("a_label, b_label") != std::string::npos;
    }
    BOOST_TEST(names_metric);
    BOOST_TEST(names_candidates);
}

BOOST_AUTO_TEST_CASE(regression_targets_and_multiclass_samples) {
    TempDir dir;
    write_text(dir / "sample_submission.csv", "id,price\n3,1.0\n");
    write_text(dir / "train.csv", "id,x,price\n1,2,10.5\n2,3,11.25\n");
    write_text(dir / "test.csv", "id,x\n3,4\n");
    const PluginHost plugins({plugin_dir()});
    auto facts = kaggle::inspect_data(dir.path(), kaggle::map_evaluation_metric(plugins, "RMSE"));
    BOOST_TEST(facts.task_type == "regression");
    write_text(dir / "sample_submission.csv", "id,A,B,C\n3,0.3,0.3,0.4\n");
    write_text(dir / "train.csv", "id,x,label\n1,2,A\n2,3,B\n4,1,C\n");
    facts = kaggle::inspect_data(dir.path(), kaggle::map_evaluation_metric(plugins, "MulticlassLoss"));
    BOOST_REQUIRE_EQUAL(facts.target_columns.size(), 1u);
    BOOST_TEST(facts.target_columns[0] == "label");
    BOOST_TEST(facts.task_type == "multiclass_classification");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(notebook_ideas)

BOOST_AUTO_TEST_CASE(finds_libraries_models_and_techniques) {
    std::string code = R"(import numpy as np, pandas as pd
import os
from sklearn.model_selection import StratifiedKFold
from lightgbm import LGBMClassifier
import optuna
skf = StratifiedKFold(n_splits=10, shuffle=True)
train['mean_by_cat'] = train.groupby('cat')['x'].transform('mean')
model = LGBMClassifier(n_estimators=500)
bst = xgb.train(params, dtrain, callbacks=[early_stopping(50)])
)";
    auto ideas = kaggle_scraper::extract_ideas(code);
    auto has = [](const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); };
    BOOST_TEST(has(ideas.libraries, "numpy"));
    BOOST_TEST(has(ideas.libraries, "pandas"));
    BOOST_TEST(has(ideas.libraries, "sklearn"));
    BOOST_TEST(has(ideas.libraries, "lightgbm"));
    BOOST_TEST(!has(ideas.libraries, "os"));
    BOOST_TEST(has(ideas.models, "LGBMClassifier"));
    BOOST_TEST(has(ideas.models, "xgb.train"));
    BOOST_TEST(has(ideas.techniques, "stratified k-fold CV (n_splits=10)"));
    BOOST_TEST(has(ideas.techniques, "group-by aggregate features"));
    BOOST_TEST(has(ideas.techniques, "Optuna hyperparameter search"));
    BOOST_TEST(has(ideas.techniques, "early stopping"));
    BOOST_TEST(!has(ideas.techniques, "pseudo-labelling"));
}

BOOST_AUTO_TEST_CASE(reads_notebook_code_cells_only) {
    std::string nb = R"({"cells":[{"cell_type":"markdown","source":["import fake_markdown_lib\n"]},
        {"cell_type":"code","source":["import catboost\n","model = CatBoostRegressor()\n"]}],"nbformat":4})";
    auto code = kaggle_scraper::notebook_code(nb);
    BOOST_TEST(code.find("fake_markdown_lib") == std::string::npos);
    auto ideas = kaggle_scraper::extract_ideas(code);
    BOOST_TEST(ideas.libraries == std::vector<std::string>{"catboost"});
    BOOST_TEST(ideas.models == std::vector<std::string>{"CatBoostRegressor"});
}

BOOST_AUTO_TEST_SUITE_END()
