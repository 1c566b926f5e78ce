#include "anthropic_answer.hpp"

#include <autokaggle/support/provider_config.hpp>

#include <boost/json.hpp>

namespace autokaggle::anthropic {

namespace json = boost::json;

ChatResponse parse_answer(std::string_view body) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) throw http::MalformedAnswer(ec ? "not JSON (" + ec.message() + ")" : "not a JSON object");
    const auto& o = v.get_object();
    const auto* content = o.if_contains("content");
    if (!content || !content->is_array()) throw http::MalformedAnswer("no \"content\" array");
    ChatResponse out;
    out.message.role = Role::assistant;
    for (const auto& block_value : content->get_array()) {
        if (!block_value.is_object()) continue;
        const auto& block = block_value.get_object();
        const std::string type = http::string_field(block, "type");
        if (type == "text") {
            if (!out.message.text.empty()) out.message.text += "\n";
            out.message.text += http::string_field(block, "text");
        } else if (type == "tool_use") {
            ToolCall call{http::string_field(block, "id"), http::string_field(block, "name"), {}};
            if (const auto* input = block.if_contains("input")) call.arguments = *input;
            out.message.tool_calls.push_back(std::move(call));
        }
    }
    out.stop_reason = http::string_field(o, "stop_reason");
    out.model = http::string_field(o, "model");
    out.request_id = http::string_field(o, "id");
    if (const auto* usage = o.if_contains("usage"); usage && usage->is_object()) {
        const auto& u = usage->get_object();
        // Anthropic's input_tokens leaves the cached parts out; ours counts the whole prompt.
        out.usage.cache_creation_input_tokens = http::count_field(u, "cache_creation_input_tokens");
        out.usage.cache_read_input_tokens = http::count_field(u, "cache_read_input_tokens");
        out.usage.input_tokens = http::count_field(u, "input_tokens") + out.usage.cache_creation_input_tokens +
                                 out.usage.cache_read_input_tokens;  // each capped at 2^53: no overflow
        out.usage.output_tokens = http::count_field(u, "output_tokens");
    }
    return out;
}

}  // namespace autokaggle::anthropic
