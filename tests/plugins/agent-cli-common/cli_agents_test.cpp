// The claude-code and codex agent plugins, loaded through the plugin host and driven by the fake
// `claude`/`codex` executables: sessions resumed with the right ids over three rounds, re-spawn,
// usage summed, and every failure the CLIs can show reported clearly.
#define BOOST_TEST_MODULE coding_agents
#include "cli_agent_support.hpp"
#include "fake_cli_log_support.hpp"


#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include <csignal>

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace autokaggle;
using autokaggle::test::AgentWorkspace;
using autokaggle::test::argv_of;
using autokaggle::test::contains;
using autokaggle::test::error_of;
using autokaggle::test::HostDouble;
using autokaggle::test::ScopedEnv;
using autokaggle::test::TempDir;

namespace {

const fs::path fake_bin = AUTOKAGGLE_FAKE_AGENT_BIN;

/// The shared workspace plus the fake's log and control files.
struct Fixture {
    TempDir dir{"autokaggle-coding-agents"};
    fs::path workspace = dir / "ws";
    fs::path fake_log = dir / "calls.jsonl";
    fs::path control = dir / "control.json";
    AgentWorkspace ws{workspace};
    HostDouble& host = ws.host;
    ScopedEnv log_env{"FAKE_AGENT_LOG", fake_log.string()};
    ScopedEnv control_env{"FAKE_AGENT_CONTROL", control.string()};

    std::shared_ptr<Agent> agent(const std::string& plugin, const std::string& role, json::object options) {
        return ws.agent(plugin, role, std::move(options));
    }
    PhaseRequest request(int round, Phase phase, const std::string& output) const { return ws.request(round, phase, output); }

    void control_queue(json::array queue, json::object fallback = {}) {
        test::write_text(control, json::serialize(json::object{{"queue", std::move(queue)}, {"default", std::move(fallback)}}));
    }

