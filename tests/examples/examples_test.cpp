// The three examples built as a third party builds them, and campaigns run with them:
//   - `cmake --install` of this build into a temporary prefix;
//   - each examples/<name> configured and built out of tree against that prefix alone
//     (find_package(AutoKaggle), this build's compiler), its compile lines free of the
//     repository's own headers;
//   - boston-housing with the example metric (medae, its direction from the plugin) and the
//     example Builder (pipeline-search over max_depth), two rounds: both verified, each CV the
//     median absolute error of the round's OOF file, each value recorded by the agent;
//   - pima-diabetes with the `llm` agent in every role on the example provider (plainchat)
//     against a loopback server answering as the scripted competitor: round 1 verified, every
//     request in the plain chat format with the key, the usage accounted.
// All with the installed `autokaggle`, finding the example plugins through plugin_dirs.
#define BOOST_TEST_MODULE examples
#include <boost/test/unit_test.hpp>

#include "support/llm_support.hpp"
#include "support/campaign_checks.hpp"
#include "support/scripted_competitor.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <sstream>

using namespace autokaggle;
using namespace autokaggle::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kKey = "pc-fake-key-EXAMPLES-41c7";

std::string describe(const ProcessResult& r) {
    auto tail = [](const std::string& s) { return s.substr(s.size() > 6000 ? s.size() - 6000 : 0); };
    return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + tail(r.out) + "\nstderr:\n" + tail(r.err);
}

/// One temporary folder for the whole program (the prefix and the examples' builds): a global
/// fixture, so that it is removed while the test framework still runs.
struct Scratch {
    Scratch() { current = &dir; }
    ~Scratch() { current = nullptr; }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    TempDir dir{"autokaggle-examples"};
    static inline const TempDir* current = nullptr;
};

const TempDir& scratch() { return *Scratch::current; }

/// This build installed into <scratch>/prefix, once.
const fs::path& prefix() {
    static const fs::path installed = [] {
        const fs::path p = scratch().path() / "prefix";
        const auto r = run_process({AUTOKAGGLE_CMAKE_COMMAND, "--install", binary_dir().string(), "--prefix", p.string()},
                                   {}, {}, std::chrono::seconds(600));
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "cmake --install: " + describe(r));
        return p;
    }();
    return installed;
}

fs::path installed_cli() { return prefix() / "bin" / "autokaggle"; }

