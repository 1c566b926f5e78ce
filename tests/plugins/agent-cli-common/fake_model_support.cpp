#include "fake_model_support.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace autokaggle::test {

namespace json = boost::json;

namespace {

const char* const kMessagesPath = "/v1/messages";
const char* const kResponsesPath = "/v1/responses";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return s;
}

/// The rest of the prompt's line that starts with `label`, or "".
std::string line_after(const std::string& prompt, const std::string& label) {
    auto pos = prompt.find(label);
    if (pos == std::string::npos) return {};
    pos += label.size();
    return prompt.substr(pos, prompt.find('\n', pos) - pos);
}

std::string last_non_empty_line(const std::string& text) {
    std::string last;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
        start = end + 1;
    }
    return last;
}

/// The placeholders of the module comment, from the prompt and the latest tool result.
class Placeholders {
public:
    Placeholders(const std::string& prompt, const std::string& tool_output) {
        std::string round_line = line_after(prompt, "Round ");  // "3, phase code."
        values_ = {{"{output}", line_after(prompt, "Write the phase's output to: ")},
                   {"{round}", round_line.substr(0, round_line.find(','))},
                   {"{phase}", replace_all(line_after(round_line, ", phase "), ".", "")},
                   {"{tool_output_last_line}", last_non_empty_line(tool_output)},
                   {"{tool_output}", tool_output}};
    }
    std::string fill(std::string s) const {
        for (const auto& [name, value] : values_) s = replace_all(s, name, value);
        return s;
    }
    json::value fill(const json::value& v) const {
        if (v.is_string()) return json::value(fill(std::string(v.as_string())));
        if (v.is_array()) {
            json::array out;
            for (const auto& item : v.as_array()) out.push_back(fill(item));
            return out;
        }
        if (v.is_object()) {
            json::object out;
            for (const auto& [key, item] : v.as_object()) out[key] = fill(item);
            return out;
        }
        return v;
    }

private:
    std::vector<std::pair<std::string, std::string>> values_;
};

/// The text of a content value: a string, or the text of its blocks ("text", "input_text").
std::string text_of(const json::value& content) {
    if (content.is_string()) return std::string(content.as_string());
    std::string out;
    if (!content.is_array()) return out;
    for (const auto& block : content.as_array()) {
        if (!block.is_object()) continue;
        const auto* text = block.as_object().if_contains("text");
        if (text && text->is_string()) out += (out.empty() ? "" : "\n") + std::string(text->as_string());
    }
    return out;
}

bool has_block(const json::value& content, std::string_view type) {
    if (!content.is_array()) return false;
    return std::any_of(content.as_array().begin(), content.as_array().end(), [&](const json::value& b) {
        const auto* t = b.is_object() ? b.as_object().if_contains("type") : nullptr;
        return t && t->is_string() && t->as_string() == type;
    });
}

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

SseEvent event(std::string type, json::object data) {
    data["type"] = type;
    return {type, json::serialize(data), {}};
}

json::object usage_in(long long input, long long output) {
    return {{"input_tokens", input}, {"output_tokens", output}, {"cache_creation_input_tokens", 0}, {"cache_read_input_tokens", 0}};
}

}  // namespace

FakeModelServer::FakeModelServer() {
    server_.route("POST", kMessagesPath, [this](const RecordedRequest& r) { return anthropic(r); });
    server_.route("POST", kResponsesPath, [this](const RecordedRequest& r) { return responses(r); });
    server_.fallback([](const RecordedRequest& r) {
        return FakeResponse::json(r.method == "CONNECT" ? 403 : 404,
                                  R"({"error":{"type":"not_found_error","message":"the fake model serves only )" +
                                      std::string(kMessagesPath) + " and " + kResponsesPath + R"("}})");
    });
}

void FakeModelServer::script(std::string when, std::vector<ModelTurn> turns, int cut_streams) {
    std::lock_guard lock(mutex_);
    scripts_.push_back({std::move(when), std::move(turns), cut_streams});
}

std::string FakeModelServer::base_url() const { return server_.base_url(); }

std::vector<RecordedRequest> FakeModelServer::model_requests() const {
    std::vector<RecordedRequest> out;
    for (auto& r : server_.requests())
        if (r.method == "POST" && (r.path() == kMessagesPath || r.path() == kResponsesPath)) out.push_back(std::move(r));
    return out;
}