    /// Every call the fake recorded, in order.
    std::vector<json::object> calls() const { return test::recorded_calls(fake_log); }
};

bool has_arg(const std::vector<std::string>& argv, const std::string& arg) {
    return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

/// The value following `flag` in argv ("" when absent).
std::string arg_after(const std::vector<std::string>& argv, const std::string& flag) {
    auto it = std::find(argv.begin(), argv.end(), flag);
    return it != argv.end() && it + 1 != argv.end() ? *(it + 1) : std::string();
}

/// Which role made a call: the role's system prompt says "You are the <role>".
std::string role_of(const std::vector<std::string>& argv) {
    for (const char* role : {"researcher", "builder", "reviewer"})
        for (const auto& a : argv)
            if (a.find("You are the " + std::string(role)) != std::string::npos) return role;
    return {};
}

struct Step {
    std::string role;
    Phase phase;
    std::string output;
    std::string expected_token;
};

std::vector<Step> round_steps(int round) {
    char nn[16];
    std::snprintf(nn, sizeof nn, "R%02d", round);
    std::string r = nn;
    return {{"researcher", Phase::research, r + "_research_brief.md", "DONE"},
            {"builder", Phase::plan, r + "_plan.md", "DONE"},
            {"reviewer", Phase::review, r + "_review.md", "APPROVED"},
            {"builder", Phase::code, r + "_experiment.py", "CV_SCORE=0.75"},
            {"reviewer", Phase::verify, r + "_review.md", "APPROVED"},
            {"builder", Phase::findings, r + "_findings.md", "DONE"}};
}

/// Reads agents/<role>/session.json.
json::object session_file(const Fixture& f, const std::string& role) { return f.ws.session_file(role); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Claude Code

BOOST_AUTO_TEST_CASE(claude_code_three_rounds_resume_respawn_and_usage) {
    Fixture f;
    json::object options{{"executable", (fake_bin / "claude").string()}, {"model", "claude-test-model"},
                         {"max_turns", 40}, {"timeout_s", 30}, {"extra_args", json::array{"--verbose"}}};
    std::map<std::string, std::shared_ptr<Agent>> agents;
    for (const char* role : {"researcher", "builder", "reviewer"}) agents[role] = f.agent("claude-code", role, options);
    fs::path summary = f.workspace / "rounds" / "summary_R03.md";
    test::write_text(summary, "# the campaign so far\n");

    std::vector<std::string> call_roles;  // role of each call, in order
    for (int round = 1; round <= 3; ++round) {
        if (round == 3) agents["builder"]->respawn(summary);
        for (const auto& step : round_steps(round)) {
            std::string token = agents[step.role]->run_phase(f.request(round, step.phase, step.output));
            BOOST_TEST(token == step.expected_token);
            BOOST_TEST(test::read_text(f.workspace / "rounds" / step.output).find("phase " + std::string(to_string(step.phase))) != std::string::npos);
            call_roles.push_back(step.role);
            // Persisted before the next phase starts.
            BOOST_TEST(std::string(session_file(f, step.role).at("session_id").as_string()) ==
                       agents[step.role]->session_id());
        }
    }

    auto calls = f.calls();
    BOOST_REQUIRE_EQUAL(calls.size(), 18u);
    std::map<std::string, std::string> first_session;  // role -> id its first call created
    std::string builder_respawned_session;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto argv = argv_of(calls[i]);
        const std::string& role = call_roles[i];
        BOOST_TEST_CONTEXT("call " << i + 1 << " by " << role) {
            BOOST_TEST(role_of(argv) == role);
            BOOST_TEST(std::string(calls[i].at("cwd").as_string()) == f.workspace.string());
            BOOST_TEST(arg_after(argv, "--output-format") == "stream-json");
            BOOST_TEST(arg_after(argv, "--model") == "claude-test-model");
            BOOST_TEST(arg_after(argv, "--max-turns") == "40");
            BOOST_TEST(arg_after(argv, "--permission-mode") == "acceptEdits");
            // The defaults, and the phase's output file always writable.
            const fs::path output = f.workspace / "rounds" / round_steps(static_cast<int>(i / 6) + 1).at(i % 6).output;
            BOOST_TEST(arg_after(argv, "--allowedTools") == "Read,Write,Edit,Glob,Grep,Bash,Edit(/" + output.string() + ")");
            BOOST_TEST(has_arg(argv, "--verbose"));
            std::string system = arg_after(argv, "--append-system-prompt");
            BOOST_TEST(contains(system, "on playground-test"));
            BOOST_TEST(contains(system, "The metric is auc_roc (higher is better)"));
            BOOST_TEST(!contains(system, "{{"));
            std::string prompt = arg_after(argv, "-p");
            BOOST_TEST(contains(prompt, "Write the phase's output to: " + (f.workspace / "rounds").string()));
            BOOST_TEST(contains(prompt, (f.workspace / "data" / "train.csv").string()));

            std::string resume;
            for (const auto& a : argv)
                if (a.rfind("--resume=", 0) == 0) resume = a.substr(9);
            std::string own_id = "claude-session-" + std::to_string(i + 1);
            bool builder_after_respawn = role == "builder" && i >= 12;  // round 3 starts at call 13
            if (!first_session.count(role)) {
                BOOST_TEST(resume.empty());
                first_session[role] = own_id;
            } else if (builder_after_respawn && builder_respawned_session.empty()) {
                BOOST_TEST(resume.empty());  // fresh session...
                BOOST_TEST(contains(prompt, summary.string()));  // ...seeded with the summary
                builder_respawned_session = own_id;
            } else if (builder_after_respawn) {
                BOOST_TEST(resume == builder_respawned_session);
                BOOST_TEST(!contains(prompt, summary.string()));
            } else {
                BOOST_TEST(resume == first_session[role]);
            }
        }
    }
    BOOST_TEST(first_session["researcher"] == "claude-session-1");
    BOOST_TEST(first_session["builder"] == "claude-session-2");
    BOOST_TEST(builder_respawned_session == "claude-session-14");
    BOOST_TEST(agents["builder"]->session_id() == "claude-session-14");
    BOOST_TEST(agents["reviewer"]->session_id() == "claude-session-3");

    // Usage: the fake reports $0.25, 1000 in, 200 out, 50 cache writes, 300 cache reads per call.
    int reports = 0;
    Usage builder = f.host.usage_of("builder", &reports);
    BOOST_TEST(reports == 9);
    BOOST_TEST(builder.usd == 9 * 0.25, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(builder.input_tokens == 9 * (1000 + 50 + 300));  // the whole prompt, cache parts included
    BOOST_TEST(builder.output_tokens == 1800);
    BOOST_TEST(builder.cache_creation_input_tokens == 450);
    BOOST_TEST(builder.cache_read_input_tokens == 2700);
    Usage all = f.host.usage_of("", &reports);
    BOOST_TEST(reports == 18);
    BOOST_TEST(all.usd == 18 * 0.25, boost::test_tools::tolerance(1e-9));
    auto builder_file = session_file(f, "builder");
    BOOST_TEST(builder_file.at("calls").to_number<int>() == 9);
    BOOST_TEST(builder_file.at("session_calls").to_number<int>() == 3);
    BOOST_TEST(builder_file.at("plugin").as_string() == "claude-code");

    // A new process (new agent objects) continues the persisted sessions.
    agents.clear();
    auto reviewer = f.agent("claude-code", "reviewer", options);
    BOOST_TEST(reviewer->session_id() == "claude-session-3");
    BOOST_TEST(reviewer->run_phase(f.request(4, Phase::review, "R04_review.md")) == "APPROVED");
    auto last = argv_of(f.calls().back());
    BOOST_TEST(has_arg(last, "--resume=claude-session-3"));
}

BOOST_AUTO_TEST_CASE(claude_code_respawn_survives_a_restart_before_the_next_call) {
    Fixture f;
    json::object options{{"executable", (fake_bin / "claude").string()}, {"timeout_s", 30}};
    fs::path summary = f.workspace / "summary.md";
    test::write_text(summary, "summary\n");
    {
        auto builder = f.agent("claude-code", "builder", options);
        builder->run_phase(f.request(1, Phase::plan, "R01_plan.md"));
        builder->respawn(summary);
        BOOST_TEST(builder->session_id().empty());
    }
    auto builder = f.agent("claude-code", "builder", options);  // the process restarted here
    BOOST_TEST(builder->session_id().empty());
    builder->run_phase(f.request(2, Phase::plan, "R02_plan.md"));
    auto argv = argv_of(f.calls().back());
    for (const auto& a : argv) BOOST_TEST(a.rfind("--resume", 0) != 0);
    BOOST_TEST(contains(arg_after(argv, "-p"), summary.string()));
    BOOST_TEST(builder->session_id() == "claude-session-2");
}

BOOST_AUTO_TEST_CASE(claude_code_failures_are_reported_with_the_clis_words) {
    Fixture f;
    json::object options{{"executable", (fake_bin / "claude").string()}, {"timeout_s", 30}};
    auto builder = f.agent("claude-code", "builder", options);
    auto plan = f.request(1, Phase::plan, "R01_plan.md");
    f.control_queue(json::array{
        json::object{{"token", "DONE"}},
        json::object{{"is_error", true}, {"result", "API Error: 529 {\"type\":\"overloaded_error\"}"}},
        json::object{{"is_error", true}, {"subtype", "error_max_turns"}, {"result", ""}},
        json::object{{"is_error", true}, {"subtype", "error_during_execution"}, {"result", "Tool crashed"}},
        json::object{{"is_error", true}, {"subtype", "error_max_budget_usd"}, {"result", ""}},
        json::object{{"action", "garbage"}, {"exit_code", 2}, {"stderr", "Invalid API key - run /login"}},
        json::object{{"action", "garbage"}},
        json::object{{"result", "\n  \n"}},
        json::object{{"exit_code", 3}, {"stderr", "segfault in tool"}},
    });
    BOOST_TEST(builder->run_phase(plan) == "DONE");

    std::string e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "claude-code"));
    BOOST_TEST(contains(e, "round 1, phase plan"));
    BOOST_TEST(contains(e, "is_error"));
    BOOST_TEST(contains(e, "529"));

    e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "error_max_turns"));
    BOOST_TEST(contains(e, "after 7 turns"));
    BOOST_TEST(contains(e, "max_turns"));

    e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST(contains(e, "error_during_execution"));
    BOOST_TEST(contains(e, "Tool crashed"));

    e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST(contains(e, "error_max_budget_usd"));

    e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "not a Claude Code JSON result"));
    BOOST_TEST(contains(e, "exit code 2"));
    BOOST_TEST(contains(e, "Invalid API key - run /login"));

    e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST(contains(e, "not a Claude Code JSON result"));
    BOOST_TEST(contains(e, "<html>not json</html>"));

    e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST(contains(e, "final message is empty"));

    e = error_of([&] { builder->run_phase(plan); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "exit code 3"));
    BOOST_TEST(contains(e, "segfault in tool"));

    // The session id the failed calls reported is kept: the retry resumes it.
    auto calls = f.calls();
    BOOST_REQUIRE_EQUAL(calls.size(), 9u);
    for (std::size_t i = 1; i < calls.size(); ++i)
        BOOST_TEST(has_arg(argv_of(calls[i]), "--resume=claude-session-1"), "call " << i + 1);
    // Usage of failed calls still counts (the CLI spent it).
    int reports = 0;
    f.host.usage_of("builder", &reports);
    BOOST_TEST(reports == 7);  // every call with a JSON result
}

