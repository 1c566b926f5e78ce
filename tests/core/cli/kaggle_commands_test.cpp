// `autokaggle submit` end to end: the real CLI, the real plugin loaded from the build tree,
// credentials from the environment or kaggle.json, the fake Kaggle over loopback.
#define BOOST_TEST_MODULE kaggle_cli
#include "support/kaggle_support.hpp"

#include <boost/json.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <boost/test/unit_test.hpp>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;

namespace {

const char* workspace_config = R"({
  "competition": "playground-fake-s1",
  "data_dir": "./data",
  "task_type": "binary_classification",
  "metric": "auc_roc",
  "metric_direction": "higher",
  "target_column": "target",
  "id_column": "id",
  "cv_strategy": "StratifiedKFold",
  "cv_folds": 5,
  "max_submissions_per_day": 5,
  "python": "/usr/bin/python3",
  "agents": {"researcher": {"plugin": "autopilot"}, "builder": {"plugin": "autopilot"}, "reviewer": {"plugin": "autopilot"}},
  "llms": {},
  "submitter": {"plugin": "kaggle", "options": {"poll_timeout_s": 30}},
  "scraper": {"plugin": "kaggle"},
  "runner": {"plugin": "local"},
  "plugin_dirs": []
})";

struct CliFixture {
    TempDir dir{"autokaggle-kaggle-cli"};
    FakeKaggle fake{fake_credentials().authorization()};
    fs::path ws = dir / "ws";

    CliFixture() {
        fake.set_competition(fake_competition());
        fs::create_directories(ws / "data");
        fs::create_directories(dir / "home");
        write_text(ws / "config.json", workspace_config);
        write_text(ws / "data" / "train.csv",  // enough rows for the 5 folds validate makes
                   "id,f1,target\n1,0.1,0\n2,0.9,1\n3,0.4,0\n4,0.8,1\n5,0.2,0\n6,0.7,1\n7,0.3,0\n8,0.6,1\n9,0.5,0\n10,0.95,1\n");
        write_text(ws / "data" / "test.csv", "id,f1\n5,0.3\n6,0.7\n");
        write_text(ws / "data" / "sample_submission.csv", "id,target\n5,0.5\n6,0.5\n");
        write_text(dir / "good.csv", "id,target\n5,0.2\n6,0.8\n");
    }
    std::map<std::string, std::string> env(const std::string& key = fake_key) const {
        return {{"HOME", (dir / "home").string()},   {"KAGGLE_USERNAME", fake_user}, {"KAGGLE_KEY", key},
                {"KAGGLE_API_TOKEN", ""},            {"KAGGLE_CONFIG_DIR", ""},      {"XDG_CONFIG_HOME", (dir / "xdg").string()},
                {"KAGGLE_API_BASE_URL", fake.api_base()}};
    }
    std::size_t list_competitions_calls() const {
        std::size_t n = 0;
        for (const auto& r : fake.api_requests())
            if (r.target.find("ListCompetitions") != std::string::npos) ++n;
        return n;
    }
    void check_no_key(const ProcessResult& r) const {
        std::string everything = r.out + r.err + all_file_text(ws);
        BOOST_TEST(everything.find(fake_key) == std::string::npos);
        BOOST_TEST(everything.find(fake_credentials().authorization().substr(6)) == std::string::npos);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(kaggle_cli, CliFixture)

BOOST_AUTO_TEST_CASE(submit_checks_uploads_waits_and_prints_the_score) {
    fake.set_scoring(1, "0.87654");
    auto r = run_cli({"submit", (dir / "good.csv").string(), "-m", "manual check R00", "--dir", ws.string()}, {}, env());
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("public score: 0.87654") != std::string::npos);
    BOOST_TEST(r.out.find("quota: 0 of 5") != std::string::npos);
    auto subs = fake.submissions();
    BOOST_REQUIRE_EQUAL(subs.size(), 1u);
    BOOST_TEST(subs[0].description == "manual check R00");
    BOOST_TEST(subs[0].content == "id,target\n5,0.2\n6,0.8\n");
    for (const auto& s : fake.storage_requests()) BOOST_TEST(!s.headers.get("Authorization"));
    check_no_key(r);
}

BOOST_AUTO_TEST_CASE(submit_refuses_an_invalid_file_before_any_upload) {
    write_text(dir / "bad.csv", "id,prediction\n5,0.2\n");
    auto r = run_cli({"submit", (dir / "bad.csv").string(), "--dir", ws.string()}, {}, env());
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("bad.csv") != std::string::npos);
    BOOST_TEST(fake.storage_requests().empty());
    BOOST_TEST(fake.submissions().empty());
}

