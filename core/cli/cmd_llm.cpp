// `autokaggle llm test`: one short prompt through a configured provider, to check the key, the
// server address and the model name before a campaign depends on them.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/open_workspace.hpp"

#include "base/config.hpp"
#include "base/log.hpp"
#include "base/plugin_host.hpp"
#include "orchestrator/campaign_host.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/llm.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <iostream>

namespace autokaggle::cli {

namespace {

namespace fs = std::filesystem;

/// The configuration to test: --llm as given, --role through the agent's "llm" option, else the
/// Builder's, else the only (or first) configuration.
std::string choose_configuration(const Config& config, const Args& args) {
    if (auto name = args.value("--llm")) {
        if (!config.llms.contains(*name)) {
            std::string known;
            for (const auto& [n, s] : config.llms) known += (known.empty() ? "" : ", ") + n;
            throw ConfigError(config.file.string() + ": llms." + *name + ": no LLM configuration of that name (configured: " +
                              (known.empty() ? std::string("none") : known) + ")");
        }
        return *name;
    }
    auto llm_of = [&](const std::string& role) -> std::optional<std::string> {
        const auto it = config.agents.find(role);
        if (it == config.agents.end() || it->second.plugin != "llm") return std::nullopt;
        const auto* v = it->second.options.if_contains("llm");
        if (!v || !v->is_string()) return std::nullopt;
        return std::string(v->get_string());
    };
    if (auto role = args.value("--role")) {
        const auto it = config.agents.find(*role);
        if (it == config.agents.end())
            throw ConfigError(config.file.string() + ": agents." + *role + ": no such role (researcher, builder, reviewer)");
        if (auto name = llm_of(*role)) return *name;
        throw ConfigError(config.file.string() + ": agents." + *role + " uses the '" + it->second.plugin +
                          "' plugin, not an LLM configuration; use --llm NAME to test one of \"llms\"");
    }
    for (const char* role : {"builder", "researcher", "reviewer"})
        if (auto name = llm_of(role)) return *name;
    if (config.llms.empty())
        throw ConfigError(config.file.string() + ": no LLM configurations under \"llms\"; add one (see docs/llm.md)");
    return config.llms.begin()->first;
}

std::string option_text(const PluginSelection& s, const char* key) {
    const auto* v = s.options.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void print_hints(const ServiceError& e, const PluginSelection& s, const std::string& name) {
    const std::string key_env = option_text(s, "api_key_env").empty()
                                    ? (s.plugin == "anthropic" ? std::string("ANTHROPIC_API_KEY") : std::string("OPENAI_API_KEY"))
                                    : option_text(s, "api_key_env");
    const std::string base_url = option_text(s, "base_url").empty() ? "the provider's public API" : option_text(s, "base_url");
    std::cerr << "what to check:\n";
    switch (e.status()) {
        case 0:
            std::cerr << "  - is the server at " << base_url << " running and reachable? (llms." << name << ".options.base_url)\n"
                      << "  - proxies: HTTPS_PROXY / NO_PROXY; a private CA: the ca_file option or SSL_CERT_FILE\n";
            break;
        case 401:
        case 403:
            std::cerr << "  - the key in $" << key_env << " (valid for this provider and server?)\n";
            break;
        case 404:
            std::cerr << "  - the model name '" << option_text(s, "model") << "' (llms." << name << ".options.model)\n"
                      << "  - base_url " << base_url << " (OpenAI-compatible servers want the /v1 suffix)\n";
            break;
        case 429:
            std::cerr << "  - rate limits or the account's credit; try again later\n";
            break;
        default:
            std::cerr << "  - the model name '" << option_text(s, "model") << "', base_url " << base_url << ", the key in $"
                      << key_env << "\n";
    }
}

}  // namespace

int cmd_llm(CommandArgs argv) {
    const Args args(argv, {"--llm", "--role", "--dir", "--prompt"}, {"--help", "--tools"});
    if (args.help() || args.positionals().empty()) {
        print_usage(command_named("llm"));
        std::cout << "\n  --llm NAME     a configuration under \"llms\" in config.json\n"
                     "  --role ROLE    the configuration the agent of ROLE uses\n"
                     "  --dir DIR      the workspace (default: the current folder)\n"
                     "  --prompt TEXT  what to send (default: a one-word request)\n"
                     "  --tools        also check that the model calls tools (agents need it)\n";
        return args.help() ? exit_ok : exit_usage;
    }
    args.max_positionals(1);
    if (args.positionals()[0] != "test") throw UsageError("unknown subcommand '" + args.positionals()[0] + "' (only: test)");
    if (args.value("--llm") && args.value("--role")) throw UsageError("give --llm or --role, not both");

    const OpenWorkspace workspace(fs::absolute(args.value_or("--dir", ".")) / "config.json");
    const Config& config = workspace.config;
    const PluginHost& plugins = workspace.plugins;
    const std::string name = choose_configuration(config, args);
    const PluginSelection& selection = config.llms.at(name);

    Logger logger;  // terminal only: a connectivity check leaves no trace in the workspace
    CampaignHost host(config, workspace_paths(config), plugins, logger);
    const std::string base_url = option_text(selection, "base_url");
    std::cout << "configuration: " << name << " (plugin " << selection.plugin << ", model " << option_text(selection, "model")
              << ", base_url " << (base_url.empty() ? "default" : base_url) << ")\n"
              << std::flush;
    LlmProvider& provider = host.llm(name);

    ChatRequest request;
    request.system = "You are answering a connectivity check. Be brief.";
    Message prompt;
    prompt.text = args.value_or("--prompt", "Reply with the single word: pong");
    request.messages.push_back(prompt);
    request.max_tokens = 256;
    const bool check_tools = args.flag("--tools");
    if (check_tools) {
        boost::json::object schema{{"type", "object"},
                                   {"properties", boost::json::object{{"word", boost::json::object{{"type", "string"}}}}},
                                   {"required", boost::json::array{"word"}}};
        request.tools.push_back({"record_answer", "Records a one-word answer.", std::move(schema)});
        request.messages.front().text = "Call the record_answer tool with the word pong.";
    }
    try {
        const ChatResponse reply = provider.chat(request);
        const Usage& u = reply.usage;
        std::cout << "reply: " << reply.message.text << "\n"
                  << "model: " << (reply.model.empty() ? provider.model() : reply.model) << "\n"
                  << "stop reason: " << reply.stop_reason << "\n"
                  << "usage: " << u.input_tokens << " input, " << u.output_tokens << " output, "
                  << u.cache_creation_input_tokens << " cache-write, " << u.cache_read_input_tokens << " cache-read tokens";
        char cost[64];
        std::snprintf(cost, sizeof cost, " ($%.6f)", u.usd);
        std::cout << cost << "\n";
        std::snprintf(cost, sizeof cost, "%.2f", reply.latency_s);
        std::cout << "latency: " << cost << " s\n";
        if (!reply.request_id.empty()) std::cout << "request id: " << reply.request_id << "\n";
        if (!check_tools) return exit_ok;
        if (reply.message.tool_calls.empty()) {
            std::cerr << "autokaggle llm: the model answered without calling the tool; the llm agent needs a model "
                         "with tool support (for Ollama: a model tagged 'tools')\n";
            return exit_failure;
        }
        const ToolCall& call = reply.message.tool_calls.front();
        std::cout << "tool call: " << call.name << " " << boost::json::serialize(call.arguments)
                  << (call.arguments.is_object() ? "" : "  (arguments are not an object: the agent will ask the model to retry)")
                  << "\n";
        return exit_ok;
    } catch (const ServiceError& e) {
        std::cerr << "autokaggle llm: the provider failed: " << redact(e.what()) << "\n";
        print_hints(e, selection, name);
        return exit_failure;
    }
}

}  // namespace autokaggle::cli
