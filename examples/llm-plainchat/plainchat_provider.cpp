// An LLM provider plugin for a server speaking "plain chat", a deliberately small JSON wire format
// (a house model behind a gateway, say). It shows what every provider does: map the
// provider-neutral ChatRequest onto the wire, send it with retries, map the answer back, account
// tokens and cost. The HTTP client, the common provider options (model, base_url, api_key_env,
// timeouts, retries, prices) and their validation come from the installed support set.
//
//   POST {base_url}/chat
//   {"model": "m", "system": "...", "max_tokens": 4096,
//    "messages": [{"role": "user", "text": "...", "tool_results": [{"call_id", "content", "is_error"}]},
//                 {"role": "assistant", "text": "...", "tool_calls": [{"id", "name", "arguments"}]}],
//    "tools": [{"name", "description", "input_schema"}]}
//   -> {"id": "...", "model": "m", "stop_reason": "end_turn" | "tool_use",
//       "text": "...", "tool_calls": [{"id", "name", "arguments"}],
//       "usage": {"input_tokens": n, "output_tokens": n}}
//   errors: any status >= 400 with {"error": {"type", "message"}}
#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>
#include <autokaggle/support/provider_config.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace {

namespace http = autokaggle::http;
namespace json = boost::json;
using autokaggle::ChatRequest;
using autokaggle::ChatResponse;

json::object encode(const ChatRequest& request, const http::ProviderConfig& config) {
    json::array messages;
    for (const auto& m : request.messages) {
        json::object message{{"role", m.role == autokaggle::Role::user ? "user" : "assistant"}, {"text", m.text}};
        json::array calls, results;
        for (const auto& c : m.tool_calls) calls.push_back(json::object{{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
        for (const auto& r : m.tool_results)
            results.push_back(json::object{{"call_id", r.call_id}, {"content", r.content}, {"is_error", r.is_error}});
        if (!calls.empty()) message["tool_calls"] = std::move(calls);
        if (!results.empty()) message["tool_results"] = std::move(results);
        messages.push_back(std::move(message));
    }
    json::array tools;
    for (const auto& t : request.tools)
        tools.push_back(json::object{{"name", t.name}, {"description", t.description}, {"input_schema", t.input_schema}});
    return {{"model", config.model},
            {"system", request.system},
            {"max_tokens", config.max_tokens > 0 ? config.max_tokens : request.max_tokens},
            {"messages", std::move(messages)},
            {"tools", std::move(tools)}};
}

/// The answer of a 2xx response; throws MalformedAnswer for a body that is not one.
ChatResponse decode(const std::string& body) {
    json::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) throw http::MalformedAnswer("the body is not a JSON object");
    const json::object& o = v.get_object();
    ChatResponse out;
    out.message.role = autokaggle::Role::assistant;
    out.message.text = http::string_field(o, "text");
    out.stop_reason = http::string_field(o, "stop_reason");
    out.model = http::string_field(o, "model");
    out.request_id = http::string_field(o, "id");
    if (const auto* calls = o.if_contains("tool_calls")) {
        if (!calls->is_array()) throw http::MalformedAnswer("\"tool_calls\" is not an array");
        for (const auto& c : calls->get_array()) {
            if (!c.is_object()) throw http::MalformedAnswer("a tool call is not an object");
            const auto& call = c.get_object();
            const json::value* arguments = call.if_contains("arguments");
            out.message.tool_calls.push_back({http::string_field(call, "id"), http::string_field(call, "name"),
                                              arguments ? *arguments : json::value(json::object{})});
        }
    }
    if (const auto* usage = o.if_contains("usage"); usage && usage->is_object()) {
        out.usage.input_tokens = http::count_field(usage->get_object(), "input_tokens");
        out.usage.output_tokens = http::count_field(usage->get_object(), "output_tokens");
    }
    return out;
}

class PlainChatProvider final : public autokaggle::LlmProvider {
public:
    explicit PlainChatProvider(http::ProviderConfig config) : config_(std::move(config)), client_(http::make_client(config_)) {}

    // Thread-safe: no per-call state in members (the Client is immutable and shareable).
    ChatResponse chat(const ChatRequest& request) override {
        const std::string api = "plain chat server (" + config_.base_url + ")";
        http::Request post = http::make_post(config_, config_.base_url + "/chat", json::serialize(encode(request, config_)));
        if (!config_.api_key.empty()) post.headers.set("Authorization", "Bearer " + config_.api_key);
        const auto start = std::chrono::steady_clock::now();
        // Retries 408/409/429/5xx and dropped connections; a final failure is a ServiceError
        // with the status, the server's error type and message.
        const http::Response response = http::send_with_retry(client_, post, http::make_retry_policy(config_), api);
        ChatResponse out;
        try {
            out = decode(response.body);
        } catch (const http::MalformedAnswer& e) {
            throw http::malformed_answer(api, response, e.what(), "");
        }
        out.usage.usd = http::cost_usd(out.usage, config_.prices);
        out.latency_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return out;
    }

    std::string model() const override { return config_.model; }
    long long context_window() const override { return config_.context_window; }

private:
    http::ProviderConfig config_;
    http::Client client_;
};

std::unique_ptr<autokaggle::LlmProvider> make_plainchat(const autokaggle::PluginContext& context) {
    // context.instance is the configuration's name under "llms" (for error messages); the
    // options are validated against the schema below, defaults filled. The key comes from the
    // variable api_key_env names (default PLAINCHAT_API_KEY); a server on this machine may need none.
    return std::make_unique<PlainChatProvider>(
        http::read_provider_config(context.options, context.instance, {"", "PLAINCHAT_API_KEY", true}));
}

}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::LlmProvider, "plainchat", "1.0.0", "a server speaking the plain chat JSON format",
                  "{" AUTOKAGGLE_LLM_COMMON_OPTIONS "}", "", make_plainchat)
