// The `llm` agent: one persistent, tool-using conversation per role, driven by any configured
// LlmProvider. Each phase adds one short user message (the trigger and file paths, never file
// contents); the model reads and writes files through the workspace tools and ends with the
// phase's one-line token.
#include "conversation.hpp"
#include "workspace_tools.hpp"

#include "options.hpp"
#include "role_prompt.hpp"

#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <sstream>

namespace autokaggle::llm_agent {
namespace {

namespace fs = std::filesystem;

std::string token_rule(Phase phase) {
    switch (phase) {
        case Phase::review:
        case Phase::verify: return "APPROVED   or   REVISE: <the reason in one line>";
        case Phase::revise: return "REVISED";
        case Phase::code: return "CV_SCORE=<the number your script printed, else the core's CV>   or   CV_SCORE=crash";
        default: return "DONE";
    }
}

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
    ToolLimits limits;
};

AgentOptions read_options(const boost::json::object& raw, const std::string& role) {
    const cli_agent::Options o(raw, "agents." + role + ".options");
    AgentOptions a;
    a.llm = o.string("llm", "");
    if (a.llm.empty())
        throw ConfigError("config.json: agents." + role + ".options.llm: missing; name an LLM configuration from \"llms\"");
    a.prompt = o.string("prompt", "");
    a.prompts_dir = o.string("prompts_dir", "");
    a.max_tool_steps = static_cast<int>(o.integer("max_tool_steps", 40));
    a.max_context_tokens = o.integer("max_context_tokens", 0);
    a.max_output_tokens = static_cast<int>(o.integer("max_output_tokens", 8192));
    a.limits.read_bytes = static_cast<std::size_t>(o.integer("read_limit_bytes", 60000));
    if (a.max_tool_steps < 1 || a.max_output_tokens < 1 || a.max_context_tokens < 0 || a.limits.read_bytes < 1000)
        throw ConfigError("config.json: agents." + role +
                          ".options: max_tool_steps and max_output_tokens must be >= 1, max_context_tokens >= 0, "
                          "read_limit_bytes >= 1000");
    return a;
}

std::string describe(const ExperimentResult& r) {
    std::ostringstream out;
    out << "status: " << to_string(r.status) << "\n";
    out << "claimed CV_SCORE: " << (r.claimed_cv ? std::to_string(*r.claimed_cv) : std::string("none printed")) << "\n";
    if (!r.fold_scores.empty()) {
        out << "fold scores:";
        for (double s : r.fold_scores) out << " " << s;
        out << "\n";
    }
    if (r.scored_cv) {  // the core's numbers from the OOF file over the competition's folds
        out << "core's CV: " << *r.scored_cv << "\ncore's fold scores:";
        for (double s : r.scored_fold_scores) out << " " << s;
        out << "\n";
    }
    if (r.exit_code) out << "exit code: " << *r.exit_code << "\n";
    if (r.signal) out << "signal: " << *r.signal << "\n";
    out << "seconds: " << r.seconds << "\n";
    if (!r.message.empty()) out << "message: " << r.message << "\n";
    out << "log: " << r.log_file.filename().string() << "\n--- log tail ---\n" << r.log_tail << "\n";
    return out.str();
}

class LlmAgent final : public Agent {
public:
    explicit LlmAgent(const PluginContext& context)
        : host_(*context.host), role_(context.instance), options_(read_options(context.options, role_)),
          provider_(host_.llm(options_.llm)), system_(load_system_prompt()),
          conversation_file_(host_.paths().agents / role_ / "conversation.json"),
          tools_(host_.paths().root, options_.limits,
                 role_ == "builder" ? WorkspaceTools::ExperimentRunner(
                                          [this](const fs::path& script, const std::string& description) {
                                              return run_experiment(script, description);
                                          })
                                    : nullptr) {
        if (auto saved = load_conversation(conversation_file_)) {
            conversation_ = std::move(*saved);
            host_.log(LogLevel::info, source(), "resuming conversation " + conversation_.session_id + " (" +
                                                    std::to_string(conversation_.messages.size()) + " messages)");
        } else {
            conversation_.session_id = new_session_id(role_);
        }
    }

    std::string run_phase(const PhaseRequest& request) override {
        current_round_ = request.round;
        compact_if_needed();
        conversation_.add_user_text(phase_message(request));
        conversation_.phase_starts.push_back(conversation_.messages.size() - 1);
        save();

        const std::string phase(to_string(request.phase));
        for (int step = 0;; ++step) {
            if (host_.cancel_requested()) throw Cancelled("campaign stopping during the " + phase + " phase");
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
                                            " phase and answer with exactly one line: " + token_rule(request.phase));
                save();
                continue;
            }
            Message results;
            for (const auto& call : reply.message.tool_calls) {
                ToolResult r = tools_.execute(call);
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
        std::string text = cli_agent::render_prompt(read_file(file), role_, host_.competition(), paths, unknown);
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
        text += "When done, answer with exactly one line: " + token_rule(r.phase);
        return text;
    }

