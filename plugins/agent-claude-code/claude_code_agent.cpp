// Agent plugin "claude-code": every phase is one headless Claude Code call
//   claude -p <prompt> --output-format stream-json --verbose [--resume=<id>] --append-system-prompt <role prompt> ...
// started in the workspace. The CLI prints JSON lines: first the init event with the session id,
// last the result object (docs/coding-agents.md).
#include "cli_agent.hpp"
#include "mcp_registration.hpp"
#include "options.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <unistd.h>

namespace autokaggle {
namespace {

namespace json = boost::json;
using cli_agent::CliReply;

class ClaudeCodeAgent final : public cli_agent::CliAgent {
public:
    struct Flags {
        std::string model, allowed_tools, permission_mode;
        long long max_turns = 0;
        std::vector<std::string> extra_args;
    };

    ClaudeCodeAgent(const PluginContext& context, cli_agent::CliSettings settings, Flags flags)
        : CliAgent(context, std::move(settings)), flags_(std::move(flags)) {}

protected:
    std::vector<std::string> command_line(const cli_agent::CliCall& call) const override {
        // stream-json (which needs --verbose) names the session on its first line, long before
        // the result: a call that times out still leaves a session to resume.
        std::vector<std::string> argv{settings().executable.string(), "-p", call.prompt, "--output-format",
                                      "stream-json", "--verbose"};
        if (!call.resume_id.empty()) argv.push_back("--resume=" + call.resume_id);
        if (!call.system_prompt.empty()) {
            argv.push_back("--append-system-prompt");
            argv.push_back(call.system_prompt);
        }
        if (!flags_.model.empty()) argv.insert(argv.end(), {"--model", flags_.model});
        if (flags_.max_turns > 0) argv.insert(argv.end(), {"--max-turns", std::to_string(flags_.max_turns)});
        // The phase's output file is always writable, whatever the permission mode: an Edit rule
        // covers every file-writing tool ("//" starts an absolute path in Claude Code's rules).
        std::string allowed = flags_.allowed_tools;
        if (!call.output.empty()) allowed += (allowed.empty() ? "" : ",") + ("Edit(/" + call.output.string() + ")");
        if (!allowed.empty()) argv.insert(argv.end(), {"--allowedTools", allowed});
        if (!flags_.permission_mode.empty()) argv.insert(argv.end(), {"--permission-mode", flags_.permission_mode});
        if (const auto mcp = cli_agent::mcp_server_for(host(), role())) {  // the core's tools, over MCP
            const auto mcp_args = cli_agent::claude_mcp_arguments(*mcp);
            argv.insert(argv.end(), mcp_args.begin(), mcp_args.end());
        }
        argv.insert(argv.end(), flags_.extra_args.begin(), flags_.extra_args.end());
        return argv;
    }

    CliReply parse_output(const cli_agent::CommandResult& result) const override {
        CliReply reply;
        std::optional<json::object> doc = find_result_object(result.out);
        if (!doc) {
            reply.error = cli_agent::unreadable_output_error("output is not a Claude Code JSON result", result);
            reply.session_missing = mentions_missing_session(result.err);
            return reply;
        }
        reply.session_id = cli_agent::string_field(*doc, "session_id");
        reply.text = cli_agent::string_field(*doc, "result");
        reply.usage = usage_of(*doc);
        reply.denials = denials_of(*doc);
        reply.session_missing = mentions_missing_session(errors_text(*doc)) || mentions_missing_session(result.err);
        const std::string subtype = cli_agent::string_field(*doc, "subtype");
        long long turns = 0;
        if (const auto* t = doc->if_contains("num_turns"); t && t->is_number()) turns = t->to_number<long long>();
        if (turns > 0) reply.detail = std::to_string(turns) + " turns";
        const auto* is_error = doc->if_contains("is_error");
        bool failed = (is_error && is_error->is_bool() && is_error->as_bool()) ||
                      (!subtype.empty() && subtype != "success");
        if (failed) {
            // is_error can come with subtype "success" (an API error such as 429/529 ended the run).
            reply.error = subtype.empty() || subtype == "success" ? std::string("Claude Code reported is_error")
                                                                  : "Claude Code reported " + subtype;
            if (subtype == "error_max_turns")
                reply.error += " (the turn limit was reached" +
                               (turns > 0 ? " after " + std::to_string(turns) + " turns" : std::string()) +
                               "; raise the max_turns option)";
            else if (subtype == "error_max_budget_usd")
                reply.error += " (the CLI's spending limit was reached)";
            std::string message = reply.text.empty() ? errors_text(*doc) : reply.text;
            if (!message.empty()) reply.error += ": " + cli_agent::tail(message, 800);
            else if (auto err = cli_agent::tail(result.err, 800); !err.empty()) reply.error += "; stderr: " + err;
        }
        return reply;
    }

