#include "openai_answer.hpp"

#include <autokaggle/support/provider_config.hpp>

#include <boost/json.hpp>

#include <algorithm>

namespace autokaggle::openai {

namespace json = boost::json;

namespace {

/// Arguments travel as a JSON string; parse it, but keep the raw text when it is not JSON.
json::value decode_arguments(const json::value* raw) {
    if (!raw || raw->is_null()) return json::string();
    if (!raw->is_string()) return *raw;  // some servers send the object itself
    const std::string text(raw->get_string());
    boost::system::error_code ec;
    json::value parsed = json::parse(text, ec);
    if (ec) return json::string(text);
    return parsed;
}

/// Message content may be a string, null, or (some servers) an array of {type:text,text} parts.
std::string content_text(const json::value* content) {
    if (!content || content->is_null()) return {};
    if (content->is_string()) return std::string(content->get_string());
    std::string out;
    if (content->is_array())
        for (const auto& part : content->get_array())
            if (part.is_object()) out += http::string_field(part.get_object(), "text");
    return out;
}

}  // namespace

ChatResponse parse_answer(std::string_view body) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) throw http::MalformedAnswer(ec ? "not JSON (" + ec.message() + ")" : "not a JSON object");
    const auto& o = v.get_object();
    if (const auto* error = o.if_contains("error"); error && !error->is_null()) throw http::ErrorAnswer("the answer reports an error");
    const auto* choices = o.if_contains("choices");
    if (!choices || !choices->is_array() || choices->get_array().empty() || !choices->get_array()[0].is_object())
        throw http::MalformedAnswer("no \"choices\"");
    const auto& choice = choices->get_array()[0].get_object();
    const auto* message = choice.if_contains("message");
    if (!message || !message->is_object()) throw http::MalformedAnswer("choices[0] has no \"message\"");
    const auto& m = message->get_object();

    ChatResponse out;
    out.message.role = Role::assistant;
    out.message.text = content_text(m.if_contains("content"));
    if (const auto* calls = m.if_contains("tool_calls"); calls && calls->is_array()) {
        int index = 0;
        for (const auto& call_value : calls->get_array()) {
            ++index;
            if (!call_value.is_object()) continue;
            const auto& call = call_value.get_object();
            ToolCall tool;
            tool.id = http::string_field(call, "id");
            if (tool.id.empty()) tool.id = "call_" + std::to_string(index);  // some servers omit it
            if (const auto* fn = call.if_contains("function"); fn && fn->is_object()) {
                tool.name = http::string_field(fn->get_object(), "name");
                tool.arguments = decode_arguments(fn->get_object().if_contains("arguments"));
            }
            out.message.tool_calls.push_back(std::move(tool));
        }
    }
    out.stop_reason = http::string_field(choice, "finish_reason");
    out.model = http::string_field(o, "model");
    out.request_id = http::string_field(o, "id");
    if (const auto* usage = o.if_contains("usage"); usage && usage->is_object()) {
        const auto& u = usage->get_object();
        const long long prompt = http::count_field(u, "prompt_tokens");
        long long cached = 0;
        if (const auto* details = u.if_contains("prompt_tokens_details"); details && details->is_object())
            cached = std::min(prompt, http::count_field(details->get_object(), "cached_tokens"));
        out.usage.input_tokens = prompt;  // cached tokens included, as for every provider
        out.usage.cache_read_input_tokens = cached;
        out.usage.output_tokens = http::count_field(u, "completion_tokens");
    }
    return out;
}

}  // namespace autokaggle::openai
