// An experiment outlives the orchestrator: a real `autokaggle run` whose round-1 experiment (a
// real Python script under the local runner's supervisor, in the sandbox) takes about 20 s,
// while the orchestrator is SIGKILLed every few seconds and started again. The experiment runs
// exactly once and its round is recorded with its real, verified CV. And a campaign stopped by
// SIGTERM ends its experiment and everything it started.
#define BOOST_TEST_MODULE orchestrator-experiment-crash
#include <boost/test/unit_test.hpp>

#include "campaign_support.hpp"
#include "fixture/script.hpp"
#include "orchestrator/policy.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <random>
#include <thread>

using namespace orchtest;
using autokaggle::format_score;
using autokaggle::test::TempDir;
namespace chr = std::chrono;

namespace {

constexpr long long kSeed = 11;

json::object slow_experiment_script() {
    return json::object{{"seed", kSeed}, {"runner_rounds", json::array{1}}, {"experiment_seconds", 20}};
}

json::object one_round() {
    return json::object{{"budget", json::object{{"max_rounds", 1}}}, {"kill_gate", json::object{{"enabled", false}}}};
}

int lines_of(const fs::path& file) {
    const std::string t = text(file);
    return static_cast<int>(std::count(t.begin(), t.end(), '\n'));
}

/// Live processes running the experiment script (inside the sandbox too).
std::vector<int> running(const fs::path& script) { return autokaggle::test::processes_running(script.string()); }

bool wait_for(const std::function<bool()>& condition, chr::seconds limit) {
    const auto deadline = chr::steady_clock::now() + limit;
    while (chr::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(chr::milliseconds(100));
    }
    return condition();
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigkill_every_few_seconds_during_a_20_s_experiment_runs_it_once) {
    TempDir dir;
    const fs::path root = dir / "ws";
    make_workspace(root, slow_experiment_script(), one_round());
    const fs::path starts = root / "rounds" / "experiment_starts.log";
    const fs::path script = root / "rounds" / "R01_experiment.py";

    std::mt19937 rng(20261201u);
    std::uniform_int_distribution<int> delay_ms(2000, 4000);
    int runs = 0, kills = 0, kills_during_experiment = 0;
    bool done = false;
    const auto started = chr::steady_clock::now();
    while (!done && runs < 60) {
        ++runs;
        Child child(root);
        const auto deadline = chr::steady_clock::now() + chr::milliseconds(delay_ms(rng));
        while (chr::steady_clock::now() < deadline && !child.finished()) std::this_thread::sleep_for(chr::milliseconds(20));
        if (child.finished()) {
            BOOST_TEST_REQUIRE(child.wait() == 0, child.err());
            done = true;
            break;
        }
        const bool experiment_running = !running(script).empty();
        child.signal(SIGKILL);
        const int rc = child.wait();
        if (rc == -SIGKILL) {
            ++kills;
            kills_during_experiment += experiment_running;
        } else {
            BOOST_TEST_REQUIRE(rc == 0, child.err());
            done = true;
        }
    }
    const double seconds = chr::duration<double>(chr::steady_clock::now() - started).count();
    BOOST_TEST_MESSAGE(kills << " SIGKILLs (" << kills_during_experiment << " while the experiment ran) over " << runs
                             << " runs in " << seconds << " s");
    BOOST_TEST_REQUIRE(done);
    BOOST_TEST(kills_during_experiment >= 3);

    // Started once, although the orchestrator died several times while it ran.
    BOOST_TEST(lines_of(starts) == 1, text(starts));
    const auto rows = results(root);
    BOOST_TEST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[1].status == "ok", rows[1].description);
    BOOST_TEST(rows[1].cv_score == format_score(fixture::round_error(kSeed, 1)));  // verified from the OOF file
    BOOST_TEST(contains(text(root / "rounds" / "R01_run.log"), "FOLD 5 SCORE="));
    BOOST_TEST(state(root).at("run_records").as_object().empty());
    BOOST_TEST(running(script).empty());
}

BOOST_AUTO_TEST_CASE(a_campaign_stopped_by_sigterm_ends_its_experiment) {
    TempDir dir;
    const fs::path root = dir / "ws";
    auto script_json = slow_experiment_script();
    script_json["experiment_seconds"] = 120;
    make_workspace(root, script_json, one_round());
    const fs::path script = root / "rounds" / "R01_experiment.py";
    Child child(root);
    BOOST_TEST_REQUIRE(wait_for([&] { return !running(script).empty(); }, chr::seconds(60)), child.err());
    const auto stop_sent = chr::steady_clock::now();
    child.signal(SIGTERM);
    const int rc = child.wait();
    BOOST_TEST(rc == 0, child.err());
    BOOST_TEST(wait_for([&] { return running(script).empty(); }, chr::seconds(5)));
    BOOST_TEST((chr::steady_clock::now() - stop_sent < chr::seconds(30)));
    // Stopped, not finished: the round is not recorded and runs again on resume.
    BOOST_TEST(results(root).size() == 1u);
}