BOOST_AUTO_TEST_CASE(claude_code_hang_is_killed_with_its_process_group) {
    Fixture f;
    auto builder = f.agent("claude-code", "builder",
                           {{"executable", (fake_bin / "claude").string()}, {"timeout_s", 1}});
    f.control_queue(json::array{json::object{{"action", "hang"}}});
    auto started = std::chrono::steady_clock::now();
    std::string e = error_of([&] { builder->run_phase(f.request(2, Phase::code, "R02_experiment.py")); });
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST_MESSAGE(e << " (" << seconds << " s)");
    BOOST_TEST(contains(e, "timed out after 1 s"));
    BOOST_TEST(contains(e, "timeout_s"));
    BOOST_TEST(seconds < 10);
    auto pids = f.calls().at(0).at("pids").as_array();
    BOOST_TEST(!test::process_alive(static_cast<int>(pids[0].to_number<long long>())));
    BOOST_TEST(!test::process_alive(static_cast<int>(pids[1].to_number<long long>())));
}

// The CLIs' shell tools run each command in a session of its own, out of reach of the CLI's
// process group; such a command (deaf to SIGTERM, too) still ends with the timed-out call.
BOOST_AUTO_TEST_CASE(timeout_ends_what_the_cli_started_in_other_sessions) {
    Fixture f;
    for (const char* tool : {"claude", "codex"}) {
        BOOST_TEST_CONTEXT(tool) {
            auto builder = f.agent(std::string(tool) == "claude" ? "claude-code" : "codex", "builder",
                                   {{"executable", (fake_bin / tool).string()}, {"timeout_s", 1}});
            f.control_queue(json::array{json::object{{"action", "hang_detached"}}});
            std::string e = error_of([&] { builder->run_phase(f.request(2, Phase::code, "R02_experiment.py")); });
            BOOST_TEST_MESSAGE(e);
            BOOST_TEST(contains(e, "timed out after 1 s (process tree ended)"));
            auto pids = f.calls().back().at("pids").as_array();
            const int detached = static_cast<int>(pids[1].to_number<long long>());
            BOOST_TEST(detached > 0);
            bool ended = false;  // it was re-parented to init, which reaps it once killed
            for (int i = 0; i < 100 && !ended; ++i) {
                ended = !test::process_alive(detached);
                if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            BOOST_TEST(ended, "process " << detached << " outlived the call");
            if (!ended) ::kill(detached, SIGKILL);
            // The session the CLI announced before it hung is kept for the retry.
            BOOST_TEST(builder->session_id() == std::string(tool) + "-session-" + std::to_string(f.calls().size()));
        }
    }
}

BOOST_AUTO_TEST_CASE(claude_code_cancel_ends_the_call) {
    Fixture f;
    auto builder = f.agent("claude-code", "builder",
                           {{"executable", (fake_bin / "claude").string()}, {"timeout_s", 60}});
    f.control_queue(json::array{json::object{{"action", "hang"}}});
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        f.host.request_cancel();
    });
    auto started = std::chrono::steady_clock::now();
    bool cancelled = false;
    try {
        builder->run_phase(f.request(2, Phase::code, "R02_experiment.py"));
    } catch (const Cancelled&) {
        cancelled = true;
    } catch (const std::exception& e) {
        BOOST_TEST_MESSAGE("unexpected: " << e.what());
    }
    stopper.join();
    BOOST_TEST(cancelled);
    BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 10);
    auto pids = f.calls().at(0).at("pids").as_array();
    BOOST_TEST(!test::process_alive(static_cast<int>(pids[1].to_number<long long>())));
}