BOOST_AUTO_TEST_CASE(submit_with_bad_credentials_names_the_source) {
    const std::string wrong = "KGLKEY-wrong-1234-leakcheck";
    auto r = run_cli({"submit", (dir / "good.csv").string(), "--dir", ws.string()}, {}, env(wrong));
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("KAGGLE_USERNAME/KAGGLE_KEY") != std::string::npos);
    BOOST_TEST(r.err.find("401") != std::string::npos);
    BOOST_TEST((r.out + r.err + all_file_text(ws)).find(wrong) == std::string::npos);
    BOOST_TEST(fake.submissions().empty());
}

BOOST_AUTO_TEST_CASE(validate_checks_the_credentials_and_names_their_source) {
    auto good = run_cli({"validate", ws.string()}, {}, env());
    BOOST_TEST_INFO("stdout: " << good.out << "\nstderr: " << good.err);
    BOOST_TEST(good.exit_code == 0);
    BOOST_TEST(good.out.find("kaggle: ") != std::string::npos);
    BOOST_TEST(good.out.find("KAGGLE_USERNAME/KAGGLE_KEY") != std::string::npos);
    check_no_key(good);

    const std::string wrong = "KGLKEY-wrong-5678-leakcheck";
    auto bad = run_cli({"validate", ws.string()}, {}, env(wrong));
    BOOST_TEST_INFO("stdout: " << bad.out << "\nstderr: " << bad.err);
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.out.find("kaggle (submitter)") != std::string::npos);
    BOOST_TEST(bad.out.find("KAGGLE_USERNAME/KAGGLE_KEY") != std::string::npos);
    BOOST_TEST((bad.out + bad.err).find(wrong) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(readable_kaggle_json_is_used_with_a_warning) {
    fs::create_directories(dir / "home" / ".kaggle");
    write_text(dir / "home" / ".kaggle" / "kaggle.json",
               std::string(R"({"username": ")") + fake_user + R"(", "key": ")" + fake_key + R"("})");
    fs::permissions(dir / "home" / ".kaggle" / "kaggle.json",
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    auto e = env();
    e["KAGGLE_USERNAME"] = "";
    e["KAGGLE_KEY"] = "";
    auto r = run_cli({"submit", (dir / "good.csv").string(), "--no-wait", "--dir", ws.string()}, {}, e);
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST((r.out + r.err).find("chmod 600") != std::string::npos);
    BOOST_TEST(fake.submissions().size() == 1u);
    check_no_key(r);
}

BOOST_AUTO_TEST_CASE(init_download_fetches_unpacks_and_fills_the_config) {
    write_zip(dir / "upstream.zip", {{"train.csv", "row_id,x,y\n1,0.5,1.5\n2,0.1,2.25\n3,0.7,0.125\n"},
                                     {"test.csv", "row_id,x\n4,0.2\n"},
                                     {"sample_submission.csv", "row_id,y\n4,0\n"}});
    fake.set_data_zip(read_text(dir / "upstream.zip"));
    auto competition = fake_competition(7);
    competition["evaluationMetric"] = "Root Mean Squared Error";
    competition.erase("deadline");
    fake.set_competition(competition);

    const fs::path fresh = dir / "fresh";
    auto r = run_cli({"init", fresh.string(), "--competition", fake_slug, "--download"}, {}, env());
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(read_text(fresh / "data" / "train.csv").find("3,0.7,0.125") != std::string::npos);
    auto config = json::parse(read_text(fresh / "config.json")).as_object();
    BOOST_TEST(config.at("metric").as_string() == "rmse");
    BOOST_TEST(config.at("metric_direction").as_string() == "lower");
    BOOST_TEST(config.at("task_type").as_string() == "regression");
    BOOST_TEST(config.at("cv_strategy").as_string() == "KFold");
    BOOST_TEST(config.at("target_column").as_string() == "y");
    BOOST_TEST(config.at("id_column").as_string() == "row_id");
    BOOST_TEST(config.at("max_submissions_per_day").as_int64() == 7);
    BOOST_TEST(config.at("deadline").as_string() == "<PLACEHOLDER>");  // Kaggle gave none
    BOOST_TEST(r.out.find("TO FILL  deadline") != std::string::npos);
    BOOST_TEST(r.out.find("KAGGLE_USERNAME/KAGGLE_KEY") != std::string::npos);
    for (const auto& s : fake.storage_requests()) BOOST_TEST(!s.headers.get("Authorization"));
    BOOST_TEST((r.out + r.err + all_file_text(fresh)).find(fake_key) == std::string::npos);
    // KAGGLE_API.md from the competition the download found, without asking again.
    const auto reference = read_text(fresh / "KAGGLE_API.md");
    BOOST_TEST(reference.find("from the Kaggle API") != std::string::npos, reference);
    BOOST_TEST(reference.find("- submissions per day: 7;") != std::string::npos, reference);
    BOOST_TEST(reference.find("- deadline: not given") != std::string::npos, reference);
    BOOST_TEST(list_competitions_calls() == 1);
}

BOOST_AUTO_TEST_CASE(init_writes_kaggle_api_md_dated_from_the_api) {
    const fs::path ws2 = dir / "ws2";
    auto r = run_cli({"init", ws2.string(), "--competition", fake_slug}, {}, env());
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 0);
    const auto reference = read_text(ws2 / "KAGGLE_API.md");
    const std::string today = kaggle::utc_date(std::chrono::system_clock::now());
    BOOST_TEST(reference.find("## This competition (as of " + today + ", from the Kaggle API)") != std::string::npos, reference);
    BOOST_TEST(reference.find("- deadline: 2031-04-30T23:59:00Z (UTC)") != std::string::npos);
    BOOST_TEST(reference.find("- submissions per day: 5;") != std::string::npos);
    BOOST_TEST(reference.find("- rules accepted by this account: yes") != std::string::npos);
    BOOST_TEST(reference.find("from Kaggle's documentation as known on 2026-") != std::string::npos);
    for (const char* part : {"GPU hours", "12 hours", "kernels.KernelsApiService/SaveKernel", "kaggle kernels push",
                             "GetKernelSessionStatus", "kaggle kernels status", "ListKernelSessionOutput",
                             "kaggle kernels output", "00:00 UTC"})
        BOOST_TEST(reference.find(part) != std::string::npos, part);
    BOOST_TEST(list_competitions_calls() == 1);
    BOOST_TEST(r.out.find("KAGGLE_API.md: the competition's limits as of " + today) != std::string::npos, r.out);
    // The agents get it as knowledge.
    const auto config = json::parse(read_text(ws2 / "config.json")).as_object();
    BOOST_TEST(json::serialize(config.at("knowledge_files")) == "[\"KAGGLE_API.md\"]");
    check_no_key(r);
    BOOST_TEST(all_file_text(ws2).find(fake_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(init_offline_writes_the_documented_part_and_says_what_is_missing) {
    auto e = env();
    e["KAGGLE_USERNAME"] = "";
    e["KAGGLE_KEY"] = "";
    auto r = run_cli({"init", (dir / "offline").string(), "--competition", fake_slug}, {}, e);
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 0);
    auto reference = read_text(dir / "offline" / "KAGGLE_API.md");
    BOOST_TEST(reference.find("## This competition (not from the Kaggle API)") != std::string::npos, reference);
    BOOST_TEST(reference.find("no Kaggle credentials were found") != std::string::npos, reference);
    BOOST_TEST(reference.find("kaggle kernels push") != std::string::npos);
    BOOST_TEST(fake.api_requests().empty());

    // Credentials but no Kaggle to answer: the reason is the connection's.
    auto unreachable = env();
    unreachable["KAGGLE_API_BASE_URL"] = "http://127.0.0.1:9";
    r = run_cli({"init", (dir / "unreachable").string(), "--competition", fake_slug}, {}, unreachable);
    BOOST_TEST(r.exit_code == 0);
    reference = read_text(dir / "unreachable" / "KAGGLE_API.md");
    BOOST_TEST(reference.find("not from the Kaggle API") != std::string::npos, reference);
    BOOST_TEST(reference.find("127.0.0.1:9") != std::string::npos, reference);

    // No competition named: the documented part, and how to add the rest.
    r = run_cli({"init", (dir / "unnamed").string()}, {}, e);
    BOOST_TEST(r.exit_code == 0);
    reference = read_text(dir / "unnamed" / "KAGGLE_API.md");
    BOOST_TEST(reference.find("No competition is named yet") != std::string::npos, reference);
}

BOOST_AUTO_TEST_CASE(init_download_without_credentials_lists_where_it_looked) {
    auto e = env();
    e["KAGGLE_USERNAME"] = "";
    e["KAGGLE_KEY"] = "";
    auto r = run_cli({"init", (dir / "nocreds").string(), "--competition", fake_slug, "--download"}, {}, e);
    BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("no Kaggle credentials found") != std::string::npos);
    BOOST_TEST(r.err.find((dir / "home" / ".kaggle" / "kaggle.json").string()) != std::string::npos);
    BOOST_TEST(fake.api_requests().empty());
}

BOOST_AUTO_TEST_SUITE_END()