    ChatResponse call_model() {
        ChatRequest request;
        request.system = system_;
        request.messages = conversation_.messages;
        request.tools = tools_.specs();
        request.max_tokens = options_.max_output_tokens;
        ChatResponse reply = provider_.chat(request);
        host_.report_usage(role_, reply.usage);
        const auto& u = reply.usage;
        conversation_.last_input_tokens = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
        return reply;
    }

    std::string run_experiment(const fs::path& script, const std::string& description) {
        ExperimentRequest request;
        request.round = current_round_;
        request.script = script;
        request.description = description;
        return describe(host_.run_experiment(request));
    }

    long long context_budget() const {
        if (options_.max_context_tokens > 0) return options_.max_context_tokens;
        const long long window = provider_.context_window();
        return window > 0 ? window * 3 / 4 : 100'000;
    }

    long long estimated_tokens() const {
        const auto estimate = static_cast<long long>((system_.size() + conversation_.text_bytes()) / 4);
        return std::max(conversation_.last_input_tokens, estimate);
    }

    /// Near the context budget: drop the oldest phases (the files they wrote stay in the
    /// workspace) until the conversation is under half the budget.
    void compact_if_needed() {
        const long long budget = context_budget();
        if (estimated_tokens() < budget) return;
        auto& starts = conversation_.phase_starts;
        std::size_t cut = 0;
        std::size_t kept_phases = starts.size();
        for (std::size_t i = 0; i < starts.size(); ++i) {
            std::size_t bytes = 0;
            for (std::size_t m = starts[i]; m < conversation_.messages.size(); ++m) {
                const auto& msg = conversation_.messages[m];
                bytes += msg.text.size();
                for (const auto& r : msg.tool_results) bytes += r.content.size();
                for (const auto& c : msg.tool_calls) bytes += boost::json::serialize(c.arguments).size();
            }
            if (static_cast<long long>((system_.size() + bytes) / 4) < budget / 2) {
                cut = starts[i];
                kept_phases = starts.size() - i;
                break;
            }
            cut = conversation_.messages.size();
            kept_phases = 0;
        }
        const std::size_t dropped = cut;
        conversation_.messages.erase(conversation_.messages.begin(), conversation_.messages.begin() + static_cast<long>(cut));
        std::vector<std::size_t> kept(starts.end() - static_cast<long>(kept_phases), starts.end());
        for (auto& s : kept) s -= cut;
        starts = std::move(kept);
        // The first kept message may answer tool calls that were dropped: keep only its text.
        if (!conversation_.messages.empty()) conversation_.messages.front().tool_results.clear();
        const std::string note = "[Earlier messages of this session were dropped to stay within the context budget. "
                                 "The workspace keeps the history: rounds/, results.tsv, LEARNINGS.md.]";
        if (!conversation_.messages.empty()) {
            conversation_.messages.front().text = note + "\n\n" + conversation_.messages.front().text;
        } else {
            conversation_.add_user_text(note);
        }
        conversation_.last_input_tokens = 0;
        save();
        host_.log(LogLevel::info, source(), "context near its budget of " + std::to_string(budget) + " tokens: dropped " +
                                                std::to_string(dropped) + " old messages");
    }

    void save() const { save_conversation(conversation_file_, conversation_); }

    HostServices& host_;
    std::string role_;
    AgentOptions options_;
    LlmProvider& provider_;
    std::string system_;
    fs::path conversation_file_;
    WorkspaceTools tools_;
    Conversation conversation_;
    int current_round_ = 0;
};

std::unique_ptr<Agent> make_llm_agent(const PluginContext& context) { return std::make_unique<LlmAgent>(context); }

}  // namespace
}  // namespace autokaggle::llm_agent

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "llm", "1.0.0",
                  "Researcher, Builder or Reviewer driven by any configured LLM provider, with workspace tools",
                  R"({"llm": {"type": "string", "required": true, "doc": "name of an LLM configuration under \"llms\""},)"
                  R"("prompt": {"type": "string", "default": "", "doc": "system prompt file (relative to the workspace); default prompts/<role>.md"},)"
                  R"("prompts_dir": {"type": "string", "default": "", "doc": "folder searched first for <role>.md"},)"
                  R"("max_tool_steps": {"type": "integer", "default": 40, "doc": "tool calls allowed per phase before it fails"},)"
                  R"("max_context_tokens": {"type": "integer", "default": 0, "doc": "drop old phases beyond this prompt size; 0 = 3/4 of the model's window"},)"
                  R"("max_output_tokens": {"type": "integer", "default": 8192, "doc": "output tokens per model call"},)"
                  R"("read_limit_bytes": {"type": "integer", "default": 60000, "doc": "most text one read_file returns"}})",
                  "*", autokaggle::llm_agent::make_llm_agent)
