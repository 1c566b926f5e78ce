// Six rounds of `autokaggle run` with the `llm` agent in every role, once through the Anthropic
// Messages API and once through OpenAI Chat Completions, both fake servers answering as the
// scripted competitor (tests/support/scripted_competitor.hpp) with tool calls. Checked: every
// round's experiment ran through the runner (R{NN}_run.log, the kill gate stopping R04), the EDA
// ran as scratch code without a crash record, R03's 4-decimal answer was accepted, every
// experiment has its family, the answers stayed out of reach, and usage.tsv accounts each round.
#define BOOST_TEST_MODULE llm_campaign
#include <boost/test/unit_test.hpp>

#include "support/campaign_checks.hpp"
#include "support/llm_support.hpp"
#include "support/scripted_competitor.hpp"

#include <boost/json.hpp>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::string content_text(const json::value& content) {
    if (content.is_string()) return std::string(content.as_string());
    std::string out;
    if (content.is_array())
        for (const auto& block : content.as_array()) {
            const auto& o = block.as_object();
            if (o.at("type").as_string() == "text") out += std::string(o.at("text").as_string()) + "\n";
        }
    return out;
}

/// The competitor's view from a request: the latest phase trigger in a user message, and the
/// tool results that came after it (`collect` reads them from one later message).
template <class Collect>
PhaseView view_of(const json::object& request, Collect collect) {
    const auto& messages = request.at("messages").as_array();
    for (std::size_t i = messages.size(); i-- > 0;) {
        const auto& m = messages[i].as_object();
        if (m.at("role").as_string() != "user") continue;
        auto view = parse_phase(content_text(m.at("content")));
        if (!view) continue;
        for (std::size_t j = i + 1; j < messages.size(); ++j) collect(messages[j].as_object(), view->results);
        return *view;
    }
    throw std::runtime_error("no phase trigger in the conversation");  // a 500 for the agent
}

/// Anthropic: tool_result blocks in the user messages.
PhaseView anthropic_view(const json::object& request) {
    return view_of(request, [](const json::object& m, std::vector<std::string>& results) {
        if (m.at("role").as_string() != "user" || !m.at("content").is_array()) return;
        for (const auto& block : m.at("content").as_array())
            if (block.as_object().at("type").as_string() == "tool_result")
                results.emplace_back(block.as_object().at("content").as_string());
    });
}

/// OpenAI: messages of role "tool".
PhaseView openai_view(const json::object& request) {
    return view_of(request, [](const json::object& m, std::vector<std::string>& results) {
        if (m.at("role").as_string() == "tool") results.emplace_back(m.at("content").as_string());
    });
}

/// The fake model's usage: the prompt's bytes / 4, with a part of it read from the cache.
json::object cached_usage(const json::object& request, bool anthropic) {
    const auto bytes = static_cast<std::int64_t>(json::serialize(request).size()) / 4;
    const std::int64_t cached = bytes / 2;
    if (anthropic)
        return {{"input_tokens", bytes - cached}, {"output_tokens", 30}, {"cache_creation_input_tokens", 0},
                {"cache_read_input_tokens", cached}};
    return {{"prompt_tokens", bytes}, {"completion_tokens", 30}, {"prompt_tokens_details", json::object{{"cached_tokens", cached}}}};
}

std::string anthropic_reply(const json::object& request) {
    static std::atomic<int> ids{0};
    const Move move = next_move(anthropic_view(request));
    json::array content{json::object{{"type", "text"}, {"text", move.tool.empty() ? move.text : "Working on it."}}};
    if (!move.tool.empty())
        content.push_back(json::object{{"type", "tool_use"}, {"id", "toolu_" + std::to_string(++ids)}, {"name", move.tool},
                                       {"input", move.arguments}});
    return json::serialize(json::object{{"id", "msg"}, {"type", "message"}, {"role", "assistant"}, {"model", "claude-fake"},
                                        {"content", std::move(content)}, {"stop_reason", move.tool.empty() ? "end_turn" : "tool_use"},
                                        {"usage", cached_usage(request, true)}});
}