    std::string session_announced(std::string_view line) const override {
        if (line.find("\"init\"") == std::string_view::npos) return {};
        json::error_code ec;
        json::value v = json::parse(line, ec);
        if (ec || !v.is_object()) return {};
        const auto& o = v.as_object();
        if (cli_agent::string_field(o, "type") != "system" || cli_agent::string_field(o, "subtype") != "init") return {};
        return cli_agent::string_field(o, "session_id");
    }

private:
    /// What Claude Code says when --resume names a session it does not have (another folder or
    /// HOME, or cleaned up).
    static bool mentions_missing_session(std::string_view text) {
        return text.find("No conversation found with session ID") != std::string_view::npos;
    }

    /// "Write /ws/rounds/R01_review.md" for each entry of the result's permission_denials.
    static std::vector<std::string> denials_of(const json::object& o) {
        std::vector<std::string> out;
        const auto* v = o.if_contains("permission_denials");
        if (!v || !v->is_array()) return out;
        for (const auto& d : v->as_array()) {
            if (!d.is_object()) continue;
            std::string what = cli_agent::string_field(d.as_object(), "tool_name");
            if (const auto* input = d.as_object().if_contains("tool_input"); input && input->is_object())
                for (const char* key : {"file_path", "notebook_path", "command", "path", "pattern", "url"})
                    if (std::string arg = cli_agent::string_field(input->as_object(), key); !arg.empty()) {
                        what += " " + (arg.size() > 200 ? arg.substr(0, 200) + "..." : arg);
                        break;
                    }
            out.push_back(what.empty() ? "a tool call" : what);
        }
        return out;
    }

    /// The last line of stdout that is a JSON object with "type":"result" (the CLI prints one;
    /// a wrapper may print more before it).
    static std::optional<json::object> find_result_object(const std::string& out) {
        std::size_t end = out.size();
        while (end > 0) {
            std::size_t start = out.rfind('\n', end - 1);
            std::size_t begin = start == std::string::npos ? 0 : start + 1;
            std::string_view line(out.data() + begin, end - begin);
            end = start == std::string::npos ? 0 : start;
            if (line.find('{') == std::string_view::npos) continue;
            json::error_code ec;
            json::value v = json::parse(line, ec);
            if (!ec && v.is_object()) {
                const auto* type = v.as_object().if_contains("type");
                if (type && type->is_string() && type->as_string() == "result") return std::move(v.as_object());
            }
        }
        // Pretty-printed over several lines: try the whole output.
        json::error_code ec;
        json::value v = json::parse(out, ec);
        if (!ec && v.is_object()) return std::move(v.as_object());
        return std::nullopt;
    }

    static std::string errors_text(const json::object& o) {
        const auto* v = o.if_contains("errors");
        if (!v || !v->is_array()) return {};
        std::string out;
        for (const auto& e : v->as_array())
            if (e.is_string()) out += (out.empty() ? "" : "; ") + std::string(e.as_string());
        return out;
    }

