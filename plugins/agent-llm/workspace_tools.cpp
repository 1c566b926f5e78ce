#include "workspace_tools.hpp"

#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace autokaggle::llm_agent {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// The model's mistake: reported back to it as an error result.
struct ToolError : Error {
    using Error::Error;
};

json::object schema(json::object properties, json::array required) {
    return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

json::object prop(const char* type, const char* description) { return {{"type", type}, {"description", description}}; }

std::string text_arg(const json::object& args, const char* key, bool required, std::string fallback = {}) {
    const auto* v = args.if_contains(key);
    if (!v || v->is_null()) {
        if (required) throw ToolError(std::string("missing argument \"") + key + "\"");
        return fallback;
    }
    if (!v->is_string()) throw ToolError(std::string("argument \"") + key + "\" must be a string");
    return std::string(v->get_string());
}

long long int_arg(const json::object& args, const char* key, long long fallback) {
    const auto* v = args.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<long long>(v->get_uint64());
    if (v->is_double()) return static_cast<long long>(v->get_double());
    if (v->is_string()) {  // small models quote numbers
        try {
            return std::stoll(std::string(v->get_string()));
        } catch (const std::exception&) {
        }
    }
    throw ToolError(std::string("argument \"") + key + "\" must be an integer");
}

bool bool_arg(const json::object& args, const char* key, bool fallback) {
    const auto* v = args.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (v->is_bool()) return v->get_bool();
    if (v->is_string()) return v->get_string() == "true";
    throw ToolError(std::string("argument \"") + key + "\" must be true or false");
}

bool is_within(const fs::path& path, const fs::path& root) {
    auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return r == root.end();
}

bool looks_binary(const std::string& data) {
    return data.substr(0, 8192).find('\0') != std::string::npos;
}

std::string cap(std::string text, std::size_t limit, const std::string& hint) {
    if (text.size() <= limit) return text;
    text.resize(limit);
    return text + "\n[output truncated at " + std::to_string(limit) + " bytes; " + hint + "]";
}

}  // namespace

WorkspaceTools::WorkspaceTools(fs::path root, ToolLimits limits, ExperimentRunner run_experiment)
    : root_(fs::weakly_canonical(root)), limits_(limits), run_experiment_(std::move(run_experiment)) {
    specs_.push_back({"read_file",
                      "Read a text file of the workspace. Paths are relative to the workspace root. Large files are "
                      "cut; use start_line/end_line (1-based, inclusive) to read a part.",
                      schema({{"path", prop("string", "file path relative to the workspace")},
                              {"start_line", prop("integer", "first line to return (1-based)")},
                              {"end_line", prop("integer", "last line to return (inclusive)")}},
                             {"path"})});
    specs_.push_back({"write_file",
                      "Create or replace a text file in the workspace (written atomically). config.json, "
                      "state.json, data/, logs/ and agents/ are off limits.",
                      schema({{"path", prop("string", "file path relative to the workspace")},
                              {"content", prop("string", "the complete new content")}},
                             {"path", "content"})});
    specs_.push_back({"list_files", "List a folder of the workspace with file sizes.",
                      schema({{"path", prop("string", "folder relative to the workspace (default: the root)")},
                              {"recursive", prop("boolean", "include sub-folders (default false)")}},
                             {})});
    specs_.push_back({"grep",
                      "Search text files for a regular expression (ECMAScript syntax). Returns file:line: text.",
                      schema({{"pattern", prop("string", "regular expression")},
                              {"path", prop("string", "file or folder to search (default: the root)")},
                              {"ignore_case", prop("boolean", "case-insensitive (default false)")}},
                             {"pattern"})});
    if (run_experiment_)
        specs_.push_back({"run_experiment",
                          "Run an experiment script through the configured runner (it gets the contract's arguments "
                          "--data-dir, --oof-out, --test-out, --folds, --seed). Blocks until it ends; returns the "
                          "status, the claimed CV_SCORE, fold scores and the end of the log.",
                          schema({{"script", prop("string", "script path relative to the workspace, e.g. rounds/R03_experiment.py")},
                                  {"description", prop("string", "one line: what this run tests")}},
                                 {"script"})});
}

