// The "command" scraper: the user's own script (config.json scraper_path), run as a real process.
#define BOOST_TEST_MODULE scraper_command
#include "command_scraper.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace autokaggle;
using namespace autokaggle::test;

namespace {

struct ScriptFixture {
    TempDir dir{"autokaggle-cmdscraper"};
    HostDouble host{dir.path(), "some-comp"};

    command_scraper::CommandScraper scraper_for(const std::string& script_name, const std::string& script,
                                                const std::string& options_json = "{}") {
        write_text(dir / script_name, script);
        host.mutable_config()["scraper_path"] = script_name;
        auto options = command_scraper::Options::from_json(boost::json::parse(options_json).as_object(), host);
        return command_scraper::CommandScraper(options, host);
    }
    ScrapeRequest request(int round) {
        char name[40];
        std::snprintf(name, sizeof name, "R%02d_research_raw.md", round);
        return ScrapeRequest{round, dir / "rounds" / name, dir / "state"};
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(command_scraper_suite, ScriptFixture)

BOOST_AUTO_TEST_CASE(script_writes_the_raw_file_with_its_own_seen_list) {
    auto scraper = scraper_for("scrape.py", R"(import os, json, pathlib
state = pathlib.Path(os.environ["AUTOKAGGLE_STATE_DIR"]) / "mine.json"
seen = json.loads(state.read_text()) if state.exists() else []
items = [i for i in ["notebook-a", "notebook-b"] if i not in seen]
with open(os.environ["AUTOKAGGLE_RAW_OUTPUT"], "w") as f:
    f.write("# Round " + os.environ["AUTOKAGGLE_ROUND"] + " for " + os.environ["AUTOKAGGLE_COMPETITION"] + "\n")
    for i in items:
        f.write("## " + i + "\n")
state.write_text(json.dumps(seen + items))
)");
    auto first = scraper.scrape(request(1));
    BOOST_TEST(first.new_items == 2);
    std::string md = read_text(request(1).raw_output);
    BOOST_TEST(md.find("# Round 1 for some-comp") != std::string::npos);
    BOOST_TEST(md.find("## notebook-b") != std::string::npos);
    auto second = scraper.scrape(request(2));
    BOOST_TEST(second.new_items == 0);
    BOOST_TEST(read_text(request(2).raw_output) == "# Round 2 for some-comp\n");
}

BOOST_AUTO_TEST_CASE(stdout_is_the_markdown_when_the_file_is_not_written) {
    auto scraper = scraper_for("scrape.sh", "echo '## from stdout'\necho \"round $1\"\n", R"({"args": ["{round}"]})");
    auto result = scraper.scrape(request(4));
    BOOST_TEST(result.new_items == 1);
    BOOST_TEST(read_text(request(4).raw_output) == "## from stdout\nround 4\n");
}

BOOST_AUTO_TEST_CASE(silent_script_still_leaves_a_non_empty_raw_file) {
    auto scraper = scraper_for("quiet.sh", "exit 0\n");
    auto result = scraper.scrape(request(5));
    BOOST_TEST(result.new_items == 0);
    BOOST_TEST(read_text(request(5).raw_output).find("reported nothing new") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(failures_and_timeouts_are_service_errors) {
    auto failing = scraper_for("fail.py", "import sys\nsys.stderr.write('login to kaggle failed\\n')\nsys.exit(3)\n");
    BOOST_CHECK_EXCEPTION(failing.scrape(request(1)), ServiceError, [](const ServiceError& e) {
        std::string m = e.what();
        return m.find("exit code 3") != std::string::npos && m.find("login to kaggle failed") != std::string::npos;
    });
    BOOST_TEST(!fs::exists(request(1).raw_output));

    auto slow = scraper_for("slow.sh", "sleep 30\n", R"({"timeout_s": 0.5})");
    auto started = std::chrono::steady_clock::now();
    BOOST_CHECK_EXCEPTION(slow.scrape(request(2)), ServiceError,
                          [](const ServiceError& e) { return e.type() == "timeout"; });
    double waited_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(waited_s < 20.0);  // ended at the timeout, not after the script's 30 s
}

BOOST_AUTO_TEST_CASE(missing_script_is_a_config_error) {
    host.mutable_config()["scraper_path"] = "nowhere/scrape.py";
    BOOST_CHECK_EXCEPTION(command_scraper::Options::from_json({}, host), ConfigError, [](const ConfigError& e) {
        return std::string(e.what()).find("nowhere/scrape.py") != std::string::npos;
    });
}

BOOST_AUTO_TEST_SUITE_END()
