// The Kaggle client, the submitter and the scraper against a fake Kaggle over loopback: real
// HTTP, the real wire format, a separate storage host for downloads and uploads.
#define BOOST_TEST_MODULE kaggle_api
#include "base/plugin_host.hpp"
#include "kaggle/setup.hpp"
#include "kaggle_scraper.hpp"
#include "kaggle_submitter.hpp"
#include "support/kaggle_support.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

BOOST_TEST_DONT_PRINT_LOG_VALUE(autokaggle::SubmissionState)

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;

namespace {

struct Fixture {
    TempDir dir{"autokaggle-kaggle"};
    kaggle::Credentials credentials = fake_credentials();
    FakeKaggle fake{credentials.authorization()};
    TestClient hooks;
    HostDouble host{dir.path(), fake_slug};

    Fixture() { fake.set_competition(fake_competition()); }

    kaggle_submitter::KaggleSubmitter submitter() {
        kaggle_submitter::Options o;
        o.competition = fake_slug;
        auto options = kaggle_submitter::client_options(o, host);  // the plugin's own logging and cancel hooks
        hooks.apply(options, fake);
        return kaggle_submitter::KaggleSubmitter(o, host, kaggle::Client(credentials, options));
    }
    fs::path submission_file(const std::string& name = "R03_submission.csv") {
        write_text(dir / name, "id,target\n1,0.25\n2,0.75\n");
        return dir / name;
    }
    /// Nothing the tests produced may contain the key (or its Basic encoding).
    void check_no_key_leaked(const std::string& extra = {}) {
        std::string basic = credentials.authorization();
        std::string everything = host.log_text() + extra + all_file_text(dir.path());
        BOOST_TEST(everything.find(fake_key) == std::string::npos);
        BOOST_TEST(everything.find(basic.substr(6)) == std::string::npos);
    }
};

bool has_header(const RecordedRequest& r, const char* name) { return r.headers.get(name).has_value(); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(kaggle_api, Fixture)

BOOST_AUTO_TEST_CASE(download_follows_redirect_without_credentials_unzips_and_fills_config) {
    write_zip(dir / "upstream.zip", {{"train.csv", "id,f1,target\n1,0.5,0\n2,0.1,1\n3,0.7,1\n"},
                                     {"test.csv", "id,f1\n4,0.2\n5,0.9\n"},
                                     {"sample_submission.csv", "id,target\n4,0.5\n5,0.5\n"}});
    fake.set_data_zip(read_text(dir / "upstream.zip"));
    fs::create_directories(dir / "ws");
    write_text(dir / "ws" / "config.json", R"({"competition": "<PLACEHOLDER>", "data_dir": "./data", "cv_folds": 5})");

    auto client = make_client(fake, credentials, hooks);
    std::vector<std::string> progress;
    kaggle::DownloadOptions options;
    options.progress = [&](const std::string& line) { progress.push_back(line); };
    const PluginHost plugins({plugin_dir()});
    options.plugins = &plugins;
    auto report = kaggle::download_competition(client, dir / "ws" / "config.json", fake_slug, options);

    auto api = fake.api_requests();
    auto download = std::find_if(api.begin(), api.end(), [](const RecordedRequest& r) {
        return r.path() == "/v1/competitions.CompetitionApiService/DownloadDataFiles";
    });
    BOOST_REQUIRE(download != api.end());
    BOOST_TEST(download->method == "POST");
    BOOST_TEST(json::parse(download->body).at("competitionName").as_string() == fake_slug);
    BOOST_TEST(download->headers.get("Authorization").value_or("") == credentials.authorization());
    auto storage = fake.storage_requests();
    BOOST_REQUIRE_EQUAL(storage.size(), 1u);
    BOOST_TEST(storage[0].method == "GET");
    BOOST_TEST(!has_header(storage[0], "Authorization"));

    BOOST_TEST(read_text(dir / "ws" / "data" / "train.csv") == "id,f1,target\n1,0.5,0\n2,0.1,1\n3,0.7,1\n");
    BOOST_TEST(fs::exists(dir / "ws" / "data" / "sample_submission.csv"));
    BOOST_TEST(!fs::exists(dir / "ws" / "data" / (std::string(fake_slug) + ".zip")));
    BOOST_TEST(report.files.size() == 3u);

    auto config = json::parse(read_text(dir / "ws" / "config.json")).as_object();
    BOOST_TEST(config.at("competition").as_string() == fake_slug);
    BOOST_TEST(config.at("metric").as_string() == "auc_roc");
    BOOST_TEST(config.at("deadline").as_string() == "2031-04-30");
    BOOST_TEST(config.at("max_submissions_per_day").as_int64() == 5);
    BOOST_TEST(config.at("target_column").as_string() == "target");
    BOOST_TEST(config.at("id_column").as_string() == "id");
    BOOST_TEST(config.at("task_type").as_string() == "binary_classification");
    BOOST_TEST(config.at("kaggle_username").as_string() == fake_user);
    BOOST_TEST(report.config.placeholders.empty());
    BOOST_TEST(!progress.empty());
    std::string all_progress;
    for (const auto& p : progress) all_progress += p + "\n";
    check_no_key_leaked(all_progress);
}

BOOST_AUTO_TEST_CASE(unknown_competition_is_a_clear_error) {
    auto client = make_client(fake, credentials, hooks);
    BOOST_CHECK_EXCEPTION(client.find_competition("no-such-comp"), ServiceError, [](const ServiceError& e) {
        std::string m = e.what();
        return e.type() == "not_found" && m.find("no-such-comp") != std::string::npos && m.find("kaggle.com/competitions") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(submit_uploads_then_creates_with_the_description) {
    auto sub = submitter();
    auto info = sub.submit({submission_file(), "R03 lgbm 5-fold, seed avg\n(+ target enc)"});
    BOOST_TEST(info.state == SubmissionState::pending);
    BOOST_TEST(!info.ref.empty());
    BOOST_TEST(info.description == "R03 lgbm 5-fold, seed avg (+ target enc)");

    auto storage = fake.storage_requests();
    BOOST_REQUIRE_EQUAL(storage.size(), 1u);
    BOOST_TEST(storage[0].method == "PUT");
    BOOST_TEST(storage[0].body == "id,target\n1,0.25\n2,0.75\n");
    BOOST_TEST(!has_header(storage[0], "Authorization"));

    std::vector<std::string> order;
    for (const auto& r : fake.api_requests()) order.push_back(r.path().substr(r.path().rfind('/') + 1));
    BOOST_TEST((order == std::vector<std::string>{"StartSubmissionUpload", "CreateSubmission"}));
    auto start = json::parse(fake.api_requests()[0].body).as_object();
    BOOST_TEST(start.at("fileName").as_string() == "R03_submission.csv");
    BOOST_TEST(start.at("contentLength").as_int64() == 24);
    BOOST_TEST(start.at("lastModifiedEpochSeconds").as_int64() > 1600000000);
    BOOST_TEST(fake.api_requests()[0].headers.get("User-Agent").value_or("").rfind("autokaggle/", 0) == 0u);
    BOOST_TEST(fake.api_requests()[0].headers.get("Content-Type").value_or("") == "application/json");
    auto stored = fake.submissions();
    BOOST_REQUIRE_EQUAL(stored.size(), 1u);
    BOOST_TEST(std::to_string(stored[0].ref) == info.ref);
    BOOST_TEST(stored[0].description == info.description);
    check_no_key_leaked();
}

BOOST_AUTO_TEST_CASE(pending_then_complete_scoring) {
    fake.set_scoring(2, "0.81234");
    auto sub = submitter();
    auto info = sub.submit({submission_file(), "R04 xgb"});
    auto first = sub.status(info.ref);
    BOOST_TEST(first.state == SubmissionState::pending);
    BOOST_TEST(!first.public_score);
    BOOST_TEST(sub.status(info.ref).state == SubmissionState::pending);
    auto done = sub.status(info.ref);
    BOOST_TEST(done.state == SubmissionState::complete);
    BOOST_REQUIRE(done.public_score);
    BOOST_TEST(*done.public_score == 0.81234);
    BOOST_TEST(done.description == "R04 xgb");
    BOOST_CHECK_THROW(sub.status("not-a-number"), Error);
}

BOOST_AUTO_TEST_CASE(quota_counts_todays_submissions_and_exhaustion_is_a_service_error) {
    fake.set_competition(fake_competition(3));
    fake.add_submission({0, "2020-01-01T10:00:00.000Z", "old one", "a.csv", "x", "COMPLETE", "0.7", "", 0});
    fake.add_submission({0, now_utc_iso(), "today failed", "b.csv", "x", "ERROR", "", "bad columns", 0});
    fake.add_submission({0, now_utc_iso(), "today 1", "c.csv", "x", "COMPLETE", "0.8", "", 0});
    auto sub = submitter();
    auto q = sub.quota();
    BOOST_REQUIRE(q);
    BOOST_TEST(q->limit == 3);
    BOOST_TEST(q->used_today == 1);

    sub.submit({submission_file(), "R05 a"});
    sub.submit({submission_file(), "R05 b"});
    BOOST_TEST(sub.quota()->used_today == 3);
    try {
        sub.submit({submission_file(), "R05 c"});
        BOOST_FAIL("a fourth submission was accepted");
    } catch (const ServiceError& e) {
        std::string m = e.what();
        BOOST_TEST(e.type() == "quota_exhausted");
        BOOST_TEST(e.status() == 400);
        BOOST_TEST(m.find("00:00 UTC") != std::string::npos);
        BOOST_TEST(m.find("CreateSubmission") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(closed_competition_is_a_service_error) {
    auto closed = fake_competition();
    closed["submissionsDisabled"] = true;
    fake.set_competition(closed);
    auto sub = submitter();
    BOOST_CHECK_EXCEPTION(sub.submit({submission_file(), "R06"}), ServiceError,
                          [](const ServiceError& e) { return e.type() == "competition_closed"; });
}

BOOST_AUTO_TEST_CASE(rate_limit_429_honours_retry_after) {
    FakeResponse limited = FakeResponse::json(429, R"({"code":429,"message":"Too many requests"})");
    limited.headers.set("Retry-After", "2");
    fake.script("ListSubmissions", {limited});
    fake.add_submission({0, now_utc_iso(), "R01 base", "a.csv", "x", "COMPLETE", "0.7", "", 0});
    auto sub = submitter();
    auto list = sub.recent(5);
    BOOST_REQUIRE_EQUAL(list.size(), 1u);
    BOOST_TEST(list[0].description == "R01 base");
    BOOST_REQUIRE_EQUAL(hooks.sleeps->size(), 1u);
    BOOST_TEST(hooks.sleeps->at(0).count() == 2000);
    BOOST_TEST(fake.api_requests().size() == 2u);
    BOOST_TEST(host.log_text().find("429") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(server_error_during_upload_is_retried) {
    fake.script("upload", {FakeResponse::text(500, "backend error"), FakeResponse::text(503, "slow down")});
    auto sub = submitter();
    auto info = sub.submit({submission_file(), "R07 retry"});
    BOOST_TEST(!info.ref.empty());
    auto storage = fake.storage_requests();
    BOOST_REQUIRE_EQUAL(storage.size(), 3u);
    for (const auto& r : storage) {
        BOOST_TEST(r.method == "PUT");
        BOOST_TEST(!has_header(r, "Authorization"));
    }
    BOOST_TEST(fake.submissions().size() == 1u);
    BOOST_TEST(hooks.sleeps->size() == 2u);
}

BOOST_AUTO_TEST_CASE(upload_failing_for_good_creates_nothing) {
    fake.script("upload", std::vector<FakeResponse>(10, FakeResponse::text(503, "unavailable")));
    auto sub = submitter();
    BOOST_CHECK_THROW(sub.submit({submission_file(), "R07 doomed"}), ServiceError);
    BOOST_TEST(fake.submissions().empty());
}

BOOST_AUTO_TEST_CASE(crash_between_upload_and_record_is_reconciled_from_recent) {
    const std::string description = "R08 catboost depth 8 | blend w=0.3";
    std::string ref;
    {
        auto sub = submitter();
        ref = sub.submit({submission_file(), description}).ref;
        // The process dies here: the orchestrator never recorded `ref`.
    }
    auto restarted = submitter();
    auto recent = restarted.recent(5);
    auto match = std::find_if(recent.begin(), recent.end(), [&](const SubmissionInfo& s) { return s.description == description; });
    BOOST_REQUIRE(match != recent.end());
    BOOST_TEST(match->ref == ref);
    BOOST_TEST(fake.submissions().size() == 1u);  // nothing submitted twice
}

BOOST_AUTO_TEST_CASE(bad_credentials_name_their_source_and_hide_the_key) {
    auto wrong = kaggle::Credentials(kaggle::Credentials::Scheme::basic, fake_user, "KGLKEY-wrong-0000-leakcheck",
                                     "/home/someone/.kaggle/kaggle.json");
    kaggle_submitter::Options o;
    o.competition = fake_slug;
    kaggle_submitter::KaggleSubmitter sub(o, host, make_client(fake, wrong, hooks));
    try {
        sub.recent(3);
        BOOST_FAIL("wrong credentials were accepted");
    } catch (const ServiceError& e) {
        std::string m = e.what();
        BOOST_TEST(e.status() == 401);
        BOOST_TEST(e.type() == "unauthorized");
        BOOST_TEST(m.find("/home/someone/.kaggle/kaggle.json") != std::string::npos);
        BOOST_TEST(m.find("Settings > API") != std::string::npos);
        BOOST_TEST(m.find("KGLKEY-wrong") == std::string::npos);
    }
    BOOST_TEST(hooks.sleeps->empty());  // 401 is not retried
}

BOOST_AUTO_TEST_CASE(scraper_reports_new_notebooks_with_their_ideas_once) {
    fake.add_kernel({"alice/lgbm-baseline", "LGBM baseline 0.95", "alice", 120, "2026-01-10T00:00:00Z", 3,
                     "import pandas as pd\nfrom sklearn.model_selection import StratifiedKFold\nimport lightgbm as lgb\n"
                     "skf = StratifiedKFold(n_splits=5)\nm = lgb.LGBMClassifier()\n"});
    fake.add_kernel({"bob/eda", "Quick EDA", "bob", 4, "2026-01-12T00:00:00Z", 1,
                     R"({"cells":[{"cell_type":"code","source":["import seaborn as sns\n","df.groupby('a').mean()\n"]}]})"});
    json::array topics;
    topics.push_back(json::object{{"id", "501"}, {"title", "Leak in feature f7?"}, {"author", "carol"}, {"votes", 12}});
    fake.set_discussions(topics);

    kaggle_scraper::Options o;
    o.competition = fake_slug;
    kaggle_scraper::KaggleScraper scraper(o, host, make_client(fake, credentials, hooks));
    ScrapeRequest request{1, dir / "rounds" / "R01_research_raw.md", dir / "scraper_state"};
    auto first = scraper.scrape(request);
    BOOST_TEST(first.new_items == 3);
    std::string md = read_text(request.raw_output);
    BOOST_TEST(md.find("LGBM baseline 0.95") != std::string::npos);
    BOOST_TEST(md.find("by alice · 120 votes") != std::string::npos);
    BOOST_TEST(md.find("LGBMClassifier") != std::string::npos);
    BOOST_TEST(md.find("stratified k-fold CV (n_splits=5)") != std::string::npos);
    BOOST_TEST(md.find("seaborn") != std::string::npos);
    BOOST_TEST(md.find("Leak in feature f7?") != std::string::npos);
    BOOST_TEST(md.find("team 1") != std::string::npos);  // leaderboard
    // Each notebook appears once even though it is both most-voted and newest.
    BOOST_TEST(md.find("Quick EDA") == md.rfind("Quick EDA"));

    ScrapeRequest second_request{2, dir / "rounds" / "R02_research_raw.md", dir / "scraper_state"};
    auto second = scraper.scrape(second_request);
    BOOST_TEST(second.new_items == 0);
    std::string md2 = read_text(second_request.raw_output);
    BOOST_TEST(md2.find("LGBM baseline") == std::string::npos);
    BOOST_TEST(md2.find("nothing new") != std::string::npos);

    fake.add_kernel({"dave/catboost", "CatBoost + pseudo labels", "dave", 2, "2026-01-15T00:00:00Z", 1,
                     "from catboost import CatBoostClassifier\npseudo_labels = test_preds > 0.9\n"});
    auto third = scraper.scrape({3, dir / "rounds" / "R03_research_raw.md", dir / "scraper_state"});
    BOOST_TEST(third.new_items == 1);
    std::string md3 = read_text(dir / "rounds" / "R03_research_raw.md");
    BOOST_TEST(md3.find("CatBoostClassifier") != std::string::npos);
    BOOST_TEST(md3.find("pseudo-labelling") != std::string::npos);
    BOOST_TEST(md3.find("Quick EDA") == std::string::npos);
    check_no_key_leaked();
}

BOOST_AUTO_TEST_CASE(scraper_without_discussion_route_still_reports_notebooks) {
    fake.add_kernel({"alice/x", "Only notebook", "alice", 1, "2026-01-10T00:00:00Z", 1, "import numpy\n"});
    kaggle_scraper::Options o;
    o.competition = fake_slug;
    kaggle_scraper::KaggleScraper scraper(o, host, make_client(fake, credentials, hooks));
    auto result = scraper.scrape({1, dir / "R01_research_raw.md", dir / "state"});
    BOOST_TEST(result.new_items == 1);
    std::string md = read_text(dir / "R01_research_raw.md");
    BOOST_TEST(md.find("offers no discussion listing") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
