// A whole campaign through `autokaggle run` with the fake `claude` as Researcher, Builder and
// Reviewer on the shipped pima-diabetes competition: three rounds, a re-spawn at round 2, the
// Builder's code phase writing and running a real experiment (fixture/fake_builder_experiment.py)
// whose OOF the core verifies. Checks the sessions the CLI was asked to resume, the ids state.json
// recorded and the costs the budget accounted.
#define BOOST_TEST_MODULE coding_agents_campaign
#include "fake_cli_log_support.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace autokaggle;
using autokaggle::test::argv_of;
using autokaggle::test::recorded_calls;
using autokaggle::test::TempDir;

namespace {

const fs::path fake_bin = AUTOKAGGLE_FAKE_AGENT_BIN;

std::string arg_after(const std::vector<std::string>& argv, const std::string& flag) {
    auto it = std::find(argv.begin(), argv.end(), flag);
    return it != argv.end() && it + 1 != argv.end() ? *(it + 1) : std::string();
}

std::string resume_of(const std::vector<std::string>& argv) {
    for (const auto& a : argv)
        if (a.rfind("--resume=", 0) == 0) return a.substr(9);
    return {};
}

/// The role whose system prompt (prompts/<role>.md, as shipped) a call carried.
std::string role_of(const std::vector<std::string>& argv, const std::map<std::string, std::string>& first_lines) {
    std::string system = arg_after(argv, "--append-system-prompt");
    for (const auto& [role, line] : first_lines)
        if (system.rfind(line, 0) == 0) return role;
    return {};
}

/// The first line of a shipped prompt as the plugin renders it for this competition.
std::string first_line(const fs::path& file, const std::string& competition) {
    std::string text = test::read_text(file);
    std::string line = text.substr(0, text.find('\n'));
    const std::string placeholder = "{{competition}}";
    for (auto pos = line.find(placeholder); pos != std::string::npos; pos = line.find(placeholder))
        line.replace(pos, placeholder.size(), competition);
    return line;
}

}  // namespace

