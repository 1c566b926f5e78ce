// Six rounds of `autokaggle run` with a coding-agent CLI in every role, once through the
// claude-code plugin and once through the codex plugin. The fake CLIs (fake_mcp_cli.cpp) have
// no tools of their own: everything they do goes through the `autokaggle mcp` server the plugin
// registered on their command line (Claude Code --mcp-config with the tools in --allowedTools;
// Codex -c mcp_servers.autokaggle.*). So every experiment runs through the configured runner
// with the kill gate, exactly as the `llm` agent's do; the checks are the same
// (tests/support/campaign_checks.hpp).
#define BOOST_TEST_MODULE mcp_campaign
#include <boost/test/unit_test.hpp>

#include "support/campaign_checks.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <sstream>

using namespace autokaggle;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const fs::path fake_bin = AUTOKAGGLE_FAKE_MCP_BIN;

std::vector<json::object> read_calls(const fs::path& log) {
    std::vector<json::object> out;
    std::istringstream lines(test::read_text(log));
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) out.push_back(json::parse(line).as_object());
    return out;
}

std::string arg_after(const json::array& argv, const std::string& flag) {
    for (std::size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i].as_string() == flag) return std::string(argv[i + 1].as_string());
    return {};
}

/// Runs six rounds with `plugin` (the fake CLI `executable`) in every role; returns the calls.
std::vector<json::object> six_rounds(const std::string& plugin, const std::string& executable, const fs::path& dir) {
    const fs::path ws = test::copy_competition_workspace("pima-diabetes", dir / "ws");
    json::object config = json::parse(test::read_text(ws / "config.json")).as_object();
    const json::object agent{{"plugin", plugin}, {"options", json::object{{"executable", (fake_bin / executable).string()},
                                                                          {"timeout_s", 600}}}};
    config["agents"] = json::object{{"researcher", agent}, {"builder", agent}, {"reviewer", agent}};
    config["python"] = test::python().string();
    config["budget"] = json::object{{"max_rounds", 6}};
    test::write_text(ws / "config.json", json::serialize(config));
    const fs::path log = dir / "calls.jsonl";
    const auto r = test::run_cli({"run", ws.string(), "--max-rounds", "6"}, ws, {{"FAKE_MCP_LOG", log.string()}},
                                 std::chrono::seconds(1500));
    BOOST_TEST_MESSAGE("autokaggle run: exit " << r.exit_code << "\n" << r.err.substr(r.err.size() > 4000 ? r.err.size() - 4000 : 0));
    BOOST_REQUIRE_EQUAL(r.exit_code, 0);
    test::check_campaign(ws);
    const auto calls = read_calls(log);
    BOOST_REQUIRE(calls.size() >= 6u * 6u);
    for (const auto& call : calls) {
        BOOST_TEST_CONTEXT(json::serialize(call).substr(0, 300)) {
            BOOST_TEST(!call.contains("error"));
            BOOST_TEST(std::string(call.at("cwd").as_string()) == fs::canonical(ws).string());
            for (const auto& c : call.at("calls").as_array()) BOOST_TEST(!c.as_object().contains("denied"));
        }
    }
    return calls;
}

/// Whether a call's listed tools include `tool`.
bool listed(const json::object& call, const std::string& tool) {
    for (const auto& t : call.at("tools").as_array())
        if (t.as_string() == tool) return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(six_rounds_with_claude_code_on_the_mcp_tools) {
    test::TempDir dir("autokaggle-mcp-claude");
    const auto calls = six_rounds("claude-code", "claude", dir.path());
    int builders = 0;
    for (const auto& call : calls) {
        const auto& argv = call.at("argv").as_array();
        BOOST_TEST(call.at("protocol").as_string() == "2025-06-18");
        const json::value config = json::parse(arg_after(argv, "--mcp-config"));
        const auto& server = config.at("mcpServers").at("autokaggle").as_object();
        BOOST_TEST(fs::path(std::string(server.at("command").as_string())).filename() == "autokaggle");
        const std::string role(server.at("args").as_array().back().as_string());
        if (role == "builder") {
            ++builders;
            BOOST_TEST(listed(call, "run_experiment"));
        } else {
            BOOST_TEST(!listed(call, "run_experiment"), role);
        }
    }
    BOOST_TEST(builders >= 6 * 3);  // plan, code, findings in every round
}

BOOST_AUTO_TEST_CASE(six_rounds_with_codex_on_the_mcp_tools) {
    test::TempDir dir("autokaggle-mcp-codex");
    const auto calls = six_rounds("codex", "codex", dir.path());
    for (const auto& call : calls) {
        BOOST_TEST(call.at("protocol").as_string() == "2025-03-26");
        BOOST_TEST(std::stoll(std::string(call.at("tool_timeout_sec").as_string())) > 60);  // Codex's 60 s default would end runs
    }
}
