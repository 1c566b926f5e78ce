// The `openai` LLM provider: Chat Completions (POST {base}/chat/completions) with tools. The
// same plugin serves OpenAI, Ollama, vLLM, llama.cpp server and OpenRouter through base_url.
// Servers differ: some ignore tool_choice, return tool arguments as an object, as an empty
// string or as text that is not JSON (see openai_answer.hpp).
#include <autokaggle/support/provider_config.hpp>
#include "openai_answer.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <mutex>

namespace autokaggle {
namespace {

namespace json = boost::json;

std::string encode_arguments(const json::value& arguments) {
    if (arguments.is_string()) return std::string(arguments.get_string());
    return json::serialize(arguments);
}

class OpenAiProvider final : public LlmProvider {
public:
    OpenAiProvider(http::ProviderConfig config, std::string max_tokens_field)
        : config_(std::move(config)), max_tokens_field_(std::move(max_tokens_field)), client_(http::make_client(config_)) {}

    ChatResponse chat(const ChatRequest& request) override {
        http::Request post = http::make_post(config_, config_.base_url + "/chat/completions", json::serialize(body(request)));
        if (!config_.api_key.empty()) post.headers.set("Authorization", "Bearer " + config_.api_key);
        const auto start = std::chrono::steady_clock::now();
        const http::Response response =
            http::send_with_retry(client_, post, http::make_retry_policy(config_), "OpenAI-compatible API (" + config_.base_url + ")");
        ChatResponse out = parse(response);
        out.latency_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return out;
    }

    std::string model() const override { return config_.model; }