/// Configures and builds examples/<name> against the prefix; returns the folder holding its
/// plugin library.
fs::path build_example(const std::string& name) {
    const fs::path build = scratch().path() / ("build-" + name);
    std::vector<std::string> configure{AUTOKAGGLE_CMAKE_COMMAND,
                                       "-S", (source_dir() / "examples" / name).string(),
                                       "-B", build.string(),
                                       "-G", AUTOKAGGLE_CMAKE_GENERATOR,
                                       "-DCMAKE_PREFIX_PATH=" + prefix().string(),
                                       "-DCMAKE_CXX_COMPILER=" AUTOKAGGLE_CXX_COMPILER,
                                       "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                                       "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"};
    if (std::string launcher = AUTOKAGGLE_CXX_LAUNCHER; !launcher.empty())
        configure.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=" + launcher);
    const auto c = run_process(configure, {}, {}, std::chrono::seconds(300));
    BOOST_REQUIRE_MESSAGE(c.exit_code == 0, "configuring examples/" + name + ": " + describe(c));
    BOOST_TEST(c.err.find("AutoKaggle was built with") == std::string::npos, c.err);  // same compiler
    const auto b = run_process({AUTOKAGGLE_CMAKE_COMMAND, "--build", build.string(), "-j", "2"}, {}, {},
                               std::chrono::seconds(600));
    BOOST_REQUIRE_MESSAGE(b.exit_code == 0, "building examples/" + name + ": " + describe(b));
    const fs::path library = build / "plugins" / ("autokaggle-" + name + ".so");
    BOOST_REQUIRE_MESSAGE(fs::is_regular_file(library), library.string() + " was not built");
    // Only the installed package: no include path into this repository's core/ or sdk/.
    const std::string commands = read_text(build / "compile_commands.json");
    for (const char* folder : {"core", "sdk", "plugins"})
        BOOST_TEST(commands.find((source_dir() / folder).string()) == std::string::npos,
                   "examples/" << name << " compiles against " << folder << "/ of the source tree:\n" << commands);
    BOOST_TEST(commands.find((prefix() / "include").string()) != std::string::npos, commands);
    return library.parent_path();
}

/// `autokaggle` as installed.
ProcessResult run_installed(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                            std::chrono::seconds timeout = std::chrono::seconds(120)) {
    std::vector<std::string> argv{installed_cli().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {}, env, timeout);
}

json::object read_json(const fs::path& file) { return json::parse(read_text(file)).as_object(); }

/// Rounds 1..n of results.tsv: each verified (status ok, a numeric CV); returns the CVs.
std::vector<double> verified_cvs(const fs::path& ws, int rounds) {
    std::vector<double> cvs;
    for (const auto& row : read_tsv(ws / "results.tsv")) {
        if (row.at("round") == "0") continue;
        BOOST_TEST_CONTEXT("results.tsv round " << row.at("round")) {
            BOOST_TEST(row.at("status") == "ok", row.at("description"));
            BOOST_REQUIRE_NO_THROW(cvs.push_back(std::stod(row.at("cv_score"))));
        }
    }
    BOOST_TEST(cvs.size() == static_cast<std::size_t>(rounds));
    return cvs;
}

/// The median absolute error of rounds/R0<round>_oof.npy against train.csv over the validated
/// rows of the campaign's fold assignment, computed by numpy.
double numpy_medae(const fs::path& ws, int round) {
    fs::path folds;
    for (const auto& entry : fs::recursive_directory_iterator(ws / "folds"))
        if (entry.path().filename() == "folds.npy") folds = entry.path();
    BOOST_REQUIRE_MESSAGE(!folds.empty(), "no folds.npy under " + (ws / "folds").string());
    const std::string code =
        "import sys, numpy as np, pandas as pd\n"
        "y = pd.read_csv(sys.argv[1])['cmedv'].to_numpy(float)\n"
        "oof = np.load(sys.argv[2]).reshape(-1)\n"
        "rows = np.load(sys.argv[3]) >= 0\n"
        "print(repr(float(np.median(np.abs(y[rows] - oof[rows])))))\n";
    const auto r = run_process({python().string(), "-c", code, (ws / "data" / "train.csv").string(),
                                (ws / "rounds" / ("R0" + std::to_string(round) + "_oof.npy")).string(), folds.string()});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, describe(r));
    return std::stod(r.out);
}

/// boston-housing in `ws`, its answers held out beside it.
json::object boston_workspace(const fs::path& ws) {
    const fs::path source = competition_dir("boston-housing");
    fs::create_directories(ws / "data");
    for (const char* f : {"train.csv", "test.csv", "sample_submission.csv"}) fs::copy_file(source / "data" / f, ws / "data" / f);
    const fs::path answers = ws.parent_path() / "boston-heldout" / "answers.csv";
    fs::create_directories(answers.parent_path());
    fs::copy_file(source / "answers.csv", answers);
    return {{"competition", "boston-housing"}, {"data_dir", "./data"}, {"task_type", "regression"},
            {"target_column", "cmedv"}, {"id_column", "id"}, {"cv_strategy", "KFold"}, {"cv_folds", 5},
            {"python", python().string()},
            {"submitter", {{"plugin", "local"}, {"options", {{"answers", answers.string()}}}}},
            {"runner", {{"plugin", "local"}, {"options", {{"timeout_s", 300}}}}}};
}

// --- the plain chat server: the scripted competitor in the example provider's wire format ------

/// The competitor's view: the latest phase trigger in a user message, then the tool results after it.
PhaseView plainchat_view(const json::object& request) {
    const auto& messages = request.at("messages").as_array();
    for (std::size_t i = messages.size(); i-- > 0;) {
        const auto& m = messages[i].as_object();
        if (m.at("role").as_string() != "user") continue;
        auto view = parse_phase(std::string(m.at("text").as_string()));
        if (!view) continue;
        for (std::size_t j = i + 1; j < messages.size(); ++j)
            if (const auto* results = messages[j].as_object().if_contains("tool_results"))
                for (const auto& r : results->as_array()) view->results.emplace_back(r.as_object().at("content").as_string());
        return *view;
    }
    throw std::runtime_error("no phase trigger in the conversation");  // a 500 for the agent
}

