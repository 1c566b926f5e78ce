// The `llm` agent: one persistent, tool-using conversation per role, driven by any configured
// LlmProvider. Each phase adds one short user message (the trigger and file paths, never file
// contents); the model works with the core's tools (HostServices::tool_specs/call_tool, defined
// in core/tools) and ends with the phase's one-line token. The conversation is compacted when it
// nears the context budget, between phases and inside a long one.
#include "conversation.hpp"

#include "options.hpp"
#include "role_prompt.hpp"

#include <autokaggle/support/atomic_file.hpp>

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <sstream>

namespace autokaggle::llm_agent {
namespace {

namespace fs = std::filesystem;

/// The last non-empty line of the model's final text, without markdown decoration.
std::string final_line(const std::string& text) {
    std::istringstream in(text);
    std::string line, last;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(" \t\r`*\"'");
        if (first == std::string::npos) continue;
        const auto end = line.find_last_not_of(" \t\r`*\"'.");
        last = line.substr(first, end == std::string::npos ? std::string::npos : end - first + 1);
    }
    return last;
}

struct AgentOptions {
    std::string llm;
    std::string prompt;       ///< explicit prompt file (relative to the workspace)
    std::string prompts_dir;  ///< folder searched first for <role>.md
    int max_tool_steps = 40;
    long long max_context_tokens = 0;
    int max_output_tokens = 8192;
};

/// The default context budget when the model's window is unknown: what small local models hold.
constexpr long long kDefaultContextBudget = 32'000;

constexpr const char* kOptionsSchema =
    R"({"llm": {"type": "string", "required": true, "doc": "name of an LLM configuration under \"llms\""},)"
    R"("prompt": {"type": "string", "default": "", "doc": "system prompt file (relative to the workspace); default prompts/<role>.md"},)"
    R"("prompts_dir": {"type": "string", "default": "", "doc": "folder searched first for <role>.md"},)"
    R"("max_tool_steps": {"type": "integer", "default": 40, "doc": "tool calls allowed per phase before it fails"},)"
    R"("max_context_tokens": {"type": "integer", "default": 0, "doc": "compact the conversation beyond this prompt size; 0 = 3/4 of the model's window, else 32000"},)"
    R"("max_output_tokens": {"type": "integer", "default": 8192, "doc": "output tokens per model call"}})";

AgentOptions read_options(const boost::json::object& raw, const std::string& role) {
    const cli_agent::Options o(kOptionsSchema, raw, "agents." + role + ".options");
    AgentOptions a;
    a.llm = o.has("llm") ? o.string("llm") : std::string();
    if (a.llm.empty())
        throw ConfigError("config.json: agents." + role + ".options.llm: missing; name an LLM configuration from \"llms\"");
    a.prompt = o.string("prompt");
    a.prompts_dir = o.string("prompts_dir");
    a.max_tool_steps = static_cast<int>(o.integer("max_tool_steps"));
    a.max_context_tokens = o.integer("max_context_tokens");
    a.max_output_tokens = static_cast<int>(o.integer("max_output_tokens"));
    if (a.max_tool_steps < 1 || a.max_output_tokens < 1 || a.max_context_tokens < 0)
        throw ConfigError("config.json: agents." + role +
                          ".options: max_tool_steps and max_output_tokens must be >= 1, max_context_tokens >= 0");
    return a;
}

/// Bytes of the tools' descriptions and schemas: part of every request.
std::size_t specs_bytes(const std::vector<ToolSpec>& specs) {
    std::size_t n = 0;
    for (const auto& s : specs) n += s.name.size() + s.description.size() + boost::json::serialize(s.input_schema).size();
    return n;
}

/// A long string cut to its start, saying it was cut (for old tool traffic inside a phase).
bool shorten(std::string& text, std::size_t keep) {
    if (text.size() <= keep + 200) return false;
    text = text.substr(0, keep) + "\n[... cut to stay within the context budget; " + std::to_string(text.size() - keep) +
           " bytes left out]";
    return true;
}

class LlmAgent final : public Agent {
public:
    explicit LlmAgent(const PluginContext& context)
        : host_(*context.host), role_(context.instance), options_(read_options(context.options, role_)),
          provider_(host_.llm(options_.llm)), system_(load_system_prompt()),
          conversation_file_(host_.paths().agents / role_ / "conversation.json") {
        if (auto saved = load_conversation(conversation_file_)) {
            conversation_ = std::move(*saved);
            host_.log(LogLevel::info, source(), "resuming conversation " + conversation_.session_id + " (" +
                                                    std::to_string(conversation_.messages.size()) + " messages)");
        } else {
            conversation_.session_id = new_session_id(role_);
        }
        bytes_at_last_call_ = conversation_.text_bytes();
    }

