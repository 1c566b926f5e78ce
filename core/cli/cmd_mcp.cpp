// autokaggle mcp --dir DIR --role ROLE: the core's tools for one role over the Model Context
// Protocol on stdin/stdout, for coding-agent CLIs (Claude Code, Codex) that the orchestrator
// starts in the workspace. The server builds the same host pieces as `autokaggle run`: the
// configured runner with the fold-1 kill gate (against the best verified experiment in
// state.json), the metric, the submitter. It talks to the running campaign through files only:
// it reads state.json (never writes it) for the round and phase in progress, and keeps the
// round's run record and outcome in rounds/R{NN}_run.json, which the orchestrator reads. It does
// not take the workspace lock: the orchestrator holds it while the CLI runs.
#include "base/log.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/open_workspace.hpp"
#include "orchestrator/signals.hpp"
#include "orchestrator/standalone_tools.hpp"
#include "tools/mcp_server.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace autokaggle::cli {
namespace fs = std::filesystem;

namespace {
const std::vector<std::string> kRoles{"researcher", "builder", "reviewer"};
}  // namespace

int cmd_mcp(CommandArgs argv) {
    const Args args(argv, {"--dir", "--role"}, {});
    if (args.help()) {
        print_usage(command_named("mcp"));
        std::cout << "\nServes the tools of ROLE (researcher, builder or reviewer) over the Model Context Protocol\n"
                     "(JSON-RPC 2.0, one message per line on stdin/stdout) for the workspace DIR (default: the\n"
                     "current folder). The claude-code and codex agent plugins register it with their CLI\n"
                     "themselves; run it by hand to try the tools with any MCP client. Logs go to\n"
                     "DIR/logs/autokaggle.log and stderr. docs/coding-agents.md shows a transcript.\n";
        return exit_ok;
    }
    args.max_positionals(0);
    const std::string role = args.value_or("--role", "");
    if (std::find(kRoles.begin(), kRoles.end(), role) == kRoles.end())
        throw UsageError("--role: expected researcher, builder or reviewer, got '" + role + "'");
    const fs::path root = fs::absolute(args.value_or("--dir", ".")).lexically_normal();

    // stdout carries protocol messages only: anything else printed by accident goes to stderr.
    const int protocol_out = ::dup(STDOUT_FILENO);
    if (protocol_out < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) throw Error("cannot set up stdout for MCP");

    const OpenWorkspace workspace(root / "config.json");
    const Config& config = workspace.config;
    const PluginHost& plugins = workspace.plugins;
    Logger logger(workspace.paths.logs / "autokaggle.log", true);

    SignalWatcher signals;
    std::atomic<bool> call_cancelled{false}, stopping{false};
    StandaloneTools tools(config, plugins, logger, [&]() -> std::string {
        if (signals.stop_requested()) return "signal " + std::to_string(signals.signal());
        if (stopping.load()) return "the MCP client disconnected";
        if (call_cancelled.load()) return "the MCP client cancelled the call";
        return {};
    });
    tools::McpServerInfo info;
    info.role = role;
    info.version = AUTOKAGGLE_VERSION;
    info.instructions = "AutoKaggle's tools for the " + role + " of the " + config.competition.competition +
                        " campaign. Paths are relative to the workspace " + root.string() +
                        ". run_python runs scratch code; run_experiment runs the round's experiment (code phase) and "
                        "returns the verified CV and the exact answer to give.";
    tools::McpSession session(tools.surface(), info, [&tools, &role] { return tools.context(role); });
    const std::string source = "mcp:" + role;
    logger.log(LogLevel::info, source, "serving the " + role + "'s tools over MCP (pid " + std::to_string(::getpid()) + ")");
    tools::serve_mcp(session, STDIN_FILENO, protocol_out, call_cancelled, stopping,
                     [&signals] { return signals.stop_requested(); });
    ::close(protocol_out);
    logger.log(LogLevel::info, source, "MCP session ended (protocol " + session.negotiated_version() + ")");
    return exit_ok;
}

}  // namespace autokaggle::cli
