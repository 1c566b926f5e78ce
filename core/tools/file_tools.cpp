// The file tools: read_file, write_file, list_files, grep, confined by WorkspaceFiles.
#include "tools/tool_args.hpp"
#include "tools/tool_groups.hpp"

namespace autokaggle::tools {

namespace json = boost::json;

void add_file_tools(std::vector<ToolDefinition>& table, Files files, ToolHost& host) {
    table.push_back({"read_file",
                     "Read a text file of the workspace (path relative to the workspace root). Large files are cut; "
                     "use start_line/end_line (1-based, inclusive) to read a part. Binary files (.npy) are refused: "
                     "look inside them with run_python.",
                     object_schema({{"path", property("string", "file path relative to the workspace")},
                                    {"start_line", property("integer", "first line to return (1-based)")},
                                    {"end_line", property("integer", "last line to return (inclusive)")}},
                                   {"path"}),
                     {},
                     [files](const ToolCallContext&, const json::object& args) {
                         return files->read_lines(text_arg(args, "path", true), int_arg(args, "start_line", 1),
                                                  int_arg(args, "end_line", 0));
                     }});
    table.push_back({"write_file",
                     "Create or replace a text file in the workspace (written atomically). Files the orchestrator "
                     "keeps are refused: config.json, state.json, results.tsv, experiments.json, usage.tsv, "
                     "LEARNINGS.md, data/, logs/, agents/, blends/, the core's round files (verification, decision, "
                     "submission, run log) and every .npy.",
                     object_schema({{"path", property("string", "file path relative to the workspace")},
                                    {"content", property("string", "the complete new content")}},
                                   {"path", "content"}),
                     {},
                     [files](const ToolCallContext&, const json::object& args) {
                         return files->write_text(text_arg(args, "path", true), text_arg(args, "content", true));
                     }});
    table.push_back({"list_files", "List a folder of the workspace with file sizes (links are shown, not followed).",
                     object_schema({{"path", property("string", "folder relative to the workspace (default: the root)")},
                                    {"recursive", property("boolean", "include sub-folders (default false)")}}),
                     {},
                     [files](const ToolCallContext&, const json::object& args) {
                         return files->list(text_arg(args, "path", false, "."), bool_arg(args, "recursive", false));
                     }});
    table.push_back({"grep",
                     "Search the workspace's text files for a regular expression (RE2 syntax: no backreferences or "
                     "lookaround). Returns file:line: text.",
                     object_schema({{"pattern", property("string", "regular expression")},
                                    {"path", property("string", "file or folder to search (default: the root)")},
                                    {"ignore_case", property("boolean", "case-insensitive (default false)")}},
                                   {"pattern"}),
                     {},
                     [files, &host](const ToolCallContext&, const json::object& args) {
                         return files->grep(text_arg(args, "pattern", true), text_arg(args, "path", false, "."),
                                            bool_arg(args, "ignore_case", false),
                                            [&host] { return host.host().cancel_requested(); });
                     }});
}

}  // namespace autokaggle::tools
