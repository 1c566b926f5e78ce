#include "conversation.hpp"

#include <autokaggle/support/atomic_file.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <random>

namespace autokaggle::llm_agent {

namespace json = boost::json;

void Conversation::add_user_text(const std::string& text) {
    if (!messages.empty() && messages.back().role == Role::assistant && !messages.back().tool_calls.empty()) {
        Message answers;
        for (const auto& call : messages.back().tool_calls)
            answers.tool_results.push_back({call.id, "interrupted: the campaign restarted before this tool finished", true});
        messages.push_back(std::move(answers));
    }
    if (!messages.empty() && messages.back().role == Role::user) {
        auto& last = messages.back().text;
        last += (last.empty() ? "" : "\n\n") + text;
        return;
    }
    Message m;
    m.text = text;
    messages.push_back(std::move(m));
}

std::size_t Conversation::text_bytes() const {
    std::size_t n = 0;
    for (const auto& m : messages) {
        n += m.text.size();
        for (const auto& c : m.tool_calls) n += c.name.size() + json::serialize(c.arguments).size();
        for (const auto& r : m.tool_results) n += r.content.size();
    }
    return n;
}

std::string new_session_id(const std::string& role) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    std::random_device seed;
    return role + "-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count()) + "-" +
           std::to_string(seed() % 100000);
}

namespace {

json::object to_json(const Message& m) {
    json::object o{{"role", m.role == Role::user ? "user" : "assistant"}, {"text", m.text}};
    if (!m.tool_calls.empty()) {
        json::array calls;
        for (const auto& c : m.tool_calls) calls.push_back(json::object{{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
        o["tool_calls"] = std::move(calls);
    }
    if (!m.tool_results.empty()) {
        json::array results;
        for (const auto& r : m.tool_results)
            results.push_back(json::object{{"call_id", r.call_id}, {"content", r.content}, {"is_error", r.is_error}});
        o["tool_results"] = std::move(results);
    }
    return o;
}

std::string str(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Message from_json(const json::object& o) {
    Message m;
    m.role = str(o, "role") == "assistant" ? Role::assistant : Role::user;
    m.text = str(o, "text");
    if (const auto* calls = o.if_contains("tool_calls"); calls && calls->is_array())
        for (const auto& c : calls->get_array()) {
            const auto& co = c.as_object();
            ToolCall call{str(co, "id"), str(co, "name"), {}};
            if (const auto* a = co.if_contains("arguments")) call.arguments = *a;
            m.tool_calls.push_back(std::move(call));
        }
    if (const auto* results = o.if_contains("tool_results"); results && results->is_array())
        for (const auto& r : results->get_array()) {
            const auto& ro = r.as_object();
            const auto* err = ro.if_contains("is_error");
            m.tool_results.push_back({str(ro, "call_id"), str(ro, "content"), err && err->is_bool() && err->get_bool()});
        }
    return m;
}

}  // namespace

std::optional<Conversation> load_conversation(const std::filesystem::path& file) {
    const auto text = read_file_if_exists(file);
    if (!text) return std::nullopt;
    try {
        const json::object o = json::parse(*text).as_object();
        Conversation c;
        c.session_id = str(o, "session_id");
        for (const auto& m : o.at("messages").as_array()) c.messages.push_back(from_json(m.as_object()));
        if (const auto* starts = o.if_contains("phase_starts"))
            for (const auto& s : starts->as_array()) c.phase_starts.push_back(static_cast<std::size_t>(s.to_number<std::int64_t>()));
        if (const auto* t = o.if_contains("last_input_tokens")) c.last_input_tokens = t->to_number<std::int64_t>();
        if (const auto* p = o.if_contains("phases")) c.phases = static_cast<int>(p->to_number<std::int64_t>());
        return c;
    } catch (const std::exception& e) {
        throw Error(file.string() + ": not a valid conversation file (" + e.what() +
                    "); delete it to start the agent with a fresh conversation");
    }
}

void save_conversation(const std::filesystem::path& file, const Conversation& c) {
    json::array messages;
    for (const auto& m : c.messages) messages.push_back(to_json(m));
    json::array starts;
    for (auto s : c.phase_starts) starts.push_back(static_cast<std::int64_t>(s));
    const json::object o{{"version", 1},
                         {"session_id", c.session_id},
                         {"phases", c.phases},
                         {"last_input_tokens", c.last_input_tokens},
                         {"phase_starts", std::move(starts)},
                         {"messages", std::move(messages)}};
    atomic_write(file, json::serialize(o) + "\n");
}

}  // namespace autokaggle::llm_agent
