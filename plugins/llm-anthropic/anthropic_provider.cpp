// The `anthropic` LLM provider: the Messages API (POST {base}/v1/messages) with tools, prompt
// caching of the stable prefix (system prompt) and of the conversation so far, and usage whose
// input tokens include the cache writes and reads (shown apart too).
#include "anthropic_answer.hpp"
#include <autokaggle/support/provider_config.hpp>

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <chrono>

namespace autokaggle {
namespace {

namespace json = boost::json;

json::object cache_marker() { return {{"type", "ephemeral"}}; }

json::value tool_input(const json::value& arguments) {
    if (arguments.is_object()) return arguments;
    return json::object{{"value", arguments}};  // the API wants an object; keep what came
}

json::array content_blocks(const Message& m) {
    json::array blocks;
    for (const auto& r : m.tool_results)
        blocks.push_back(json::object{{"type", "tool_result"}, {"tool_use_id", r.call_id}, {"content", r.content},
                                      {"is_error", r.is_error}});
    if (!m.text.empty()) blocks.push_back(json::object{{"type", "text"}, {"text", m.text}});
    for (const auto& c : m.tool_calls)
        blocks.push_back(json::object{{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", tool_input(c.arguments)}});
    if (blocks.empty()) blocks.push_back(json::object{{"type", "text"}, {"text", "(no content)"}});
    return blocks;
}

class AnthropicProvider final : public LlmProvider {
public:
    explicit AnthropicProvider(http::ProviderConfig config)
        : config_(std::move(config)), client_(http::make_client(config_)) {}

    ChatResponse chat(const ChatRequest& request) override {
        http::Request post = http::make_post(config_, config_.base_url + "/v1/messages", json::serialize(body(request)));
        post.headers.set("x-api-key", config_.api_key);
        post.headers.set("anthropic-version", "2023-06-01");
        const auto start = std::chrono::steady_clock::now();
        const http::Response response =
            http::send_with_retry(client_, post, http::make_retry_policy(config_), "Anthropic API (" + config_.base_url + ")");
        ChatResponse out = parse(response);
        out.latency_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return out;
    }

    std::string model() const override { return config_.model; }
    long long context_window() const override { return config_.context_window > 0 ? config_.context_window : 200'000; }

private:
    json::object body(const ChatRequest& request) const {
        json::object b;
        b["model"] = config_.model;
        b["max_tokens"] = config_.max_tokens > 0 ? config_.max_tokens : request.max_tokens;
        if (!request.system.empty())
            b["system"] = json::array{json::object{{"type", "text"}, {"text", request.system}, {"cache_control", cache_marker()}}};
        json::array messages;
        for (const auto& m : request.messages)
            messages.push_back(json::object{{"role", m.role == Role::user ? "user" : "assistant"}, {"content", content_blocks(m)}});
        // A second breakpoint at the end of the conversation so far: the next call reads all of
        // it from the cache instead of paying for it again.
        if (!messages.empty()) {
            auto& last = messages.back().as_object()["content"].as_array();
            last.back().as_object()["cache_control"] = cache_marker();
        }
        b["messages"] = std::move(messages);
        if (!request.tools.empty()) {
            json::array tools;
            for (const auto& t : request.tools)
                tools.push_back(json::object{{"name", t.name}, {"description", t.description}, {"input_schema", t.input_schema}});
            b["tools"] = std::move(tools);
            b["tool_choice"] = json::object{{"type", "auto"}};
        }
        return b;
    }

    ChatResponse parse(const http::Response& response) const {
        const std::string request_id = response.header("request-id");
        ChatResponse out;
        try {
            out = anthropic::parse_answer(response.body);
        } catch (const http::MalformedAnswer& e) {
            throw http::malformed_answer("Anthropic API (" + config_.base_url + ")", response, e.what(), request_id);
        }
        if (!request_id.empty()) out.request_id = request_id;
        out.usage.usd = http::cost_usd(out.usage, config_.prices);
        return out;
    }

    http::ProviderConfig config_;
    http::Client client_;
};

std::unique_ptr<LlmProvider> make_anthropic(const PluginContext& context) {
    return std::make_unique<AnthropicProvider>(http::read_provider_config(
        context.options, context.instance, {"https://api.anthropic.com", "ANTHROPIC_API_KEY", false}));
}

}  // namespace
}  // namespace autokaggle

AUTOKAGGLE_PLUGIN(autokaggle::LlmProvider, "anthropic", "1.0.0",
                  "Anthropic Messages API (Claude) with tools and prompt caching",
                  "{" AUTOKAGGLE_LLM_COMMON_OPTIONS "}", "", autokaggle::make_anthropic)