    /// The configured window, else what the server reports (asked once): vLLM's max_model_len
    /// from /v1/models, Ollama's num_ctx or the model's context_length from /api/show; 0 when
    /// the server tells nothing (OpenAI itself).
    long long context_window() const override {
        if (config_.context_window > 0) return config_.context_window;
        std::lock_guard lock(window_mutex_);
        if (!window_asked_) {
            window_asked_ = true;
            try {
                reported_window_ = vllm_window();
                if (reported_window_ == 0) reported_window_ = ollama_window();
            } catch (const std::exception&) {
                reported_window_ = 0;  // an unreachable or silent server: the agent's default applies
            }
        }
        return reported_window_;
    }

private:
    http::Response ask(std::string method, std::string url, std::string body = {}) const {
        http::Request request;
        request.method = std::move(method);
        request.url = std::move(url);
        request.body = std::move(body);
        if (!request.body.empty()) request.headers.set("content-type", "application/json");
        if (!config_.api_key.empty()) request.headers.set("Authorization", "Bearer " + config_.api_key);
        request.connect_timeout = std::chrono::milliseconds(5'000);
        request.read_timeout = std::chrono::milliseconds(10'000);
        return client_.send(request);
    }

    long long vllm_window() const {
        const http::Response r = ask("GET", config_.base_url + "/models");
        if (r.status != 200) return 0;
        json::error_code ec;
        const json::value v = json::parse(r.body, ec);
        if (ec || !v.is_object() || !v.get_object().contains("data") || !v.get_object().at("data").is_array()) return 0;
        for (const auto& m : v.get_object().at("data").get_array())
            if (m.is_object() && http::string_field(m.get_object(), "id") == config_.model)
                return http::count_field(m.get_object(), "max_model_len");
        return 0;
    }

    long long ollama_window() const {
        std::string root = config_.base_url;
        if (root.ends_with("/v1")) root.resize(root.size() - 3);
        const http::Response r = ask("POST", root + "/api/show", json::serialize(json::object{{"model", config_.model}}));
        if (r.status != 200) return 0;
        json::error_code ec;
        const json::value v = json::parse(r.body, ec);
        if (ec || !v.is_object()) return 0;
        const auto& o = v.get_object();
        // num_ctx in the model's parameters is what the server runs it with.
        const std::string parameters = http::string_field(o, "parameters");
        if (auto at = parameters.find("num_ctx"); at != std::string::npos) {
            const auto digits = parameters.find_first_of("0123456789", at);
            const long long n = digits == std::string::npos ? 0 : std::atoll(parameters.c_str() + digits);
            if (n > 0) return n;
        }
        if (const auto* info = o.if_contains("model_info"); info && info->is_object())
            for (const auto& [key, value] : info->get_object())
                if (key.ends_with(".context_length") && value.is_number()) return value.to_number<long long>();
        return 0;
    }

    json::object body(const ChatRequest& request) const {
        json::object b;
        b["model"] = config_.model;
        b[max_tokens_field_] = config_.max_tokens > 0 ? config_.max_tokens : request.max_tokens;
        json::array messages;
        if (!request.system.empty()) messages.push_back(json::object{{"role", "system"}, {"content", request.system}});
        for (const auto& m : request.messages) {
            if (m.role == Role::user) {
                for (const auto& r : m.tool_results)
                    messages.push_back(json::object{{"role", "tool"}, {"tool_call_id", r.call_id},
                                                    {"content", r.is_error ? "ERROR: " + r.content : r.content}});
                if (!m.text.empty() || m.tool_results.empty())
                    messages.push_back(json::object{{"role", "user"}, {"content", m.text}});
                continue;
            }
            json::object assistant{{"role", "assistant"}};
            assistant["content"] = m.text.empty() ? json::value(nullptr) : json::value(m.text);
            if (!m.tool_calls.empty()) {
                json::array calls;
                for (const auto& c : m.tool_calls)
                    calls.push_back(json::object{{"id", c.id}, {"type", "function"},
                                                 {"function", json::object{{"name", c.name}, {"arguments", encode_arguments(c.arguments)}}}});
                assistant["tool_calls"] = std::move(calls);
            }
            messages.push_back(std::move(assistant));
        }
        b["messages"] = std::move(messages);
        if (!request.tools.empty()) {
            json::array tools;
            for (const auto& t : request.tools)
                tools.push_back(json::object{{"type", "function"},
                                             {"function", json::object{{"name", t.name}, {"description", t.description},
                                                                       {"parameters", t.input_schema}}}});
            b["tools"] = std::move(tools);
            b["tool_choice"] = "auto";
        }
        return b;
    }

    ChatResponse parse(const http::Response& response) const {
        std::string request_id = response.header("x-request-id");
        if (request_id.empty()) request_id = response.header("request-id");
        const std::string api = "OpenAI-compatible API (" + config_.base_url + ")";
        ChatResponse out;
        try {
            out = openai::parse_answer(response.body);
        } catch (const http::ErrorAnswer&) {
            // Some servers report failures with HTTP 200.
            const http::ErrorInfo info = http::parse_error(response);
            throw ServiceError(api + ": " + info.message, response.status, info.type, request_id);
        } catch (const http::MalformedAnswer& e) {
            throw http::malformed_answer(api, response, e.what(), request_id);
        }
        if (!request_id.empty()) out.request_id = request_id;
        out.usage.usd = http::cost_usd(out.usage, config_.prices);
        return out;
    }

    http::ProviderConfig config_;
    std::string max_tokens_field_;
    http::Client client_;
    mutable std::mutex window_mutex_;
    mutable bool window_asked_ = false;
    mutable long long reported_window_ = 0;
};

std::unique_ptr<LlmProvider> make_openai(const PluginContext& context) {
    std::string field = "max_tokens";
    if (const auto* v = context.options.if_contains("max_tokens_field"); v && v->is_string()) field = std::string(v->get_string());
    std::string field_problem;
    if (field != "max_tokens" && field != "max_completion_tokens")
        field_problem = "config.json: llms." + context.instance + ".options.max_tokens_field: \"" + field +
                        "\" is not allowed; use \"max_tokens\" or \"max_completion_tokens\"";
    http::ProviderConfig config;
    try {
        config = http::read_provider_config(context.options, context.instance, {"https://api.openai.com/v1", "OPENAI_API_KEY", true});
    } catch (const ConfigError& e) {
        if (field_problem.empty()) throw;
        throw ConfigError(field_problem + "\n  " + e.what());  // every problem at once
    }
    if (!field_problem.empty()) throw ConfigError(field_problem);
    return std::make_unique<OpenAiProvider>(std::move(config), std::move(field));
}

}  // namespace
}  // namespace autokaggle

AUTOKAGGLE_PLUGIN(autokaggle::LlmProvider, "openai", "1.0.0",
                  "OpenAI Chat Completions with tools (also Ollama, vLLM, llama.cpp server, OpenRouter via base_url)",
                  "{" AUTOKAGGLE_LLM_COMMON_OPTIONS R"~(, "max_tokens_field": {"type": "string", "default": "max_tokens", "doc": "max_tokens or max_completion_tokens (newer OpenAI models)"}})~",
                  "", autokaggle::make_openai)
