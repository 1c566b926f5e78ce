#include "mcp_registration.hpp"

#include "subprocess.hpp"

#include <boost/json.hpp>

#include <filesystem>

namespace autokaggle::cli_agent {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::optional<fs::path> autokaggle_executable() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && self.filename().string().starts_with("autokaggle")) return self;
    return find_executable("autokaggle");
}

/// A TOML basic string.
std::string toml_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
        }
    }
    return out + "\"";
}

}  // namespace

std::optional<McpServer> mcp_server_for(HostServices& host, const std::string& role) {
    McpServer server;
    for (const auto& spec : host.tool_specs(role)) server.tool_names.push_back(spec.name);
    if (server.tool_names.empty()) return std::nullopt;
    const auto executable = autokaggle_executable();
    if (!executable) {
        host.log(LogLevel::warn, "agent:" + role,
                 "no autokaggle executable found for the MCP tool server; the CLI works with its own tools only");
        return std::nullopt;
    }
    server.command = executable->string();
    server.args = {"mcp", "--dir", host.paths().root.string(), "--role", role};
    return server;
}

std::vector<std::string> claude_mcp_arguments(const McpServer& server) {
    json::array args;
    for (const auto& a : server.args) args.push_back(json::string(a));
    const json::object config{
        {"mcpServers", json::object{{"autokaggle", json::object{{"type", "stdio"}, {"command", server.command}, {"args", args}}}}}};
    std::string allowed;
    for (const auto& name : server.tool_names) allowed += (allowed.empty() ? "" : ",") + std::string("mcp__autokaggle__") + name;
    return {"--mcp-config", json::serialize(config), "--allowedTools", allowed};
}

std::vector<std::string> codex_mcp_arguments(const McpServer& server, std::chrono::milliseconds tool_timeout) {
    std::string args = "[";
    for (const auto& a : server.args) args += (args.size() > 1 ? "," : "") + toml_string(a);
    args += "]";
    const long long timeout_s = tool_timeout.count() > 0 ? tool_timeout.count() / 1000 + 60 : 86400;
    return {"-c", "mcp_servers.autokaggle.command=" + toml_string(server.command),
            "-c", "mcp_servers.autokaggle.args=" + args,
            "-c", "mcp_servers.autokaggle.startup_timeout_sec=60",
            "-c", "mcp_servers.autokaggle.tool_timeout_sec=" + std::to_string(timeout_s)};
}

}  // namespace autokaggle::cli_agent