BOOST_AUTO_TEST_CASE(three_rounds_through_autokaggle_run_with_claude_code_in_every_role) {
    TempDir dir{"autokaggle-claude-campaign"};
    fs::path ws = test::copy_competition_workspace("pima-diabetes", dir / "ws");

    json::object config = json::parse(test::read_text(ws / "config.json")).as_object();
    json::object agent{{"plugin", "claude-code"},
                       {"options", {{"executable", (fake_bin / "claude").string()}, {"timeout_s", 300}}}};
    config["agents"] = json::object{{"researcher", agent}, {"builder", agent}, {"reviewer", agent}};
    config["budget"] = json::object{{"max_rounds", 3}};
    config["orchestrator"] = json::object{{"respawn_every", 2}};
    test::write_text(ws / "config.json", json::serialize(config));

    fs::path calls_log = dir / "calls.jsonl", control = dir / "control.json";
    json::array run{test::python().string(),
                    (test::source_dir() / "tests" / "plugins" / "agent-cli-common" / "fixture" / "fake_builder_experiment.py").string(), "{output}",
                    "{round}"};
    test::write_text(control, json::serialize(json::object{
                                  {"phases", {{"code", {{"run", run}, {"token", "{run}"}}}}}}));

    auto r = test::run_cli({"run", ws.string(), "--max-rounds", "3"}, ws,
                           {{"FAKE_AGENT_LOG", calls_log.string()}, {"FAKE_AGENT_CONTROL", control.string()}},
                           std::chrono::seconds(900));
    BOOST_TEST_MESSAGE("autokaggle run: exit " << r.exit_code << "\n" << r.err.substr(r.err.size() > 6000 ? r.err.size() - 6000 : 0));
    BOOST_REQUIRE_EQUAL(r.exit_code, 0);

    // The core verified each round's experiment from its OOF file.
    for (const char* nn : {"R01", "R02", "R03"}) {
        BOOST_TEST_CONTEXT(nn) {
            BOOST_TEST(fs::exists(ws / "rounds" / (std::string(nn) + "_oof.npy")));
            std::string verification = test::read_text(ws / "rounds" / (std::string(nn) + "_verification.md"));
            BOOST_TEST(verification.find("matches the claim") != std::string::npos, verification);
        }
    }

    // Sessions: every call resumes the role's previous session, except the role's first call and
    // its first call after the re-spawn at round 2, which start fresh (the latter with the summary).
    std::map<std::string, std::string> first_lines;
    for (const char* role : {"researcher", "builder", "reviewer"})
        first_lines[role] =
            first_line(test::source_dir() / "prompts" / (std::string(role) + ".md"), "pima-diabetes");
    auto calls = recorded_calls(calls_log);
    BOOST_REQUIRE(calls.size() >= 3u * 5u);
    std::map<std::string, std::string> current;  // role -> session its last call used
    std::map<std::string, int> fresh_starts, calls_by_role;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto argv = argv_of(calls[i]);
        std::string role = role_of(argv, first_lines);
        BOOST_TEST_CONTEXT("call " << i + 1 << " (" << role << ")") {
            BOOST_REQUIRE(!role.empty());
            BOOST_TEST(std::string(calls[i].at("cwd").as_string()) == fs::canonical(ws).string());
            ++calls_by_role[role];
            BOOST_TEST(arg_after(argv, "--append-system-prompt").find("{{") == std::string::npos);
            std::string prompt = arg_after(argv, "-p"), resume = resume_of(argv);
            std::string own = "claude-session-" + std::to_string(calls[i].at("call").to_number<long long>());
            bool after_respawn = prompt.find("fresh session of a running campaign") != std::string::npos;
            if (!current.count(role) || after_respawn) {
                BOOST_TEST(resume.empty());
                if (current.count(role)) BOOST_TEST(prompt.find("summary_R02.md") != std::string::npos);
                ++fresh_starts[role];
                current[role] = own;
            } else {
                BOOST_TEST(resume == current[role]);
            }
        }
    }
    for (const char* role : {"researcher", "builder", "reviewer"}) BOOST_TEST(fresh_starts[role] == 2, role);

    // state.json and agents/<role>/session.json hold the sessions in use; costs are accounted.
    json::object state = json::parse(test::read_text(ws / "state.json")).as_object();
    const auto& spent = state.at("budget_spent").as_object();
    for (const char* role : {"researcher", "builder", "reviewer"}) {
        BOOST_TEST_CONTEXT(role) {
            BOOST_TEST(std::string(state.at("agents").at(role).at("session").as_string()) == current[role]);
            json::object session = json::parse(test::read_text(ws / "agents" / role / "session.json")).as_object();
            BOOST_TEST(std::string(session.at("session_id").as_string()) == current[role]);
            double usd = spent.at("by_role").at(role).at("usd").to_number<double>();
            BOOST_TEST(usd == 0.25 * calls_by_role[role], boost::test_tools::tolerance(1e-9));
            BOOST_TEST(spent.at("by_role").at(role).at("input_tokens").to_number<long long>() ==
                       (1000LL + 50 + 300) * calls_by_role[role]);  // the fake's input, cache writes and reads
        }
    }
    BOOST_TEST(spent.at("total").at("usd").to_number<double>() == 0.25 * static_cast<double>(calls.size()),
               boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(run_stops_early_when_the_cli_is_missing) {
    TempDir dir{"autokaggle-claude-missing"};
    fs::path ws = test::copy_competition_workspace("pima-diabetes", dir / "ws");
    json::object config = json::parse(test::read_text(ws / "config.json")).as_object();
    config["agents"].as_object()["builder"] =
        json::object{{"plugin", "claude-code"}, {"options", {{"executable", (dir / "no-such" / "claude").string()}}}};
    test::write_text(ws / "config.json", json::serialize(config));
    auto r = test::run_cli({"run", ws.string(), "--max-rounds", "1"}, ws, {}, std::chrono::seconds(120));
    BOOST_TEST_MESSAGE("exit " << r.exit_code << "\n" << r.out << r.err);
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST((r.out + r.err).find("npm install -g @anthropic-ai/claude-code") != std::string::npos);
    BOOST_TEST((r.out + r.err).find("agents.builder.options.executable") != std::string::npos);
    BOOST_TEST(!fs::exists(ws / "rounds" / "R00_eda.md"));  // nothing ran

    auto v = test::run_cli({"validate", ws.string()}, ws, {}, std::chrono::seconds(120));
    BOOST_TEST_MESSAGE("validate exit " << v.exit_code << "\n" << v.out << v.err);
    BOOST_TEST(v.exit_code == 2);
    BOOST_TEST(v.out.find("npm install -g @anthropic-ai/claude-code") != std::string::npos);
    BOOST_TEST(v.out.find("agents.builder") != std::string::npos);
}