    std::string run_phase(const PhaseRequest& request) override {
        compact_if_needed(false);
        conversation_.add_user_text(phase_message(request));
        conversation_.phase_starts.push_back(conversation_.messages.size() - 1);
        save();

        const std::string phase(to_string(request.phase));
        const ToolCallContext context{role_, request.round, phase};
        for (int step = 0;; ++step) {
            if (host_.cancel_requested()) throw Cancelled("campaign stopping during the " + phase + " phase");
            if (step > 0) compact_if_needed(true);
            const ChatResponse reply = call_model();
            conversation_.messages.push_back(reply.message);
            save();
            if (reply.message.tool_calls.empty()) {
                const std::string token = final_line(reply.message.text);
                if (!token.empty()) {
                    ++conversation_.phases;
                    save();
                    host_.log(LogLevel::info, source(),
                              phase + " answered after " + std::to_string(step) + " tool steps: " + token);
                    return token;
                }
            }
            if (step >= options_.max_tool_steps)
                throw Error("the " + role_ + " took more than max_tool_steps=" + std::to_string(options_.max_tool_steps) +
                            " steps in the " + phase + " phase of round " + std::to_string(request.round) +
                            " without answering; raise agents." + role_ + ".options.max_tool_steps or simplify the task");
            if (reply.message.tool_calls.empty()) {
                conversation_.add_user_text("Your reply was empty. Finish the " + phase +
                                            " phase and answer with exactly one line: " + std::string(expected_reply(request.phase)));
                save();
                continue;
            }
            Message results;
            for (const auto& call : reply.message.tool_calls) {
                ToolResult r = host_.call_tool(context, call);
                r.call_id = call.id;
                if (r.is_error) host_.log(LogLevel::debug, source(), "tool " + call.name + " error: " + r.content);
                results.tool_results.push_back(std::move(r));
            }
            conversation_.messages.push_back(std::move(results));
            save();
        }
    }

