// The tools agents call, defined once: name, description, JSON schema of the arguments, the
// roles that may call it, and the handler. The same surface is offered to the `llm` agent as
// function calls (HostServices::tool_specs/call_tool) and to coding-agent CLIs over MCP
// (`autokaggle mcp`, core/tools/mcp_server.hpp). The table is in docs/llm.md "Tools".
#pragma once

#include "tools/tool_host.hpp"

#include <autokaggle/sdk/tool.hpp>

#include <boost/json/object.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::tools {

struct ToolDefinition {
    std::string name;
    std::string description;
    boost::json::object input_schema;
    std::vector<std::string> roles;  ///< roles that may call it; empty: every role
    /// Returns the text for the model; throws ToolError for the model's mistakes.
    std::function<std::string(const ToolCallContext&, const boost::json::object& arguments)> handler;
};

class ToolSurface {
public:
    /// `output_bytes`: results longer than this are cut in the middle with a note.
    ToolSurface(std::vector<ToolDefinition> tools, std::size_t output_bytes);

    /// The tools `role` may call, in table order.
    std::vector<ToolSpec> specs(std::string_view role) const;
    bool offers(std::string_view role, std::string_view name) const;
    /// Runs one call. The model's mistakes and the tools' failures come back as is_error
    /// results (redacted like everything recorded); only Cancelled propagates.
    ToolResult call(const ToolCallContext& context, const ToolCall& call) const;

private:
    const ToolDefinition* find(std::string_view role, std::string_view name) const;
    std::vector<ToolDefinition> tools_;
    std::size_t output_bytes_;
};

/// Every standard tool over `host` (docs/llm.md "Tools"): the file tools, run_python,
/// run_experiment, blend, leaderboard, and for the Researcher the Kaggle research tools (when
/// credentials exist) and fetch_url (when config.json lists hosts).
ToolSurface standard_tools(ToolHost& host, const ToolSettings& settings);

}  // namespace autokaggle::tools