std::string plainchat_reply(const json::object& request) {
    static std::atomic<int> ids{0};
    const Move move = next_move(plainchat_view(request));
    json::array calls;
    if (!move.tool.empty())
        calls.push_back(json::object{{"id", "call-" + std::to_string(++ids)}, {"name", move.tool}, {"arguments", move.arguments}});
    const auto prompt_tokens = static_cast<std::int64_t>(json::serialize(request).size()) / 4;
    return json::serialize(json::object{{"id", "pc-" + std::to_string(++ids)},
                                        {"model", "house-model"},
                                        {"stop_reason", move.tool.empty() ? "end_turn" : "tool_use"},
                                        {"text", move.tool.empty() ? move.text : "Working on it."},
                                        {"tool_calls", std::move(calls)},
                                        {"usage", json::object{{"input_tokens", prompt_tokens}, {"output_tokens", 30}}}});
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(Scratch);

BOOST_AUTO_TEST_CASE(the_installed_package_has_the_sdk_the_support_set_and_the_cmake_package) {
    for (const char* file : {"include/autokaggle/sdk/plugin.hpp", "include/autokaggle/support/atomic_file.hpp",
                             "include/autokaggle/support/provider_config.hpp", "lib/cmake/AutoKaggle/AutoKaggleConfig.cmake",
                             "lib/cmake/AutoKaggle/AutoKaggleTargets.cmake", "lib/cmake/AutoKaggle/AutoKagglePlugin.cmake",
                             "include/autokaggle/support/kaggle_client.hpp",
                             "lib/autokaggle/plugins/autokaggle-agent-autopilot.so", "bin/autokaggle"})
        BOOST_TEST(fs::exists(prefix() / file), file);
    const std::string targets = read_text(prefix() / "lib/cmake/AutoKaggle/AutoKaggleTargets.cmake");
    for (const char* target : {"AutoKaggle::sdk", "AutoKaggle::support", "AutoKaggle::kaggle"})
        BOOST_TEST(targets.find(std::string("add_library(") + target + " ") != std::string::npos, target);
}

BOOST_AUTO_TEST_CASE(metric_and_builder_examples_run_a_boston_campaign) {
    const fs::path metric_dir = build_example("metric-medae");
    const fs::path agent_dir = build_example("agent-pipeline-search");
    const fs::path ws = scratch().path() / "boston";
    json::object config = boston_workspace(ws);
    fs::copy_file(source_dir() / "examples" / "agent-pipeline-search" / "boston_pipeline.py", ws / "pipeline.py");
    config["metric"] = "medae";  // no metric_direction: the plugin says lower is better
    config["best_pipeline_script"] = "pipeline.py";
    config["plugin_dirs"] = json::array{metric_dir.string(), agent_dir.string()};
    config["agents"] = json::object{
        {"researcher", {{"plugin", "autopilot"}}},
        {"builder", {{"plugin", "pipeline-search"}, {"options", {{"parameter", "max_depth"}, {"values", json::array{3, nullptr}}}}}},
        {"reviewer", {{"plugin", "autopilot"}}}};
    config["kill_gate"] = json::object{{"enabled", false}};  // both values run to their end
    write_text(ws / "config.json", json::serialize(config));

    const auto listed = run_installed({"plugins", "--dir", ws.string()});
    BOOST_TEST(listed.exit_code == 0, describe(listed));
    BOOST_TEST(listed.out.find((metric_dir / "autokaggle-metric-medae.so").string()) != std::string::npos, listed.out);
    BOOST_TEST(listed.out.find((agent_dir / "autokaggle-agent-pipeline-search.so").string()) != std::string::npos, listed.out);
    BOOST_TEST(listed.out.find("failed to load") == std::string::npos, listed.out);

    const auto validate = run_installed({"validate", ws.string()});
    BOOST_REQUIRE_MESSAGE(validate.exit_code == 0, describe(validate));
    const auto run = run_installed({"run", ws.string(), "--max-rounds", "2", "--quiet"}, {}, std::chrono::seconds(900));
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, describe(run));

    const auto cvs = verified_cvs(ws, 2);
    BOOST_REQUIRE_EQUAL(cvs.size(), 2u);
    const json::object search = read_json(ws / "agents" / "builder" / "pipeline_search.json");
    for (int round = 1; round <= 2; ++round) {
        BOOST_TEST_CONTEXT("R0" << round) {
            // The metric plugin scored it: the CV is numpy's median absolute error of the OOF.
            BOOST_TEST(std::fabs(cvs[round - 1] - numpy_medae(ws, round)) < 1e-6);
            BOOST_TEST(read_json(ws / "rounds" / ("R0" + std::to_string(round) + "_scores.json")).at("metric").as_string() == "medae");
            // The agent ran the user's pipeline with the round's value and recorded the core's CV.
            const auto& tried = search.at(std::to_string(round)).as_object();
            BOOST_TEST(std::fabs(tried.at("cv").to_number<double>() - cvs[round - 1]) < 1e-6);
            const std::string script = read_text(ws / "rounds" / ("R0" + std::to_string(round) + "_experiment.py"));
            BOOST_TEST(script.find(round == 1 ? R"({\"max_depth\":3})" : R"({\"max_depth\":null})") != std::string::npos, script);
            BOOST_TEST(script.find(read_text(ws / "pipeline.py")) != std::string::npos);
        }
    }
    BOOST_TEST(search.at("1").as_object().at("value") == json::value(3));
    BOOST_TEST(search.at("2").as_object().at("value").is_null());
    BOOST_TEST(cvs[0] != cvs[1]);  // the parameter reached the pipeline
}

