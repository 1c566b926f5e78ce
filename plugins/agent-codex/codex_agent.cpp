// Agent plugin "codex": every phase is one non-interactive Codex call
//   codex exec --json [-m model] [-s sandbox] "<prompt>"            (first call of a session)
//   codex exec resume --json [-c model=..] <thread_id> "<prompt>"   (later calls)
// started in the workspace. The CLI prints JSON lines (thread.started, item.completed,
// turn.completed, turn.failed, error); docs/coding-agents.md has the details. An error event
// is transient when a completed turn follows it (Codex reconnects and goes on).
#include "cli_agent.hpp"
#include "mcp_registration.hpp"
#include "options.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json/parse.hpp>

#include <optional>
#include <sstream>

namespace autokaggle {
namespace {

namespace json = boost::json;
using cli_agent::CliReply;

/// USD per million tokens: Codex reports tokens, not cost.
struct Prices {
    double input = 0, cached_input = 0, output = 0;
};

class CodexAgent final : public cli_agent::CliAgent {
public:
    struct Flags {
        std::string model, sandbox;
        bool skip_git_repo_check = true;
        std::vector<std::string> extra_args;
        Prices prices;
    };

    CodexAgent(const PluginContext& context, cli_agent::CliSettings settings, Flags flags)
        : CliAgent(context, std::move(settings)), flags_(std::move(flags)) {}

protected:
    std::vector<std::string> command_line(const cli_agent::CliCall& call) const override {
        std::vector<std::string> argv{settings().executable.string(), "exec"};
        std::vector<std::string> mcp_args;  // the core's tools, over MCP
        if (const auto mcp = cli_agent::mcp_server_for(host(), role()))
            mcp_args = cli_agent::codex_mcp_arguments(*mcp, settings().timeout);
        if (call.resume_id.empty()) {
            argv.push_back("--json");
            if (flags_.skip_git_repo_check) argv.push_back("--skip-git-repo-check");
            if (!flags_.model.empty()) argv.insert(argv.end(), {"-m", flags_.model});
            if (!flags_.sandbox.empty()) argv.insert(argv.end(), {"-s", flags_.sandbox});
            argv.insert(argv.end(), mcp_args.begin(), mcp_args.end());
            argv.insert(argv.end(), flags_.extra_args.begin(), flags_.extra_args.end());
            // Codex has no flag for an extra system prompt: the role's prompt opens the session.
            argv.push_back(call.system_prompt.empty() ? call.prompt
                                                      : call.system_prompt + "\n\n---\n\n" + call.prompt);
        } else {
            // `exec resume` takes no -s/-C: the sandbox and model travel as config overrides.
            argv.insert(argv.end(), {"resume", "--json"});
            if (flags_.skip_git_repo_check) argv.push_back("--skip-git-repo-check");
            if (!flags_.model.empty()) argv.insert(argv.end(), {"-c", "model=\"" + flags_.model + "\""});
            if (!flags_.sandbox.empty()) argv.insert(argv.end(), {"-c", "sandbox_mode=\"" + flags_.sandbox + "\""});
            argv.insert(argv.end(), mcp_args.begin(), mcp_args.end());
            argv.insert(argv.end(), flags_.extra_args.begin(), flags_.extra_args.end());
            argv.push_back(call.resume_id);
            argv.push_back(call.prompt);
        }
        return argv;
    }

    CliReply parse_output(const cli_agent::CommandResult& result) const override {
        CliReply reply;
        Usage usage;
        bool any_usage = false, any_event = false;
        std::string failed_turn;    // turn.failed: the phase fails
        std::string pending_error;  // an error event no completed turn has followed yet
        int turns = 0, transient_errors = 0;
        std::istringstream lines(result.out);
        std::string line;
        while (std::getline(lines, line)) {
            std::optional<json::object> event = event_of(line);
            if (!event) continue;
            const std::string type = cli_agent::string_field(*event, "type");
            any_event = true;
            if (type == "thread.started") {
                reply.session_id = cli_agent::string_field(*event, "thread_id");
            } else if (type == "item.completed") {
                const auto* item = event->if_contains("item");
                if (item && item->is_object() && cli_agent::string_field(item->as_object(), "type") == "agent_message")
                    reply.text = cli_agent::string_field(item->as_object(), "text");
            } else if (type == "turn.completed") {
                ++turns;
                if (!pending_error.empty()) ++transient_errors;  // e.g. "Reconnecting... 2/5": it recovered
                pending_error.clear();
                if (const auto* u = event->if_contains("usage"); u && u->is_object()) {
                    usage += usage_of(u->as_object());
                    any_usage = true;
                }
            } else if (type == "turn.failed") {
                const auto* e = event->if_contains("error");
                std::string message = e && e->is_object() ? cli_agent::string_field(e->as_object(), "message") : std::string();
                failed_turn = "Codex reported turn.failed" + (message.empty() ? std::string() : ": " + message);
            } else if (type == "error") {
                std::string message = cli_agent::string_field(*event, "message");
                pending_error = "Codex reported an error" + (message.empty() ? "" : ": " + message);
            }
        }
        if (any_usage) reply.usage = usage;
        if (turns > 0) reply.detail = std::to_string(turns) + (turns == 1 ? " turn" : " turns");
        if (transient_errors > 0)
            reply.detail += (reply.detail.empty() ? "" : ", ") + std::to_string(transient_errors) + " recovered error(s)";
        // `exec resume` of a thread this CODEX_HOME does not have: "Error: thread/resume: ... no
        // rollout found for thread id <id> (code -32600)", then a backtrace.
        if (auto at = result.err.find("no rollout found for thread id"); at != std::string::npos) {
            reply.session_missing = true;
            reply.error = "Codex reported " + result.err.substr(at, result.err.find('\n', at) - at);
        } else if (!failed_turn.empty()) {
            reply.error = failed_turn;
        } else if (!pending_error.empty()) {
            reply.error = pending_error + " (no turn completed after it)";
        } else if (!any_event) {
            reply.error = cli_agent::unreadable_output_error("output is not Codex JSON lines", result);
        } else if (result.exit_code == 0 && turns == 0) {
            reply.error = "the output ended without turn.completed (the answer may be cut short)";
        }
        return reply;
    }

