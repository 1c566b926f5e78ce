// How a coding-agent CLI reaches the core's tools: it starts `autokaggle mcp --dir <workspace>
// --role <role>` as an MCP server (stdio). The plugins register that server with their CLI on
// every call: Claude Code with --mcp-config and the tool names in --allowedTools, Codex with
// -c mcp_servers.autokaggle.* overrides. Nothing is registered when the host serves no tools.
#pragma once

#include <autokaggle/sdk/host.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle::cli_agent {

struct McpServer {
    std::string command;                  ///< the autokaggle executable
    std::vector<std::string> args;        ///< mcp --dir <workspace> --role <role>
    std::vector<std::string> tool_names;  ///< the tools the role has
};

/// The server for `role`: the running autokaggle executable (else `autokaggle` on PATH) with
/// `mcp --dir <workspace> --role <role>`. nullopt when the host serves no tools for the role or
/// no autokaggle executable is found (then the CLI works with its own tools only, and a warning
/// is logged).
std::optional<McpServer> mcp_server_for(HostServices& host, const std::string& role);

/// Claude Code: `--mcp-config <JSON>` and a second `--allowedTools mcp__autokaggle__<tool>,...`.
std::vector<std::string> claude_mcp_arguments(const McpServer& server);

/// Codex: `-c mcp_servers.autokaggle.command=...`, `args=[...]`, `startup_timeout_sec` and
/// `tool_timeout_sec` (Codex's default of 60 s would end any experiment), as TOML values.
std::vector<std::string> codex_mcp_arguments(const McpServer& server, std::chrono::milliseconds tool_timeout);

}  // namespace autokaggle::cli_agent