std::vector<std::string> FakeModelServer::stray_requests() const {
    std::vector<std::string> out;
    for (const auto& r : server_.requests())
        if (!(r.method == "POST" && (r.path() == kMessagesPath || r.path() == kResponsesPath)))
            out.push_back(r.method + " " + r.target);
    return out;
}

std::vector<std::string> FakeModelServer::prompts() const {
    std::vector<std::string> out;
    for (const auto& r : model_requests()) {
        json::object body = json::parse(r.body).as_object();
        std::string prompt;
        if (r.path() == kMessagesPath) {
            for (const auto& m : body.at("messages").as_array())
                if (str(m.as_object(), "role") == "user" && !has_block(m.at("content"), "tool_result"))
                    prompt = text_of(m.at("content"));
        } else {
            for (const auto& item : body.at("input").as_array())
                if (str(item.as_object(), "type") == "message" && str(item.as_object(), "role") == "user")
                    prompt = text_of(item.at("content"));
        }
        out.push_back(prompt);
    }
    return out;
}

ModelTurn FakeModelServer::answer(const std::string& prompt, std::size_t turn, const std::string& tool_output, bool& cut) {
    std::lock_guard lock(mutex_);
    ModelTurn chosen{"(the fake model has no script for this prompt)", {}, {}};
    for (auto it = scripts_.rbegin(); it != scripts_.rend(); ++it) {
        if (prompt.find(it->when) == std::string::npos || it->turns.empty()) continue;
        chosen = it->turns[std::min(turn, it->turns.size() - 1)];
        cut = it->cut_streams > 0;
        if (cut) --it->cut_streams;
        break;
    }
    const Placeholders placeholders(prompt, tool_output);
    chosen.text = placeholders.fill(chosen.text);
    for (auto& call : chosen.calls) {
        call.input = placeholders.fill(json::value(call.input)).as_object();
        call.freeform = placeholders.fill(call.freeform);
    }
    return chosen;
}