    static std::optional<Usage> usage_of(const json::object& o) {
        Usage u;
        bool any = false;
        if (const auto* c = o.if_contains("total_cost_usd"); c && c->is_number()) {
            u.usd = c->to_number<double>();
            any = true;
        }
        if (const auto* uv = o.if_contains("usage"); uv && uv->is_object()) {
            const auto& uo = uv->as_object();
            auto get = [&](const char* key) -> long long {
                const auto* n = uo.if_contains(key);
                return n && n->is_number() ? n->to_number<long long>() : 0;
            };
            // Claude Code reports the uncached input; Usage counts the whole prompt.
            u.input_tokens = get("input_tokens") + get("cache_creation_input_tokens") + get("cache_read_input_tokens");
            u.output_tokens = get("output_tokens");
            u.cache_creation_input_tokens = get("cache_creation_input_tokens");
            u.cache_read_input_tokens = get("cache_read_input_tokens");
            any = true;
        }
        return any ? std::optional<Usage>(u) : std::nullopt;
    }

    Flags flags_;
};

constexpr const char* kOptionsSchema = R"schema({
  "executable": {"type": "string", "default": "claude", "doc": "the claude executable: a name on PATH or a path"},
  "model": {"type": "string", "default": "", "doc": "--model (empty: the CLI's default)"},
  "max_turns": {"type": "integer", "default": 0, "doc": "--max-turns per phase (0: the CLI's default)"},
  "allowed_tools": {"type": "string", "default": "Read,Write,Edit,Glob,Grep,Bash", "doc": "--allowedTools, comma-separated; the phase's output file is always added as Edit(<path>)"},
  "permission_mode": {"type": "string", "default": "acceptEdits", "doc": "--permission-mode (acceptEdits, auto, bypassPermissions, default (manual), dontAsk, plan); bypassPermissions as root needs IS_SANDBOX=1"},
  "extra_args": {"type": "array", "default": [], "doc": "more command-line arguments, passed as given"},
  "timeout_s": {"type": "number", "default": 3600, "doc": "wall-clock limit of one phase; the process tree is ended after it (0: none)"},
  "prompts_dir": {"type": "string", "default": "", "doc": "folder with <role>.md system prompts (default: the workspace's prompts/, then the installed ones)"}
})schema";

std::unique_ptr<Agent> make_claude_code_agent(const PluginContext& context) {
    cli_agent::Options options(kOptionsSchema, context.options, "agents." + context.instance + ".options");
    cli_agent::CliSettings settings = cli_agent::read_cli_settings(
        options, "claude-code", "Claude Code", "npm install -g @anthropic-ai/claude-code");

    ClaudeCodeAgent::Flags flags;
    flags.model = options.string("model");
    flags.max_turns = options.integer("max_turns");
    if (flags.max_turns < 0) throw ConfigError(options.path_of("max_turns") + ": must be >= 0 (0 = the CLI's default)");
    flags.allowed_tools = options.string("allowed_tools");
    flags.permission_mode = options.string("permission_mode");
    if (flags.permission_mode == "bypassPermissions" && ::geteuid() == 0 && !std::getenv("IS_SANDBOX"))
        throw ConfigError(options.path_of("permission_mode") +
                          ": Claude Code refuses bypassPermissions when run as root unless IS_SANDBOX=1 is set; "
                          "set IS_SANDBOX=1 in the environment (only on a machine that is a sandbox) or use acceptEdits");
    flags.extra_args = options.strings("extra_args");
    return std::make_unique<ClaudeCodeAgent>(context, std::move(settings), std::move(flags));
}

}  // namespace
}  // namespace autokaggle

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "claude-code", "1.0.0",
                  "drives the Claude Code CLI headless (claude -p), one resumed session per role",
                  autokaggle::kOptionsSchema,
                  "*", autokaggle::make_claude_code_agent)
