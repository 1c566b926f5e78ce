// A campaign through `autokaggle run` with the real Claude Code in every role (the Reviewer with
// the read-only configuration docs/coding-agents.md shows) against the scripted fake model, on
// the shipped pima-diabetes competition. The Builder's code phase runs a real experiment
// (fake_builder_experiment.py) through Claude Code's Bash tool; the core verifies its OOF.
// After round 1 the workspace moves to another folder under another HOME, where Claude Code has
// none of its sessions: the campaign continues, each role starting afresh from a summary.
#define BOOST_TEST_MODULE coding_agents_real_campaign
#include "real_clis_support.hpp"

#include "support/test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
namespace fs = std::filesystem;
namespace ut = boost::unit_test;
using namespace autokaggle;
using namespace autokaggle::test;

namespace {

ScriptedCall write_output(const std::string& content) {
    return {"Write", {{"file_path", "{output}"}, {"content", content}}, {}, {}};
}

/// Every phase the orchestrator asks of a coding agent, answered as a competent agent would.
void script_the_campaign(FakeModelServer& model) {
    const std::string experiment = (source_dir() / "tests" / "plugins" / "agent-cli-common" / "fixture" / "fake_builder_experiment.py").string();
    auto written = [&](const std::string& phase, const std::string& content, const std::string& token) {
        model.script(", phase " + phase + ".", {{"", {write_output(content)}, {}}, {"Written.\n\n" + token, {}, {}}});
    };
    written("eda", "# EDA\n\n768 rows, 8 numeric features, zeros stand for missing values.\n", "DONE");
    written("research", "# Research brief\n\n- Regularised linear models are strong on this data.\n", "DONE");
    written("plan", "# Plan for round {round}\n\nLogistic regression with median imputation.\n", "DONE");
    written("revise", "# Plan for round {round}, revised\n", "REVISED");
    written("review", "# Review of round {round}\n\nThe plan is sound.\n", "APPROVED");
    written("findings", "# Findings of round {round}\n\n- Scaling matters for the linear model.\n", "DONE");
    written("verify", "# Verification of round {round}\n\nThe CV matches the out-of-fold predictions.\n", "APPROVED");
    model.script(", phase code.",
                 {{"", {{"Bash", {{"command", "/usr/bin/python3 " + experiment + " {output} {round}"}, {"description", "run"}}, {}, {}}}, {}},
                  {"The experiment ran.\n\n{tool_output_last_line}", {}, {}}});
}

std::map<std::string, std::string> environment(const FakeModelServer& model, const fs::path& home) {
    return real_cli_environment(model, home);
}


}  // namespace

BOOST_AUTO_TEST_CASE(moved_workspace_continues_its_campaign_with_claude_code, *ut::precondition(installed{real_claude()})) {
    TempDir dir{"autokaggle-real-campaign"};
    fs::path ws = dir / "ws";
    copy_competition_workspace("pima-diabetes", ws);
    json::object config = json::parse(read_text(ws / "config.json")).as_object();
    const std::string claude = real_claude().string();
    config["agents"] = json::object{
        {"researcher", {{"plugin", "claude-code"}, {"options", {{"executable", claude}, {"timeout_s", 300}}}}},
        {"builder", {{"plugin", "claude-code"}, {"options", {{"executable", claude}, {"timeout_s", 300}}}}},
        {"reviewer", {{"plugin", "claude-code"},
                      {"options", {{"executable", claude}, {"timeout_s", 300}, {"allowed_tools", "Read,Glob,Grep"},
                                   {"permission_mode", "default"}}}}}};
    write_text(ws / "config.json", json::serialize(config));

    FakeModelServer model;
    script_the_campaign(model);
    CliHome home("campaign-home");
    auto first = run_cli({"run", ws.string(), "--max-rounds", "1"}, ws, environment(model, home.path()),
                         std::chrono::seconds(600));
    BOOST_TEST_MESSAGE("first run: exit " << first.exit_code << "\n" << first.err.substr(first.err.size() > 4000 ? first.err.size() - 4000 : 0));
    BOOST_REQUIRE_EQUAL(first.exit_code, 0);
    const std::string builder_before =
        std::string(json::parse(read_text(ws / "agents" / "builder" / "session.json")).at("session_id").as_string());
    BOOST_TEST(builder_before.size() == 36u);

    // Moved to another folder, on an account whose Claude Code has none of the sessions.
    const fs::path moved = dir / "elsewhere" / "pima";
    fs::create_directories(moved.parent_path());
    fs::rename(ws, moved);
    fs::rename(dir / "ws-heldout", moved.parent_path() / "ws-heldout");  // config.json names it ../ws-heldout
    CliHome other_home("other-home");
    auto second = run_cli({"run", moved.string(), "--max-rounds", "2"}, moved, environment(model, other_home.path()),
                          std::chrono::seconds(600));
    BOOST_TEST_MESSAGE("second run: exit " << second.exit_code << "\n" << second.err.substr(second.err.size() > 6000 ? second.err.size() - 6000 : 0));
    BOOST_REQUIRE_EQUAL(second.exit_code, 0);

    for (const char* nn : {"R01", "R02"}) {
        BOOST_TEST_CONTEXT(nn) {
            BOOST_TEST(fs::exists(moved / "rounds" / (std::string(nn) + "_oof.npy")));
            const std::string verification = read_text(moved / "rounds" / (std::string(nn) + "_verification.md"));
            BOOST_TEST(verification.find("matches the claim") != std::string::npos, verification);
            BOOST_TEST(fs::file_size(moved / "rounds" / (std::string(nn) + "_review.md")) > 0u);
        }
    }
    const std::string log = read_text(moved / "logs" / "autokaggle.log");
    BOOST_TEST(log.find("R01 recorded: ok") != std::string::npos);
    BOOST_TEST(log.find("R02 recorded: ok") != std::string::npos);
    BOOST_TEST(log.find("recorded: failed") == std::string::npos);
    BOOST_TEST(log.find("session " + builder_before + " could not be resumed") != std::string::npos);
    BOOST_TEST(log.find("No conversation found with session ID") != std::string::npos);
    json::object state = json::parse(read_text(moved / "state.json")).as_object();
    const std::string builder_after = std::string(state.at("agents").at("builder").at("session").as_string());
    BOOST_TEST(builder_after.size() == 36u);
    BOOST_TEST(builder_after != builder_before);
    BOOST_TEST(state.at("round").to_number<int>() == 3);

    std::string stray;
    for (const auto& r : model.stray_requests()) stray += "\n  " + r;
    BOOST_TEST(stray.empty(), "requests that were not for the model:" << stray);
}
