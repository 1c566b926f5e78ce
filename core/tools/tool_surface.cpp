#include "tools/tool_surface.hpp"

#include "base/log.hpp"
#include "tools/tool_args.hpp"
#include "tools/tool_groups.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace autokaggle::tools {

namespace json = boost::json;

ToolSurface::ToolSurface(std::vector<ToolDefinition> tools, std::size_t output_bytes)
    : tools_(std::move(tools)), output_bytes_(output_bytes) {}

namespace {
bool allowed(const ToolDefinition& t, std::string_view role) {
    return t.roles.empty() || std::find(t.roles.begin(), t.roles.end(), role) != t.roles.end();
}
}  // namespace

std::vector<ToolSpec> ToolSurface::specs(std::string_view role) const {
    std::vector<ToolSpec> out;
    for (const auto& t : tools_)
        if (allowed(t, role)) out.push_back({t.name, t.description, t.input_schema});
    return out;
}

const ToolDefinition* ToolSurface::find(std::string_view role, std::string_view name) const {
    for (const auto& t : tools_)
        if (t.name == name && allowed(t, role)) return &t;
    return nullptr;
}

bool ToolSurface::offers(std::string_view role, std::string_view name) const { return find(role, name) != nullptr; }

ToolResult ToolSurface::call(const ToolCallContext& context, const ToolCall& call) const {
    ToolResult result{call.id, {}, false};
    try {
        const ToolDefinition* tool = find(context.role, call.name);
        if (!tool) {
            std::string names;
            for (const auto& s : specs(context.role)) names += (names.empty() ? "" : ", ") + s.name;
            throw ToolError("unknown tool '" + call.name + "' for the " + context.role + "; available: " + names);
        }
        if (!call.arguments.is_object()) {
            std::string got = call.arguments.is_string() ? std::string(call.arguments.get_string()) : json::serialize(call.arguments);
            throw ToolError("the arguments of " + call.name + " must be a JSON object, got " +
                            (got.empty() ? std::string("nothing") : "'" + got.substr(0, 200) + "'") +
                            "; call the tool again with an object as its schema describes");
        }
        result.content = tool->handler(context, call.arguments.get_object());
    } catch (const Cancelled&) {
        throw;
    } catch (const ToolError& e) {
        result.content = e.what();
        result.is_error = true;
    } catch (const std::exception& e) {
        result.content = call.name + " failed: " + e.what();
        result.is_error = true;
    }
    // What a tool returns reaches the model and the conversation file: no secret in either.
    result.content = redact(cap_middle(std::move(result.content), output_bytes_ + 4096, "ask for less"));
    return result;
}

ToolSurface standard_tools(ToolHost& host, const ToolSettings& settings) {
    FileLimits limits;
    limits.read_bytes = settings.tools.read_limit_bytes;
    limits.output_bytes = settings.tools.output_limit_bytes;
    auto files = std::make_shared<const WorkspaceFiles>(host.host().paths().root, limits, settings.held_out,
                                                        settings.protected_paths);
    std::vector<ToolDefinition> table;
    add_file_tools(table, files, host);
    add_run_tools(table, files, host, settings);
    add_blend_tool(table, host, settings);
    add_leaderboard_tool(table, host);
    add_research_tools(table, host, settings);
    return ToolSurface(std::move(table), std::max(settings.tools.output_limit_bytes, settings.tools.read_limit_bytes));
}

}  // namespace autokaggle::tools