std::string openai_reply(const json::object& request) {
    static std::atomic<int> ids{0};
    const Move move = next_move(openai_view(request));
    json::object message{{"role", "assistant"}};
    if (move.tool.empty()) {
        message["content"] = move.text;
    } else {
        message["content"] = nullptr;
        message["tool_calls"] = json::array{json::object{
            {"id", "call_" + std::to_string(++ids)}, {"type", "function"},
            {"function", json::object{{"name", move.tool}, {"arguments", json::serialize(move.arguments)}}}}};
    }
    return json::serialize(json::object{
        {"id", "chatcmpl"}, {"model", "qwen-fake"},
        {"choices", json::array{json::object{{"index", 0}, {"message", std::move(message)},
                                             {"finish_reason", move.tool.empty() ? "stop" : "tool_calls"}}}},
        {"usage", cached_usage(request, false)}});
}

/// A pima workspace named "ws" with every role on the `llm` agent and `llm` configured.
fs::path make_workspace(const fs::path& dir, const json::object& llm) {
    const fs::path ws = copy_competition_workspace("pima-diabetes", dir / "ws");
    json::object config = json::parse(read_text(ws / "config.json")).as_object();
    const json::object agent{{"plugin", "llm"}, {"options", json::object{{"llm", "fake"}, {"max_tool_steps", 12}}}};
    config["agents"] = json::object{{"researcher", agent}, {"builder", agent}, {"reviewer", agent}};
    config["llms"] = json::object{{"fake", llm}};
    config["plugin_dirs"] = json::array{plugin_dir().string()};
    config["python"] = python().string();
    config["budget"] = json::object{{"max_rounds", 6}};
    write_text(ws / "config.json", json::serialize(config));
    return ws;
}

void run_six_rounds(const fs::path& ws, const std::map<std::string, std::string>& env) {
    const auto r = run_cli({"run", ws.string(), "--max-rounds", "6"}, {}, env, std::chrono::seconds(1500));
    BOOST_TEST_MESSAGE("autokaggle run: exit " << r.exit_code << "\n" << r.err.substr(r.err.size() > 4000 ? r.err.size() - 4000 : 0));
    BOOST_REQUIRE_EQUAL(r.exit_code, 0);
    BOOST_TEST((r.out + r.err).find(kFakeKey) == std::string::npos);
    check_campaign(ws);
    const auto leaks = files_containing(ws, kFakeKey);
    BOOST_TEST(leaks.empty(), "the key leaked into " << (leaks.empty() ? "" : leaks.front().string()));
    // Accounting: usage.tsv holds each round; input counts the cached part too.
    const auto usage = read_tsv(ws / "usage.tsv");
    BOOST_REQUIRE(usage.size() >= 8u);  // rounds 0-6 and the total
    for (const auto& row : usage) {
        BOOST_TEST(std::stoll(row.at("input_tokens")) >= std::stoll(row.at("cache_read_tokens")));
        BOOST_TEST(std::stoll(row.at("cache_read_tokens")) > 0, row.at("round"));
    }
    BOOST_TEST(usage.back().at("round") == "total");
}

}  // namespace

BOOST_AUTO_TEST_CASE(six_rounds_through_the_anthropic_messages_api) {
    TempDir dir("autokaggle-llm-anthropic");
    FakeServer server;
    server.route("POST", "/v1/messages", [](const RecordedRequest& r) {
        return FakeResponse::json(200, anthropic_reply(json::parse(r.body).as_object()));
    });
    const fs::path ws = make_workspace(dir.path(), {{"plugin", "anthropic"},
                                                    {"options", json::object{{"model", "claude-fake"}, {"base_url", server.base_url()},
                                                                             {"max_retries", 1}, {"price_input", 3.0},
                                                                             {"price_output", 15.0}, {"price_cache_read", 0.3}}}});
    run_six_rounds(ws, {{"ANTHROPIC_API_KEY", kFakeKey}});
}

BOOST_AUTO_TEST_CASE(six_rounds_through_openai_chat_completions) {
    TempDir dir("autokaggle-llm-openai");
    FakeServer server;
    server.route("POST", "/v1/chat/completions", [](const RecordedRequest& r) {
        return FakeResponse::json(200, openai_reply(json::parse(r.body).as_object()));
    });
    const fs::path ws = make_workspace(dir.path(), {{"plugin", "openai"},
                                                    {"options", json::object{{"model", "qwen-fake"}, {"base_url", server.base_url() + "/v1"},
                                                                             {"max_retries", 1}, {"price_input", 1.0},
                                                                             {"price_output", 2.0}, {"price_cache_read", 0.1}}}});
    run_six_rounds(ws, {{"OPENAI_API_KEY", kFakeKey}});
}