    std::string session_announced(std::string_view line) const override {
        if (line.find("thread.started") == std::string_view::npos) return {};
        std::optional<json::object> event = event_of(line);
        if (!event || cli_agent::string_field(*event, "type") != "thread.started") return {};
        return cli_agent::string_field(*event, "thread_id");
    }

private:
    /// One JSON line of output with a "type", or nullopt.
    static std::optional<json::object> event_of(std::string_view line) {
        if (line.find('{') == std::string_view::npos) return std::nullopt;
        json::error_code ec;
        json::value v = json::parse(line, ec);
        if (ec || !v.is_object() || cli_agent::string_field(v.as_object(), "type").empty()) return std::nullopt;
        return std::move(v.as_object());
    }

    Usage usage_of(const json::object& u) const {
        auto get = [&](const char* key) -> long long {
            const auto* n = u.if_contains(key);
            return n && n->is_number() ? n->to_number<long long>() : 0;
        };
        // Codex's input_tokens include the cached ones, as Usage's do; the cached part is shown apart.
        long long input = get("input_tokens"), cached = get("cached_input_tokens");
        Usage out;
        out.cache_read_input_tokens = cached;
        out.input_tokens = input;
        out.output_tokens = get("output_tokens");
        out.usd = (static_cast<double>(input > cached ? input - cached : 0) * flags_.prices.input +
                   static_cast<double>(cached) * flags_.prices.cached_input +
                   static_cast<double>(out.output_tokens) * flags_.prices.output) /
                  1e6;
        return out;
    }

    Flags flags_;
};

constexpr const char* kOptionsSchema = R"schema({
  "executable": {"type": "string", "default": "codex", "doc": "the codex executable: a name on PATH or a path"},
  "model": {"type": "string", "default": "", "doc": "-m (empty: the CLI's default)"},
  "sandbox": {"type": "string", "default": "workspace-write", "doc": "-s: read-only, workspace-write or danger-full-access"},
  "skip_git_repo_check": {"type": "boolean", "default": true, "doc": "pass --skip-git-repo-check (workspaces are seldom git repositories)"},
  "extra_args": {"type": "array", "default": [], "doc": "more arguments after the exec options, passed as given"},
  "timeout_s": {"type": "number", "default": 3600, "doc": "wall-clock limit of one phase; the process tree is ended after it (0: none)"},
  "prompts_dir": {"type": "string", "default": "", "doc": "folder with <role>.md system prompts (default: the workspace's prompts/, then the installed ones)"},
  "usd_per_mtok_input": {"type": "number", "default": 0, "doc": "price of a million uncached input tokens, for the budget"},
  "usd_per_mtok_cached_input": {"type": "number", "default": 0, "doc": "price of a million cached input tokens"},
  "usd_per_mtok_output": {"type": "number", "default": 0, "doc": "price of a million output tokens"}
})schema";

std::unique_ptr<Agent> make_codex_agent(const PluginContext& context) {
    cli_agent::Options options(kOptionsSchema, context.options, "agents." + context.instance + ".options");
    cli_agent::CliSettings settings =
        cli_agent::read_cli_settings(options, "codex", "Codex", "npm install -g @openai/codex");

    CodexAgent::Flags flags;
    flags.model = options.string("model");
    flags.sandbox = options.string("sandbox");
    if (!flags.sandbox.empty() && flags.sandbox != "read-only" && flags.sandbox != "workspace-write" &&
        flags.sandbox != "danger-full-access")
        throw ConfigError(options.path_of("sandbox") + ": '" + flags.sandbox +
                          "' is not a Codex sandbox mode; use read-only, workspace-write or danger-full-access");
    flags.skip_git_repo_check = options.boolean("skip_git_repo_check");
    flags.extra_args = options.strings("extra_args");
    flags.prices.input = options.number("usd_per_mtok_input");
    flags.prices.cached_input = options.number("usd_per_mtok_cached_input");
    flags.prices.output = options.number("usd_per_mtok_output");
    return std::make_unique<CodexAgent>(context, std::move(settings), std::move(flags));
}

}  // namespace
}  // namespace autokaggle

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "codex", "1.0.0",
                  "drives the Codex CLI non-interactively (codex exec --json), one resumed thread per role",
                  autokaggle::kOptionsSchema,
                  "*", autokaggle::make_codex_agent)