BOOST_AUTO_TEST_CASE(llm_provider_example_drives_a_pima_round) {
    const fs::path provider_dir = build_example("llm-plainchat");
    FakeServer server;
    server.route("POST", "/chat", [](const RecordedRequest& r) {
        return FakeResponse::json(200, plainchat_reply(json::parse(r.body).as_object()));
    });
    const fs::path ws = copy_competition_workspace("pima-diabetes", scratch().path() / "pima");
    json::object config = read_json(ws / "config.json");
    const json::object agent{{"plugin", "llm"}, {"options", json::object{{"llm", "house"}, {"max_tool_steps", 12}}}};
    config["agents"] = json::object{{"researcher", agent}, {"builder", agent}, {"reviewer", agent}};
    config["llms"] = json::object{{"house", {{"plugin", "plainchat"},
                                             {"options", {{"model", "house-model"}, {"base_url", server.base_url()},
                                                          {"max_retries", 1}, {"price_input", 1.0}}}}}};
    config["plugin_dirs"] = json::array{provider_dir.string()};
    config["python"] = python().string();
    write_text(ws / "config.json", json::serialize(config));

    const auto run = run_installed({"run", ws.string(), "--max-rounds", "1", "--quiet"}, {{"PLAINCHAT_API_KEY", kKey}},
                                   std::chrono::seconds(900));
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, describe(run));
    BOOST_TEST(verified_cvs(ws, 1).size() == 1u);

    // Every request in the plain chat format, with the key, the model and the core's tools.
    const auto requests = server.requests();
    BOOST_TEST(requests.size() >= 6u);  // EDA, research, plan, review, code, verify, findings, with tool calls
    for (const auto& r : requests) {
        BOOST_TEST(r.path() == "/chat");
        BOOST_TEST(r.headers.get("Authorization").value_or("") == std::string("Bearer ") + kKey);
        const json::object body = json::parse(r.body).as_object();
        BOOST_TEST(body.at("model").as_string() == "house-model");
        BOOST_TEST(!body.at("tools").as_array().empty());
        BOOST_TEST(!body.at("system").as_string().empty());
    }
    // The provider's token counts reached the books, priced by its options.
    const auto usage = read_tsv(ws / "usage.tsv");
    BOOST_REQUIRE(!usage.empty());
    BOOST_TEST(usage.back().at("round") == "total");
    BOOST_TEST(std::stoll(usage.back().at("input_tokens")) > 0);
    BOOST_TEST(std::stod(usage.back().at("usd")) > 0);
    BOOST_TEST(files_containing(ws, kKey).empty());
}