fs::path WorkspaceTools::resolve(const std::string& relative_path, bool for_write) const {
    if (relative_path.empty()) throw ToolError("empty path");
    const fs::path p(relative_path);
    if (p.is_absolute()) throw ToolError("absolute paths are not allowed (" + relative_path + "); use a path relative to the workspace");
    for (const auto& part : p)
        if (part == "..") throw ToolError("\"..\" is not allowed in paths (" + relative_path + ")");
    const fs::path resolved = fs::weakly_canonical(root_ / p);
    if (!is_within(resolved, root_)) throw ToolError("path leads outside the workspace (" + relative_path + ")");
    if (for_write) {
        const fs::path rel = resolved.lexically_relative(root_);
        const std::string first = rel.empty() ? std::string() : rel.begin()->string();
        if (rel == "config.json" || rel == "state.json" || first == "data" || first == "logs" || first == "agents" ||
            rel.empty() || rel == ".")
            throw ToolError("writing " + relative_path + " is not allowed (config.json, state.json, data/, logs/ "
                            "and agents/ belong to the orchestrator)");
    }
    return resolved;
}

std::string WorkspaceTools::relative(const fs::path& absolute) const {
    const fs::path rel = absolute.lexically_relative(root_);
    return rel.empty() ? "." : rel.string();
}

ToolResult WorkspaceTools::execute(const ToolCall& call) const {
    ToolResult result{call.id, {}, false};
    try {
        if (!call.arguments.is_object()) {
            std::string got = call.arguments.is_string() ? std::string(call.arguments.get_string())
                                                         : json::serialize(call.arguments);
            throw ToolError("the arguments of " + call.name + " must be a JSON object, got " +
                            (got.empty() ? std::string("nothing") : "'" + got.substr(0, 200) + "'") +
                            "; call the tool again with an object as its schema describes");
        }
        const auto& args = call.arguments.get_object();
        if (call.name == "read_file") result.content = read_file(args);
        else if (call.name == "write_file") result.content = write_file(args);
        else if (call.name == "list_files") result.content = list_files(args);
        else if (call.name == "grep") result.content = grep(args);
        else if (call.name == "run_experiment" && run_experiment_) result.content = run_experiment(args);
        else {
            std::string names;
            for (const auto& s : specs_) names += (names.empty() ? "" : ", ") + s.name;
            throw ToolError("unknown tool '" + call.name + "'; available: " + names);
        }
    } catch (const Cancelled&) {
        throw;
    } catch (const ToolError& e) {
        result.content = e.what();
        result.is_error = true;
    } catch (const std::exception& e) {
        result.content = std::string(call.name) + " failed: " + e.what();
        result.is_error = true;
    }
    return result;
}