// Anthropic Messages: message_start, one content block per text/tool call (text_delta,
// input_json_delta), message_delta with the stop reason, message_stop.
FakeResponse FakeModelServer::anthropic(const RecordedRequest& request) {
    json::object body = json::parse(request.body).as_object();
    const json::array& messages = body.at("messages").as_array();
    std::size_t prompt_at = 0;
    for (std::size_t i = 0; i < messages.size(); ++i)
        if (str(messages[i].as_object(), "role") == "user" && !has_block(messages[i].at("content"), "tool_result")) prompt_at = i;
    std::size_t turn = 0;
    std::string tool_output;
    for (std::size_t i = prompt_at + 1; i < messages.size(); ++i) {
        const auto& m = messages[i].as_object();
        if (str(m, "role") == "assistant") ++turn;
        if (str(m, "role") == "user" && m.at("content").is_array())
            for (const auto& block : m.at("content").as_array())
                if (str(block.as_object(), "type") == "tool_result") tool_output = text_of(block.at("content"));
    }
    bool cut = false;
    ModelTurn reply = answer(prompt_at < messages.size() ? text_of(messages[prompt_at].at("content")) : "", turn, tool_output, cut);

    std::lock_guard lock(mutex_);
    json::array content;
    if (!reply.text.empty()) content.push_back(json::object{{"type", "text"}, {"text", reply.text}});
    for (const auto& call : reply.calls)
        content.push_back(json::object{{"type", "tool_use"}, {"id", "toolu_fake_" + std::to_string(++next_id_)},
                                       {"name", call.name}, {"input", call.input}});
    const std::string stop = reply.calls.empty() ? "end_turn" : "tool_use";
    const std::string id = "msg_fake_" + std::to_string(++next_id_);
    const std::string model = str(body, "model");
    const auto* stream = body.if_contains("stream");
    if (!stream || !stream->is_bool() || !stream->as_bool()) {
        FakeResponse r = FakeResponse::json(200, json::serialize(json::object{
            {"id", id}, {"type", "message"}, {"role", "assistant"}, {"model", model}, {"content", content},
            {"stop_reason", stop}, {"stop_sequence", nullptr}, {"usage", usage_in(100, 20)}}));
        r.delay = reply.delay;
        return r;
    }
    std::vector<SseEvent> events;
    events.push_back(event("message_start", {{"message", {{"id", id}, {"type", "message"}, {"role", "assistant"},
                                                          {"model", model}, {"content", json::array{}},
                                                          {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                                                          {"usage", usage_in(100, 1)}}}}));
    events.front().delay = reply.delay;
    for (std::size_t i = 0; i < content.size(); ++i) {
        json::object block = content[i].as_object();
        json::object delta;
        if (str(block, "type") == "text") {
            delta = {{"type", "text_delta"}, {"text", block.at("text")}};
            block["text"] = "";
        } else {
            delta = {{"type", "input_json_delta"}, {"partial_json", json::serialize(block.at("input"))}};
            block["input"] = json::object{};
        }
        events.push_back(event("content_block_start", {{"index", i}, {"content_block", block}}));
        events.push_back(event("content_block_delta", {{"index", i}, {"delta", delta}}));
        events.push_back(event("content_block_stop", {{"index", i}}));
    }
    events.push_back(event("message_delta", {{"delta", {{"stop_reason", stop}, {"stop_sequence", nullptr}}},
                                             {"usage", {{"output_tokens", 20}}}}));
    events.push_back(event("message_stop", {}));
    if (cut) events.resize(events.size() - 2);
    return FakeResponse::sse(std::move(events));
}

// OpenAI Responses: response.created, one response.output_item.done per message or call,
// response.completed with the usage.
FakeResponse FakeModelServer::responses(const RecordedRequest& request) {
    json::object body = json::parse(request.body).as_object();
    const json::array& input = body.at("input").as_array();
    std::size_t prompt_at = 0;
    for (std::size_t i = 0; i < input.size(); ++i)
        if (str(input[i].as_object(), "type") == "message" && str(input[i].as_object(), "role") == "user") prompt_at = i;
    // One model turn per run of tool outputs after the prompt.
    std::size_t turn = 0;
    bool in_outputs = false;
    std::string tool_output;
    for (std::size_t i = prompt_at + 1; i < input.size(); ++i) {
        const std::string type = str(input[i].as_object(), "type");
        const bool is_output = type.size() > 7 && type.compare(type.size() - 7, 7, "_output") == 0;
        if (is_output && !in_outputs) ++turn;
        if (is_output) {
            const auto& output = input[i].at("output");
            tool_output = output.is_string() ? std::string(output.as_string()) : text_of(output);
        }
        in_outputs = is_output;
    }
    bool cut = false;
    ModelTurn reply = answer(prompt_at < input.size() ? text_of(input[prompt_at].at("content")) : "", turn, tool_output, cut);

    std::lock_guard lock(mutex_);
    const std::string id = "resp_fake_" + std::to_string(++next_id_);
    std::vector<SseEvent> events;
    events.push_back(event("response.created", {{"response", {{"id", id}, {"status", "in_progress"}}}}));
    events.front().delay = reply.delay;
    std::size_t index = 0;
    auto item_done = [&](json::object item) {
        events.push_back(event("response.output_item.done", {{"output_index", index++}, {"item", std::move(item)}}));
    };
    if (!reply.text.empty())
        item_done({{"type", "message"}, {"id", "msg_fake_" + std::to_string(++next_id_)}, {"role", "assistant"},
                   {"status", "completed"},
                   {"content", json::array{json::object{{"type", "output_text"}, {"text", reply.text}, {"annotations", json::array{}}}}}});
    for (const auto& call : reply.calls) {
        const std::string call_id = "call_fake_" + std::to_string(++next_id_);
        if (!call.freeform.empty())
            item_done({{"type", "custom_tool_call"}, {"id", "ctc_fake_" + std::to_string(++next_id_)}, {"call_id", call_id},
                       {"name", call.name}, {"input", call.freeform}, {"status", "completed"}});
        else {
            json::object item{{"type", "function_call"}, {"id", "fc_fake_" + std::to_string(++next_id_)}, {"call_id", call_id},
                              {"name", call.name}, {"arguments", json::serialize(call.input)}, {"status", "completed"}};
            if (!call.ns.empty()) item["namespace"] = call.ns;
            item_done(std::move(item));
        }
    }
    if (!cut)
        events.push_back(event("response.completed",
                               {{"response", {{"id", id}, {"status", "completed"},
                                              {"usage", {{"input_tokens", 100}, {"input_tokens_details", {{"cached_tokens", 40}}},
                                                         {"output_tokens", 20}, {"output_tokens_details", {{"reasoning_tokens", 0}}},
                                                         {"total_tokens", 120}}}}}}));
    return FakeResponse::sse(std::move(events));
}

}  // namespace autokaggle::test
