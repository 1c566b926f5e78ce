// The claude-code and codex plugins driving the real Claude Code and Codex CLIs (the versions in
// cli-versions.env) against a scripted fake model on loopback that streams the real formats
// (Anthropic Messages and OpenAI Responses server-sent events). The model's tool calls make the
// CLIs write the phase's files and run commands for real. Every test also checks that nothing
// but the fake model was contacted (the proxy variables point at it).
#define BOOST_TEST_MODULE coding_agents_real
#include "cli_agent_support.hpp"
#include "real_clis_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <random>
#include <thread>
#include <unistd.h>

namespace json = boost::json;
namespace fs = std::filesystem;
namespace ut = boost::unit_test;
using namespace autokaggle;
using namespace autokaggle::test;
using namespace std::chrono_literals;

namespace {


/// A test's world: the fake model, a HOME for the CLIs, the environment pointing them at both,
/// and a workspace.
struct RealCli {
    TempDir dir{"autokaggle-real-cli"};
    FakeModelServer model;
    CliHome home{"home"};
    std::vector<std::unique_ptr<ScopedEnv>> env;
    AgentWorkspace ws{dir / "ws"};

    RealCli() { use_home(home.path()); }

    /// The CLIs run as if on another account or machine: their sessions are not there.
    void use_home(const fs::path& path) {
        env.clear();
        for (const auto& [name, value] : real_cli_environment(model, path))
            env.push_back(std::make_unique<ScopedEnv>(name, value));
    }

    json::object claude_options(json::object more = {}) const {
        json::object o{{"executable", real_claude().string()}, {"timeout_s", 120}};
        for (auto& [k, v] : more) o[k] = v;
        return o;
    }
    json::object codex_options(json::object more = {}) const {
        json::array args;
        for (const auto& a : codex_provider_args(model)) args.emplace_back(a);
        json::object o{{"executable", real_codex().string()}, {"model", codex_model()}, {"extra_args", args},
                       {"timeout_s", 120}};
        for (auto& [k, v] : more) o[k] = v;
        return o;
    }

    /// Nothing but the fake model was contacted.
    void expect_loopback_only() const {
        std::string stray;
        for (const auto& r : model.stray_requests()) stray += "\n  " + r;
        BOOST_TEST(stray.empty(), "requests that were not for the model:" << stray);
        BOOST_TEST(!model.model_requests().empty());
    }

    /// The body of the last model request (the conversation the CLI sent).
    std::string last_conversation() const { return model.model_requests().back().body; }
};

/// Round 1's plan and code phases in one session, then a re-spawn and round 2's plan in a fresh
/// session that reads the summary first and knows nothing else (the model's plan and code
/// scripts are set). Returns the usage the builder reported.
Usage plan_code_and_respawn(RealCli& f, Agent& builder) {
    BOOST_TEST(builder.run_phase(f.ws.request(1, Phase::plan, "R01_plan.md")) == "DONE");
    BOOST_TEST(read_text(f.ws.root / "rounds" / "R01_plan.md") == "# Plan for round 1\n");
    const std::string first = builder.session_id();
    BOOST_TEST(!first.empty());
    BOOST_TEST(std::string(f.ws.session_file("builder").at("session_id").as_string()) == first);

    // The code phase resumes the session: the model sees the plan phase in the conversation.
    BOOST_TEST(builder.run_phase(f.ws.request(1, Phase::code, "R01_experiment.py")) == "CV_SCORE=0.8125");
    BOOST_TEST(builder.session_id() == first);
    BOOST_TEST(contains(f.last_conversation(), "Round 1, phase plan."));

    const fs::path summary = f.ws.root / "agents" / "summary_R02.md";
    write_text(summary, "# Campaign summary at R02\n");
    builder.respawn(summary);
    BOOST_TEST(builder.run_phase(f.ws.request(2, Phase::plan, "R02_plan.md")) == "DONE");
    BOOST_TEST(builder.session_id() != first);
    BOOST_TEST(contains(f.model.prompts().back(), summary.string()));
    BOOST_TEST(!contains(f.last_conversation(), "Round 1, phase"));

    int reports = 0;
    Usage usage = f.ws.host.usage_of("builder", &reports);
    BOOST_TEST(reports == 3);
    BOOST_TEST(usage.input_tokens > 0);
    BOOST_TEST(usage.output_tokens > 0);
    f.expect_loopback_only();
    return usage;
}

ScriptedCall claude_write(const std::string& content) {
    return {"Write", {{"file_path", "{output}"}, {"content", content}}, {}, {}};
}
ScriptedCall claude_bash(const std::string& command) {
    return {"Bash", {{"command", command}, {"description", "run a command"}}, {}, {}};
}
ScriptedCall codex_add_file(const std::string& line) {
    return {"apply_patch", {}, "*** Begin Patch\n*** Add File: {output}\n+" + line + "\n*** End Patch\n", {}};
}
ScriptedCall codex_exec(const std::string& command) { return {"exec_command", {{"cmd", command}}, {}, {}}; }

/// An experiment script's text: prints a fold line and the CV score.
const char* const kExperiment = "print('FOLD 1 SCORE=0.81')\nprint('CV_SCORE=0.8125')\n";

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + part.size())) ++n;
    return n;
}