std::string WorkspaceTools::read_file(const json::object& args) const {
    const std::string path = text_arg(args, "path", true);
    const fs::path file = resolve(path, false);
    std::error_code ec;
    if (!fs::exists(file, ec)) throw ToolError("no such file: " + path);
    if (fs::is_directory(file, ec)) throw ToolError(path + " is a folder; use list_files");
    const std::string data = autokaggle::read_file(file);
    if (looks_binary(data))
        throw ToolError(path + " is a binary file (" + std::to_string(data.size()) + " bytes); it cannot be read as text");
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start < data.size();) {
        const auto end = data.find('\n', start);
        lines.push_back(std::string_view(data).substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    const long long total = static_cast<long long>(lines.size());
    const long long first = std::max(1LL, int_arg(args, "start_line", 1));
    const long long last = std::min(total, int_arg(args, "end_line", total));
    if (total > 0 && first > total)
        throw ToolError(path + " has only " + std::to_string(total) + " lines");
    std::string out;
    long long shown = first - 1;
    for (long long i = first; i <= last; ++i) {
        if (out.size() + lines[static_cast<std::size_t>(i - 1)].size() + 1 > limits_.read_bytes) break;
        out.append(lines[static_cast<std::size_t>(i - 1)]);
        out += '\n';
        shown = i;
    }
    std::string header = "[" + path + ": lines " + std::to_string(first) + "-" + std::to_string(shown) + " of " +
                         std::to_string(total) + "]\n";
    if (shown < last)
        out += "[cut at " + std::to_string(limits_.read_bytes) + " bytes; continue with start_line=" +
               std::to_string(shown + 1) + "]\n";
    return header + out;
}

std::string WorkspaceTools::write_file(const json::object& args) const {
    const std::string path = text_arg(args, "path", true);
    const std::string content = text_arg(args, "content", true);
    const fs::path file = resolve(path, true);
    std::error_code ec;
    if (fs::is_directory(file, ec)) throw ToolError(path + " is a folder");
    atomic_write(file, content);
    return "wrote " + std::to_string(content.size()) + " bytes to " + relative(file);
}

std::string WorkspaceTools::list_files(const json::object& args) const {
    const std::string path = text_arg(args, "path", false, ".");
    const bool recursive = bool_arg(args, "recursive", false);
    const fs::path folder = path == "." || path.empty() ? root_ : resolve(path, false);
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw ToolError("no such folder: " + path);
    std::vector<std::string> entries;
    auto describe = [&](const fs::directory_entry& e) {
        std::error_code size_ec;
        const std::string name = relative(e.path());
        if (e.is_directory(size_ec)) return name + "/";
        const auto size = e.file_size(size_ec);
        return name + "  (" + (size_ec ? std::string("?") : std::to_string(size)) + " bytes)";
    };
    std::size_t total = 0;
    if (recursive) {
        for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->path().filename() == ".git" || it.depth() > 4) {
                it.disable_recursion_pending();
                if (it->path().filename() == ".git") continue;
            }
            ++total;
            if (entries.size() < static_cast<std::size_t>(limits_.max_entries)) entries.push_back(describe(*it));
        }
    } else {
        for (const auto& e : fs::directory_iterator(folder, ec)) {
            ++total;
            if (entries.size() < static_cast<std::size_t>(limits_.max_entries)) entries.push_back(describe(e));
        }
    }
    std::sort(entries.begin(), entries.end());
    std::string out;
    for (const auto& e : entries) out += e + "\n";
    if (total > entries.size()) out += "[" + std::to_string(total - entries.size()) + " more entries not shown]\n";
    if (out.empty()) out = "(empty folder)\n";
    return out;
}

std::string WorkspaceTools::grep(const json::object& args) const {
    const std::string pattern = text_arg(args, "pattern", true);
    const std::string path = text_arg(args, "path", false, ".");
    const bool ignore_case = bool_arg(args, "ignore_case", false);
    std::regex re;
    try {
        re = std::regex(pattern, ignore_case ? std::regex::ECMAScript | std::regex::icase : std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        throw ToolError("invalid regular expression '" + pattern + "': " + e.what());
    }
    const fs::path start = path == "." || path.empty() ? root_ : resolve(path, false);
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_regular_file(start, ec)) {
        files.push_back(start);
    } else if (fs::is_directory(start, ec)) {
        for (auto it = fs::recursive_directory_iterator(start, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->path().filename() == ".git") {
                it.disable_recursion_pending();
                continue;
            }
            std::error_code size_ec;
            if (it->is_regular_file(size_ec) && it->file_size(size_ec) < 5'000'000) files.push_back(it->path());
        }
    } else {
        throw ToolError("no such file or folder: " + path);
    }
    std::sort(files.begin(), files.end());
    std::string out;
    int matches = 0;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            if (line.find('\0') != std::string::npos) break;  // binary
            if (!std::regex_search(line, re)) continue;
            if (++matches > limits_.max_matches) {
                out += "[more matches not shown; narrow the pattern or the path]\n";
                return out;
            }
            if (line.size() > 300) line = line.substr(0, 300) + "...";
            out += relative(file) + ":" + std::to_string(number) + ": " + line + "\n";
        }
    }
    return out.empty() ? "no matches\n" : cap(out, limits_.output_bytes, "narrow the pattern");
}

std::string WorkspaceTools::run_experiment(const json::object& args) const {
    const std::string script = text_arg(args, "script", true);
    const fs::path file = resolve(script, false);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw ToolError("no such script: " + script + "; write it first with write_file");
    return cap(run_experiment_(file, text_arg(args, "description", false)), limits_.output_bytes, "see the run log file");
}

}  // namespace autokaggle::llm_agent
