// Tool calls: what a model asks for and what it gets back. The core defines the tools (name,
// JSON schema, which roles may call them, the handler; see core/tools) and serves them two
// ways: to the `llm` agent as function calls through HostServices::call_tool, and to coding-agent
// CLIs over MCP (`autokaggle mcp`). Providers map these types onto their wire formats.
#pragma once

#include <autokaggle/sdk/abi.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace autokaggle {

struct ToolSpec {
    std::string name;
    std::string description;
    boost::json::object input_schema;  ///< JSON Schema of the arguments object
};

struct ToolCall {
    std::string id;
    std::string name;
    boost::json::value arguments;  ///< an object when the model behaved; anything otherwise
};

struct ToolResult {
    std::string call_id;
    std::string content;
    bool is_error = false;
};

/// Who calls a tool and when: the role ("builder"), the round and the phase in progress
/// ("code"; "" when unknown). Tools that belong to one phase (run_experiment: code) check it.
struct ToolCallContext {
    std::string role;
    int round = 0;
    std::string phase;
};

}  // namespace autokaggle
