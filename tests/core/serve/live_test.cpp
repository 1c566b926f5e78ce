// The dashboard in headless Chromium beside a running campaign (`autokaggle run` with the
// offline autopilot on the shipped competition; the interpreter paces the experiments' fold
// lines so they can be watched): the running state, the folds and the elapsed time moving
// without a reload, the campaign killed and started again while the page stays open, and a
// clean stop.
#define BOOST_TEST_MODULE dashboard_live
#include <boost/test/unit_test.hpp>

#include "chromium_support.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <fstream>

namespace fs = std::filesystem;
namespace json = boost::json;
using autokaggle::test::TempDir;

namespace {

/// An interpreter that runs the real one and holds each fold line back a while.
constexpr const char* kPacedPython = R"(#!/bin/bash
set -o pipefail
/usr/bin/python3 "$@" | while IFS= read -r line; do
  printf '%s\n' "$line"
  case "$line" in FOLD*) sleep 1.5 ;; esac
done
)";

std::string text(dashtest::Chromium& page, const std::string& selector) {
    const auto v = page.eval("(document.querySelector(" + json::serialize(json::value(selector)) + ") || {}).textContent || ''");
    return std::string(v.as_string());
}

std::unique_ptr<dashtest::Background> start_run(const fs::path& root, const fs::path& log) {
    return std::make_unique<dashtest::Background>(
        std::vector<std::string>{autokaggle::test::cli().string(), "run", root.string(), "--max-rounds", "5", "--quiet"}, log);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_running_campaign_is_followed_through_a_restart_without_reloading) {
    TempDir dir("autokaggle-dashboard-live");
    const fs::path root = dir / "live";
    const auto demo = autokaggle::test::run_cli({"demo", "--max-rounds", "1", "--dir", root.string(), "--quiet"}, {}, {},
                                                std::chrono::seconds(300));
    BOOST_REQUIRE_MESSAGE(demo.exit_code == 0, demo.out << demo.err);
    const fs::path python = dir / "paced-python";
    std::ofstream(python) << kPacedPython;
    fs::permissions(python, fs::perms::owner_all);
    auto config = json::parse(autokaggle::test::read_text(root / "config.json")).as_object();
    config["python"] = python.string();
    config["kill_gate"] = json::object{{"enabled", false}};  // every experiment runs all its folds
    autokaggle::test::write_text(root / "config.json", json::serialize(config));

    auto serve = dashtest::start_serve({root.string()}, dir / "serve");
    dashtest::Chromium page(dir / "profile");
    page.navigate(serve.base() + "/c/live/");
    page.wait_for("document.body.dataset.summaryLoaded === '1'", "the summary");
    page.eval("window.__samePage = 42");
    BOOST_TEST(text(page, "#run-state").find("stopped: max_rounds") == 0u);

    // The campaign runs: the page follows the experiment's folds as they arrive.
    auto run = start_run(root, dir / "run1");
    const std::string pid1 = std::to_string(run->pid());
    page.wait_for("document.getElementById('run-state').textContent === 'running (pid " + pid1 + ")'", "the running state",
                  std::chrono::seconds(30));
    page.wait_for("!document.getElementById('run').hidden && document.getElementById('fold-progress').dataset.done === '1'",
                  "fold 1 of the running experiment", std::chrono::seconds(60));
    BOOST_TEST(text(page, "#fold-text").find("fold 1 of 5") == 0u);
    const std::string elapsed = text(page, "#elapsed");
    page.wait_for("document.getElementById('fold-progress').dataset.done === '2'", "fold 2", std::chrono::seconds(20));
    BOOST_TEST(text(page, "#elapsed") != elapsed);
    BOOST_TEST(page.eval("document.querySelectorAll('#fold-scores li').length").to_number<int>() >= 2);
    BOOST_TEST(text(page, "#phase-log").find("code (builder)") != std::string::npos);
    BOOST_TEST(text(page, "#rounds-table tr.current-row").find("in progress: code") != std::string::npos);
    const std::string run_label = text(page, "#run-label");
    const auto shot = page.screenshot_png();
    std::ofstream(autokaggle::test::binary_dir() / "tests" / "core" / "serve" / "dashboard-live.png", std::ios::binary) << shot;

    // The campaign dies mid-experiment: the page says so and keeps the last folds.
    run->signal(SIGKILL);
    BOOST_REQUIRE(run->wait(std::chrono::seconds(10)).has_value());
    page.wait_for("document.getElementById('run-state').classList.contains('badge-stale')", "the campaign shown as not running",
                  std::chrono::seconds(10));
    BOOST_TEST(text(page, "#run-label").find("campaign not running") != std::string::npos);

    // It is started again: the same page follows the campaign and its experiment again.
    run = start_run(root, dir / "run2");
    const std::string pid2 = std::to_string(run->pid());
    page.wait_for("document.getElementById('run-state').textContent === 'running (pid " + pid2 + ")'",
                  "the restarted campaign's running state", std::chrono::seconds(30));
    page.wait_for("Number(document.getElementById('fold-progress').dataset.done) >= 1 && "
                  "!document.getElementById('run-label').textContent.includes('campaign not running')",
                  "the restarted experiment's first fold", std::chrono::seconds(60));
    // The experiment outlived the first campaign process under its supervisor: the restart either
    // re-attached to it or, when it had finished, went on to the next round's.
    BOOST_TEST(text(page, "#run-label").find("_experiment") != std::string::npos);
    BOOST_TEST(text(page, "#run-label").find(run_label.substr(0, 1)) == 0u);

    // A clean stop.
    run->signal(SIGTERM);
    const auto code = run->wait(std::chrono::seconds(60));
    BOOST_TEST(code.value_or(-100) == 0, run->err());
    page.wait_for("document.getElementById('run-state').textContent.startsWith('stopped: SIGTERM')", "the stop and its reason",
                  std::chrono::seconds(10));
    BOOST_TEST(page.eval("window.__samePage").to_number<int>() == 42);  // never reloaded
    const auto errors = page.errors();
    BOOST_TEST(errors.empty(), [&] { std::string all; for (const auto& e : errors) all += e + "\n"; return all; }());
}