std::string proc_file(int pid, const char* name) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Pids whose command line contains `marker`.
std::vector<int> processes_with(const std::string& marker) {
    std::vector<int> out;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const int pid = std::stoi(name);
        if (pid != ::getpid() && proc_file(pid, "cmdline").find(marker) != std::string::npos) out.push_back(pid);
    }
    return out;
}

int parent_of(int pid) {
    const std::string stat = proc_file(pid, "stat");  // pid (comm) state ppid ...
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    return ppid;
}

/// The CLI among the ancestors of `pid`: our child, or our grandchild when the call runs under
/// the supervisor's reaper (autokaggle-supervise reap), which is then our child.
int cli_ancestor(int pid) {
    const auto is_reaper = [](int p) {
        return proc_file(p, "cmdline").find("autokaggle-supervise") !=
               std::string::npos;
    };
    for (int p = pid; p > 1; p = parent_of(p)) {
        const int parent = parent_of(p);
        if (parent == ::getpid()) return is_reaper(p) ? 0 : p;
        if (parent > 1 && parent_of(parent) == ::getpid() && is_reaper(parent)) return p;
    }
    return 0;
}

std::string unique_marker() { return "autokaggle-tree-marker-" + std::to_string(std::random_device{}()); }

bool gone_within(const std::string& marker, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        bool alive = false;
        for (int pid : processes_with(marker)) alive = alive || process_alive(pid);
        if (!alive) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Claude Code

BOOST_AUTO_TEST_CASE(claude_code_writes_resumes_and_respawns, *ut::precondition(installed{real_claude()})) {
    RealCli f;
    f.model.script(", phase plan.", {{"Writing the plan.", {claude_write("# Plan for round {round}\n")}, {}},
                                     {"The plan is written.\n\nDONE", {}, {}}});
    f.model.script(", phase code.", {{"Writing the experiment.", {claude_write(kExperiment)}, {}},
                                     {"Running it.", {claude_bash("/usr/bin/python3 {output}")}, {}},
                                     {"It ran.\n\n{tool_output_last_line}", {}, {}}});
    auto builder = f.ws.agent("claude-code", "builder", f.claude_options());
    const Usage usage = plan_code_and_respawn(f, *builder);
    BOOST_TEST(builder->session_id().size() == 36u);  // Claude Code's session ids are UUIDs
    BOOST_TEST(read_text(f.ws.root / "rounds" / "R01_experiment.py") == kExperiment);
    BOOST_TEST(usage.usd > 0);  // priced by the CLI
}

// With --output-format json nothing is printed before the end, so a first call that timed out
// lost its session; stream-json names it on the first line and the plugin keeps it at once.
BOOST_AUTO_TEST_CASE(claude_code_first_call_that_times_out_keeps_its_session,
                     *ut::precondition(installed{real_claude()})) {
    RealCli f;
    f.model.script(", phase plan.", {{"Too late.", {}, std::chrono::milliseconds(60s)}});
    auto builder = f.ws.agent("claude-code", "builder", f.claude_options({{"timeout_s", 8}}));
    const auto request = f.ws.request(1, Phase::plan, "R01_plan.md");
    const std::string e = error_of([&] { builder->run_phase(request); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "timed out after 8 s"));
    const std::string kept = builder->session_id();
    BOOST_TEST(kept.size() == 36u);
    BOOST_TEST(std::string(f.ws.session_file("builder").at("session_id").as_string()) == kept);

    // The retry resumes it: the conversation holds the first attempt's prompt too.
    f.model.script(", phase plan.", {{"", {claude_write("# Plan\n")}, {}}, {"DONE", {}, {}}});
    BOOST_TEST(builder->run_phase(request) == "DONE");
    BOOST_TEST(builder->session_id() == kept);
    BOOST_TEST(occurrences(f.last_conversation(), "Do the plan phase of round 1.") >= 2u);
    f.expect_loopback_only();
}

// docs/coding-agents.md's reviewer: read-only tools and the default permission mode. The phase's
// output file is allowed for writing; any other write is refused, and the error says so.
BOOST_AUTO_TEST_CASE(claude_code_documented_reviewer_writes_its_review_and_denials_are_reported,
                     *ut::precondition(installed{real_claude()})) {
    RealCli f;
    f.model.script(", phase review.", {{"", {claude_write("# Review\n\nThe plan is sound.\n")}, {}},
                                       {"Reviewed.\n\nAPPROVED", {}, {}}});
    auto reviewer = f.ws.agent("claude-code", "reviewer",
                               f.claude_options({{"allowed_tools", "Read,Glob,Grep"}, {"permission_mode", "default"}}));
    BOOST_TEST(reviewer->run_phase(f.ws.request(1, Phase::review, "R01_review.md")) == "APPROVED");
    BOOST_TEST(read_text(f.ws.root / "rounds" / "R01_review.md") == "# Review\n\nThe plan is sound.\n");

    // A write anywhere else is denied; the output is missing and the error names the denial.
    f.model.script(", phase review.", {{"", {{"Write", {{"file_path", "{output}.draft"}, {"content", "draft\n"}}, {}, {}}}, {}},
                                       {"APPROVED", {}, {}}});
    const std::string e = error_of([&] { reviewer->run_phase(f.ws.request(2, Phase::review, "R02_review.md")); });
    BOOST_TEST_MESSAGE(e);
    const std::string draft = (f.ws.root / "rounds" / "R02_review.md.draft").string();
    BOOST_TEST(contains(e, "permissions refused 1 tool call(s): Write " + draft));
    BOOST_TEST(contains(e, "R02_review.md was not written"));
    BOOST_TEST(contains(e, "agents.reviewer.options"));
    BOOST_TEST(!fs::exists(draft));
    f.expect_loopback_only();
}

// A workspace moved to another folder resumes its sessions (Claude Code finds them by id under
// the same HOME); under another HOME the session is gone ("No conversation found with session
// ID"), and the role starts afresh with a summary instead of failing every phase.
BOOST_AUTO_TEST_CASE(claude_code_moved_workspace_and_lost_session, *ut::precondition(installed{real_claude()})) {
    RealCli f;
    f.model.script(", phase plan.", {{"", {claude_write("# Plan for round {round}\n")}, {}}, {"DONE", {}, {}}});
    std::string first;
    {
        auto builder = f.ws.agent("claude-code", "builder", f.claude_options());
        BOOST_TEST(builder->run_phase(f.ws.request(1, Phase::plan, "R01_plan.md")) == "DONE");
        first = builder->session_id();
    }
    const fs::path moved = f.dir / "moved-workspace";
    fs::rename(f.ws.root, moved);
    AgentWorkspace there(moved, false);
    auto builder = there.agent("claude-code", "builder", f.claude_options());
    BOOST_TEST(builder->session_id() == first);
    BOOST_TEST(builder->run_phase(there.request(2, Phase::plan, "R02_plan.md")) == "DONE");
    BOOST_TEST(builder->session_id() == first);
    BOOST_TEST(read_text(moved / "rounds" / "R02_plan.md") == "# Plan for round 2\n");

    CliHome other("other-home");
    f.use_home(other.path());
    BOOST_TEST(builder->run_phase(there.request(3, Phase::plan, "R03_plan.md")) == "DONE");
    BOOST_TEST(builder->session_id() != first);
    BOOST_TEST(builder->session_id().size() == 36u);
    const fs::path summary = moved / "agents" / "builder" / "recovered_summary.md";
    BOOST_TEST(contains(read_text(summary), first));
    BOOST_TEST(contains(f.model.prompts().back(), summary.string()));
    const std::string log = there.host.log_text();
    BOOST_TEST_MESSAGE(log);
    BOOST_TEST(contains(log, "session " + first + " could not be resumed"));
    BOOST_TEST(contains(log, "No conversation found with session ID"));
    BOOST_TEST(contains(log, "starting a fresh session seeded with " + summary.string()));
    BOOST_TEST(std::string(there.session_file("builder").at("session_id").as_string()) == builder->session_id());
    f.expect_loopback_only();
}

// Claude Code's Bash tool runs each command in a session of its own. When the CLI dies (here:
// SIGKILL, as the OOM killer would), the command must not live on.
BOOST_AUTO_TEST_CASE(claude_code_killed_cli_takes_its_commands_along, *ut::precondition(installed{real_claude()})) {
    RealCli f;
    const std::string marker = unique_marker();
    f.model.script(", phase code.", {{"", {claude_bash("/usr/bin/python3 -c 'import time; time.sleep(300)' " + marker)}, {}},
                                     {"CV_SCORE=crash", {}, {}}});
    auto builder = f.ws.agent("claude-code", "builder", f.claude_options());
    std::atomic<int> killed{0};
    std::thread killer([&] {
        for (int i = 0; i < 600 && !killed; ++i) {
            for (int pid : processes_with(marker))
                if (int cli = cli_ancestor(pid); cli > 0 && ::kill(cli, SIGKILL) == 0) killed = cli;
            std::this_thread::sleep_for(100ms);
        }
    });
    const std::string e = error_of([&] { builder->run_phase(f.ws.request(1, Phase::code, "R01_experiment.py")); });
    killer.join();
    BOOST_TEST_MESSAGE(e);
    BOOST_REQUIRE(killed > 0);
    BOOST_TEST(contains(e, "killed by signal 9"));
    const bool gone = gone_within(marker, 5s);
    BOOST_TEST(gone, "the command the CLI started outlived it");
    if (!gone)
        for (int pid : processes_with(marker)) ::kill(pid, SIGKILL);
    f.expect_loopback_only();
}

// ---------------------------------------------------------------------------------------------
// Codex

BOOST_AUTO_TEST_CASE(codex_writes_resumes_and_respawns, *ut::precondition(installed{real_codex()})) {
    RealCli f;
    f.model.script(", phase plan.", {{"Writing the plan.", {codex_add_file("# Plan for round {round}")}, {}},
                                     {"The plan is written.\n\nDONE", {}, {}}});
    f.model.script(", phase code.", {{"", {codex_exec("printf \"print('CV_SCORE=0.8125')\\n\" > {output} && /usr/bin/python3 {output}")}, {}},
                                     {"It ran.\n\n{tool_output_last_line}", {}, {}}});
    auto builder = f.ws.agent("codex", "builder", f.codex_options());
    const Usage usage = plan_code_and_respawn(f, *builder);
    BOOST_TEST(fs::exists(f.ws.root / "rounds" / "R01_experiment.py"));
    BOOST_TEST(usage.cache_read_input_tokens > 0);
}

// A stream cut short makes Codex print {"type":"error","message":"Reconnecting... 1/3 ..."} and
// try again; the phase goes on. Only when no turn completes does the phase fail.
BOOST_AUTO_TEST_CASE(codex_reconnects_do_not_fail_the_phase, *ut::precondition(installed{real_codex()})) {
    RealCli f;
    f.model.script(", phase plan.", {{"", {codex_add_file("# Plan")}, {}}, {"DONE", {}, {}}}, 2);
    auto builder = f.ws.agent("codex", "builder", f.codex_options());
    BOOST_TEST(builder->run_phase(f.ws.request(1, Phase::plan, "R01_plan.md")) == "DONE");
    BOOST_TEST(f.model.model_requests().size() >= 3u);  // two cut short, then the rest
    BOOST_TEST(read_text(f.ws.root / "rounds" / "R01_plan.md") == "# Plan\n");
    BOOST_TEST(contains(f.ws.host.log_text(), "recovered error"));

    f.model.script(", phase plan.", {{"DONE", {}, {}}}, 100);
    const std::string e = error_of([&] { builder->run_phase(f.ws.request(2, Phase::plan, "R02_plan.md")); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "Codex reported"));
    BOOST_TEST(contains(e, "stream disconnected"));
    f.expect_loopback_only();
}

BOOST_AUTO_TEST_CASE(codex_first_call_that_times_out_keeps_its_thread, *ut::precondition(installed{real_codex()})) {
    RealCli f;
    f.model.script(", phase plan.", {{"Too late.", {}, std::chrono::milliseconds(60s)}});
    auto builder = f.ws.agent("codex", "builder", f.codex_options({{"timeout_s", 8}}));
    const auto request = f.ws.request(1, Phase::plan, "R01_plan.md");
    const std::string e = error_of([&] { builder->run_phase(request); });
    BOOST_TEST_MESSAGE(e);
    BOOST_TEST(contains(e, "timed out after 8 s"));
    const std::string kept = builder->session_id();
    BOOST_TEST(!kept.empty());
    BOOST_TEST(std::string(f.ws.session_file("builder").at("session_id").as_string()) == kept);

    f.model.script(", phase plan.", {{"", {codex_add_file("# Plan")}, {}}, {"DONE", {}, {}}});
    BOOST_TEST(builder->run_phase(request) == "DONE");
    BOOST_TEST_MESSAGE(f.ws.host.log_text());
    BOOST_TEST(builder->session_id() == kept);
    BOOST_TEST(occurrences(f.last_conversation(), "Do the plan phase of round 1.") >= 2u);
    f.expect_loopback_only();
}

BOOST_AUTO_TEST_CASE(codex_lost_thread_starts_afresh_with_a_summary, *ut::precondition(installed{real_codex()})) {
    RealCli f;
    f.model.script(", phase plan.", {{"", {codex_add_file("# Plan for round {round}")}, {}}, {"DONE", {}, {}}});
    auto builder = f.ws.agent("codex", "builder", f.codex_options());
    BOOST_TEST(builder->run_phase(f.ws.request(1, Phase::plan, "R01_plan.md")) == "DONE");
    const std::string first = builder->session_id();

    CliHome other("other-home");
    f.use_home(other.path());
    BOOST_TEST(builder->run_phase(f.ws.request(2, Phase::plan, "R02_plan.md")) == "DONE");
    BOOST_TEST(builder->session_id() != first);
    const fs::path summary = f.ws.root / "agents" / "builder" / "recovered_summary.md";
    BOOST_TEST(contains(f.model.prompts().back(), summary.string()));
    const std::string log = f.ws.host.log_text();
    BOOST_TEST_MESSAGE(log);
    BOOST_TEST(contains(log, "session " + first + " could not be resumed"));
    BOOST_TEST(contains(log, "no rollout found for thread id"));
    f.expect_loopback_only();
}