    void respawn(const fs::path& summary_file) override {
        const std::string summary = read_file(summary_file);
        conversation_ = Conversation{};
        conversation_.session_id = new_session_id(role_);
        const fs::path rel = summary_file.lexically_relative(host_.paths().root);
        conversation_.add_user_text("This is a fresh session. A summary of the campaign so far (" +
                                    (rel.empty() || rel.string().starts_with("..") ? summary_file.string() : rel.string()) +
                                    "):\n\n" + summary.substr(0, 40'000));
        save();
        host_.log(LogLevel::info, source(), "re-spawned with the summary in " + summary_file.string());
    }

    std::string session_id() const override { return conversation_.session_id; }

private:
    std::string source() const { return "agent:" + role_; }

    std::string load_system_prompt() const {
        const auto& paths = host_.paths();
        fs::path file;
        if (!options_.prompt.empty()) {
            file = fs::path(options_.prompt).is_absolute() ? fs::path(options_.prompt) : paths.root / options_.prompt;
            if (!fs::is_regular_file(file))
                throw ConfigError("config.json: agents." + role_ + ".options.prompt: no such file " + file.string());
        } else {
            file = cli_agent::find_role_prompt(role_, cli_agent::prompt_search_dirs(paths.root, options_.prompts_dir),
                                               "agents." + role_ + ".options.prompts_dir");
        }
        std::vector<std::string> unknown;
        std::string text = cli_agent::render_prompt(read_file(file), role_, host_, unknown);
        if (!unknown.empty()) {
            std::string names;
            for (const auto& n : unknown) names += (names.empty() ? "" : ", ") + n;
            host_.log(LogLevel::warn, source(), file.string() + ": unknown placeholders left as they are: " + names);
        }
        return text;
    }

    std::string relative(const fs::path& p) const {
        const fs::path rel = p.lexically_relative(host_.paths().root);
        return rel.empty() || rel.string().starts_with("..") ? p.string() : rel.string();
    }

    std::string phase_message(const PhaseRequest& r) const {
        std::string text = "Round " + std::to_string(r.round) + " - phase: " + std::string(to_string(r.phase)) + "\n" +
                           r.trigger + "\nWrite: " + relative(r.output) + "\n";
        if (!r.inputs.empty()) {
            text += "Read:";
            for (const auto& p : r.inputs) text += " " + relative(p);
            text += "\n";
        }
        if (!r.problem.empty()) text += "Your previous answer was rejected: " + r.problem + "\n";
        if (r.phase == Phase::code)
            text += "Run the script with run_experiment; its result gives the verified CV and the exact answer.\n";
        text += "When done, answer with exactly one line: " + std::string(expected_reply(r.phase));
        return text;
    }

    ChatResponse call_model() {
        ChatRequest request;
        request.system = system_;
        request.messages = conversation_.messages;
        request.tools = tools();
        request.max_tokens = options_.max_output_tokens;
        ChatResponse reply = provider_.chat(request);
        host_.report_usage(role_, reply.usage);
        // The prompt's size as the server counted it (input tokens include the cached ones).
        conversation_.last_input_tokens = reply.usage.input_tokens;
        bytes_at_last_call_ = conversation_.text_bytes();
        return reply;
    }

    const std::vector<ToolSpec>& tools() {
        if (!tools_loaded_) {
            tools_ = host_.tool_specs(role_);
            tools_loaded_ = true;
        }
        return tools_;
    }

    long long context_budget() const {
        if (options_.max_context_tokens > 0) return options_.max_context_tokens;
        const long long window = provider_.context_window();
        return window > 0 ? window * 3 / 4 : kDefaultContextBudget;
    }

    /// The next request's size: what the server counted last time plus what was added since,
    /// or the byte count / 4, whichever is larger.
    long long estimated_tokens() {
        const std::size_t bytes = conversation_.text_bytes();
        const auto added = static_cast<long long>(bytes > bytes_at_last_call_ ? (bytes - bytes_at_last_call_) / 4 : 0);
        const auto estimate = static_cast<long long>((system_.size() + specs_bytes(tools()) + bytes) / 4);
        return std::max(conversation_.last_input_tokens > 0 ? conversation_.last_input_tokens + added : 0, estimate);
    }

    /// Near the context budget: drop the oldest phases (the files they wrote stay in the
    /// workspace) until the conversation is under half the budget, never the phase in progress
    /// (`in_phase`); when that phase alone is still too large, cut its older tool traffic.
    void compact_if_needed(bool in_phase) {
        const long long budget = context_budget();
        if (estimated_tokens() < budget) return;
        auto& messages = conversation_.messages;
        auto& starts = conversation_.phase_starts;
        const std::size_t keep_from = in_phase && !starts.empty() ? starts.back() : messages.size();
        const std::size_t overhead = system_.size() + specs_bytes(tools());
        std::size_t cut = keep_from;
        for (std::size_t start : starts) {
            if (start >= keep_from) break;
            std::size_t bytes = 0;
            for (std::size_t m = start; m < messages.size(); ++m) bytes += message_bytes(messages[m]);
            if (static_cast<long long>((overhead + bytes) / 4) < budget / 2) {
                cut = start;
                break;
            }
        }
        std::size_t dropped = 0;
        if (cut > 0) {
            messages.erase(messages.begin(), messages.begin() + static_cast<long>(cut));
            std::vector<std::size_t> kept;
            for (std::size_t s : starts)
                if (s >= cut) kept.push_back(s - cut);
            starts = std::move(kept);
            dropped = cut;
            // The first kept message may answer tool calls that were dropped: keep only its text.
            if (!messages.empty()) messages.front().tool_results.clear();
            const std::string note = "[Earlier messages of this session were dropped to stay within the context budget. "
                                     "The workspace keeps the history: rounds/, results.tsv, LEARNINGS.md.]";
            if (!messages.empty()) messages.front().text = note + "\n\n" + messages.front().text;
            else conversation_.add_user_text(note);
        }
        std::size_t shortened = 0;
        if (in_phase && !starts.empty()) {
            // The phase in progress alone is too large: its older tool results and call arguments
            // are cut (the last exchange stays whole).
            for (std::size_t m = starts.back() + 1; m + 2 < messages.size(); ++m) {
                for (auto& r : messages[m].tool_results) shortened += shorten(r.content, 400) ? 1 : 0;
                for (auto& c : messages[m].tool_calls)
                    if (c.arguments.is_object())
                        for (auto& [key, value] : c.arguments.get_object())
                            if (value.is_string()) {
                                std::string text(value.get_string());
                                if (shorten(text, 400)) {
                                    value = text;
                                    ++shortened;
                                }
                            }
            }
        }
        conversation_.last_input_tokens = 0;
        save();
        host_.log(LogLevel::info, source(), "context near its budget of " + std::to_string(budget) + " tokens: dropped " +
                                                std::to_string(dropped) + " old messages" +
                                                (shortened ? ", cut " + std::to_string(shortened) + " old tool results and arguments" : ""));
    }

    static std::size_t message_bytes(const Message& m) {
        std::size_t bytes = m.text.size();
        for (const auto& r : m.tool_results) bytes += r.content.size();
        for (const auto& c : m.tool_calls) bytes += boost::json::serialize(c.arguments).size();
        return bytes;
    }

    void save() const { save_conversation(conversation_file_, conversation_); }

    HostServices& host_;
    std::string role_;
    AgentOptions options_;
    LlmProvider& provider_;
    std::string system_;
    fs::path conversation_file_;
    Conversation conversation_;
    std::size_t bytes_at_last_call_ = 0;
    std::vector<ToolSpec> tools_;
    bool tools_loaded_ = false;
};

std::unique_ptr<Agent> make_llm_agent(const PluginContext& context) { return std::make_unique<LlmAgent>(context); }

}  // namespace
}  // namespace autokaggle::llm_agent

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "llm", "1.0.0",
                  "Researcher, Builder or Reviewer driven by any configured LLM provider, with workspace tools",
                  autokaggle::llm_agent::kOptionsSchema,
                  "*", autokaggle::llm_agent::make_llm_agent)
