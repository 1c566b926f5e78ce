// The tool surface over the Model Context Protocol (stdio transport): JSON-RPC 2.0 messages, one
// per line. Served: initialize (protocol version negotiation), notifications/initialized, ping,
// tools/list, tools/call, notifications/cancelled; anything else is "method not found".
// Protocol versions 2024-11-05, 2025-03-26, 2025-06-18 and 2025-11-25 are answered as asked;
// another version gets the newest of these (the client then decides). docs/coding-agents.md
// shows a transcript.
#pragma once

#include "tools/tool_surface.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::tools {

struct McpServerInfo {
    std::string role;            ///< whose tools are served
    std::string name = "autokaggle";
    std::string version;
    std::string instructions;    ///< sent in the initialize result
};

/// The protocol, without the transport: one parsed message in, the response (if any) out.
class McpSession {
public:
    /// `context` gives the round and phase in progress at the time of each tools/call.
    using ContextFn = std::function<ToolCallContext()>;

    McpSession(const ToolSurface& surface, McpServerInfo info, ContextFn context);

    /// The reply to one line of input (a message or a batch); nullopt for notifications and
    /// responses. Malformed input gets the JSON-RPC error it deserves.
    std::optional<std::string> handle_line(std::string_view line);
    std::optional<boost::json::value> handle(const boost::json::value& message);

    /// The versions answered as asked, oldest first.
    static const std::vector<std::string>& supported_versions();
    const std::string& negotiated_version() const { return version_; }

    /// Set while a tools/call runs: the request id (serialized), for cancellation.
    std::string running_request() const;

private:
    boost::json::value dispatch(const std::string& method, const boost::json::value& params, const boost::json::value& id);
    boost::json::value call_tool(const boost::json::value& params);

    const ToolSurface& surface_;
    McpServerInfo info_;
    ContextFn context_;
    std::string version_;
    bool initialized_ = false;
    mutable std::mutex mutex_;
    std::string running_;
};

/// Serves `session` on file descriptors (stdin and stdout for `autokaggle mcp`) until the input
/// ends or a stop: `stopping` turned true, or `stop_requested` (polled, e.g. a signal) said so.
/// A reader thread keeps reading while a tool runs: it answers pings at once and sets
/// `call_cancelled` when notifications/cancelled names the running call (the tools poll it
/// through HostServices::cancel_requested). The end of input and a stop set `stopping`.
void serve_mcp(McpSession& session, int in_fd, int out_fd, std::atomic<bool>& call_cancelled,
               std::atomic<bool>& stopping, const std::function<bool()>& stop_requested = {});

}  // namespace autokaggle::tools