BOOST_AUTO_TEST_CASE(missing_executables_fail_early_with_the_install_command) {
    Fixture f;
    ScopedEnv path("PATH", (f.dir / "empty-bin").string());
    std::string e = error_of([&] { f.agent("claude-code", "builder", {}); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "npm install -g @anthropic-ai/claude-code"));
    BOOST_TEST(contains(e, "agents.builder.options.executable"));
    BOOST_TEST(contains(e, "'claude' was not found on PATH"));

    e = error_of([&] { f.agent("codex", "researcher", {{"executable", "/opt/nowhere/codex"}}); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "npm install -g @openai/codex"));
    BOOST_TEST(contains(e, "agents.researcher.options.executable"));
    BOOST_TEST(contains(e, "/opt/nowhere/codex"));

    bool config_error = false;
    try {
        f.agent("codex", "researcher", {});
    } catch (const ConfigError&) {
        config_error = true;
    } catch (...) {
    }
    BOOST_TEST(config_error);
}

BOOST_AUTO_TEST_CASE(found_on_path_and_prompt_lookup_errors) {
    Fixture f;
    ScopedEnv path("PATH", fake_bin.string() + ":/usr/bin:/bin");
    auto researcher = f.agent("claude-code", "researcher", {{"timeout_s", 30}});  // "claude" from PATH
    BOOST_TEST(researcher->run_phase(f.request(1, Phase::research, "R01_research_brief.md")) == "DONE");
    BOOST_TEST(argv_of(f.calls().back()).at(0) == "-p");

    std::string e = error_of([&] { f.agent("codex", "ghostwriter", {}); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "no system prompt for role 'ghostwriter'"));
    BOOST_TEST(contains(e, (f.workspace / "prompts" / "ghostwriter.md").string()));
    BOOST_TEST(contains(e, "agents.ghostwriter.options.prompts_dir"));

    e = error_of([&] { f.agent("codex", "builder", {{"sandbox", "yolo"}}); });
    BOOST_TEST(contains(e, "agents.builder.options.sandbox"));
    BOOST_TEST(contains(e, "workspace-write"));

    // prompts_dir points somewhere else, relative to the workspace.
    test::write_text(f.workspace / "my-prompts" / "builder.md", "Custom builder for {{target_column}}.\n");
    auto builder = f.agent("claude-code", "builder", {{"prompts_dir", "my-prompts"}, {"timeout_s", 30}});
    builder->run_phase(f.request(1, Phase::plan, "R01_plan.md"));
    BOOST_TEST(arg_after(argv_of(f.calls().back()), "--append-system-prompt") == "Custom builder for target.\n");
}

