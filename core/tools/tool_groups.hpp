// The standard tools, by group; standard_tools() (tool_surface.cpp) assembles them. Each group
// adds its definitions to the table; the handlers capture what they need.
#pragma once

#include "tools/tool_surface.hpp"
#include "tools/workspace_files.hpp"

#include <memory>
#include <vector>

namespace autokaggle::tools {

using Files = std::shared_ptr<const WorkspaceFiles>;

/// read_file, write_file, list_files, grep (every role).
void add_file_tools(std::vector<ToolDefinition>& table, Files files, ToolHost& host);
/// run_python (every role) and run_experiment (Builder, code phase).
void add_run_tools(std::vector<ToolDefinition>& table, Files files, ToolHost& host, const ToolSettings& settings);
/// blend (Builder and Reviewer; the Builder can make it the round's experiment).
void add_blend_tool(std::vector<ToolDefinition>& table, ToolHost& host, const ToolSettings& settings);
/// leaderboard (every role).
void add_leaderboard_tool(std::vector<ToolDefinition>& table, ToolHost& host);
/// kaggle_notebooks, kaggle_notebook, kaggle_discussions (with credentials) and fetch_url
/// (with hosts in config.json), for the Researcher.
void add_research_tools(std::vector<ToolDefinition>& table, ToolHost& host, const ToolSettings& settings);

}  // namespace autokaggle::tools