// ---------------------------------------------------------------------------------------------
// Codex

BOOST_AUTO_TEST_CASE(codex_three_rounds_resume_respawn_and_usage) {
    Fixture f;
    json::object options{{"executable", (fake_bin / "codex").string()}, {"model", "gpt-test"},
                         {"sandbox", "workspace-write"}, {"timeout_s", 30},
                         {"usd_per_mtok_input", 2.0}, {"usd_per_mtok_cached_input", 0.5},
                         {"usd_per_mtok_output", 8.0}};
    std::map<std::string, std::shared_ptr<Agent>> agents;
    for (const char* role : {"researcher", "builder", "reviewer"}) agents[role] = f.agent("codex", role, options);
    fs::path summary = f.workspace / "rounds" / "summary_R03.md";
    test::write_text(summary, "# so far\n");

    std::vector<std::string> call_roles;
    for (int round = 1; round <= 3; ++round) {
        if (round == 3) agents["reviewer"]->respawn(summary);
        for (const auto& step : round_steps(round)) {
            BOOST_TEST(agents[step.role]->run_phase(f.request(round, step.phase, step.output)) == step.expected_token);
            call_roles.push_back(step.role);
        }
    }
    auto calls = f.calls();
    BOOST_REQUIRE_EQUAL(calls.size(), 18u);
    std::map<std::string, std::string> session;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto argv = argv_of(calls[i]);
        const std::string& role = call_roles[i];
        BOOST_TEST_CONTEXT("call " << i + 1 << " by " << role) {
            BOOST_TEST(std::string(calls[i].at("cwd").as_string()) == f.workspace.string());
            BOOST_REQUIRE(argv.size() > 3);
            BOOST_TEST(argv[0] == "exec");
            BOOST_TEST(has_arg(argv, "--json"));
            bool reviewer_fresh = role == "reviewer" && i == 14;  // first reviewer call of round 3
            bool fresh = !session.count(role) || reviewer_fresh;
            if (fresh) {
                BOOST_TEST(argv[1] != "resume");
                BOOST_TEST(arg_after(argv, "-m") == "gpt-test");
                BOOST_TEST(arg_after(argv, "-s") == "workspace-write");
                // The role's prompt opens the session, the phase prompt follows.
                BOOST_TEST(contains(argv.back(), "You are the " + role));
                BOOST_TEST(contains(argv.back(), "The metric is auc_roc"));
                BOOST_TEST(contains(argv.back(), "Write the phase's output to: "));
                BOOST_TEST(contains(argv.back(), summary.string()) == reviewer_fresh);
                session[role] = "codex-session-" + std::to_string(i + 1);
            } else {
                BOOST_TEST(argv[1] == "resume");
                BOOST_TEST(!has_arg(argv, "-s"));  // exec resume refuses -s
                BOOST_TEST(has_arg(argv, "sandbox_mode=\"workspace-write\""));
                BOOST_TEST(has_arg(argv, "model=\"gpt-test\""));
                BOOST_TEST(argv[argv.size() - 2] == session[role]);
                BOOST_TEST(!contains(argv.back(), "You are the"));
                BOOST_TEST(contains(argv.back(), "Write the phase's output to: "));
            }
        }
    }
    BOOST_TEST(agents["reviewer"]->session_id() == "codex-session-15");
    BOOST_TEST(agents["researcher"]->session_id() == "codex-session-1");
    BOOST_TEST(std::string(session_file(f, "reviewer").at("session_id").as_string()) == "codex-session-15");

    // Per call: 1000 input of which 300 cached, 200 output; $2 / $0.5 / $8 per million.
    int reports = 0;
    Usage reviewer = f.host.usage_of("reviewer", &reports);
    BOOST_TEST(reports == 6);
    BOOST_TEST(reviewer.input_tokens == 6 * 1000);  // cached tokens included, shown apart
    BOOST_TEST(reviewer.cache_read_input_tokens == 6 * 300);
    BOOST_TEST(reviewer.output_tokens == 6 * 200);
    BOOST_TEST(reviewer.usd == 6 * (700 * 2.0 + 300 * 0.5 + 200 * 8.0) / 1e6, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(codex_failures_are_reported_with_the_clis_words) {
    Fixture f;
    auto builder = f.agent("codex", "builder", {{"executable", (fake_bin / "codex").string()}, {"timeout_s", 1}});
    auto code = f.request(3, Phase::code, "R03_experiment.py");
    f.control_queue(json::array{
        json::object{{"turn_failed", "stream disconnected before completion: rate limit reached"}},
        json::object{{"action", "garbage"}, {"exit_code", 1}, {"stderr", "error: unexpected argument '-x' found"}},
        json::object{{"action", "hang"}},
        json::object{{"token", "CV_SCORE=crash"}},
    });
    std::string e = error_of([&] { builder->run_phase(code); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "codex"));
    BOOST_TEST(contains(e, "turn.failed"));
    BOOST_TEST(contains(e, "rate limit reached"));
    // The thread started before the turn failed: the retry resumes it.
    BOOST_TEST(builder->session_id() == "codex-session-1");

    e = error_of([&] { builder->run_phase(code); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "not Codex JSON lines"));
    BOOST_TEST(contains(e, "exit code 1"));
    BOOST_TEST(contains(e, "unexpected argument '-x'"));

    e = error_of([&] { builder->run_phase(code); });
    BOOST_TEST(contains(e, "timed out after 1 s"));

    BOOST_TEST(builder->run_phase(code) == "CV_SCORE=crash");
    auto calls = f.calls();
    BOOST_REQUIRE_EQUAL(calls.size(), 4u);
    for (std::size_t i = 1; i < calls.size(); ++i) {
        auto argv = argv_of(calls[i]);
        BOOST_TEST(argv[1] == "resume");
        BOOST_TEST(argv[argv.size() - 2] == "codex-session-1");
    }
}
