// `autokaggle llm test` against fake servers. Whole campaigns with the `llm` agent are in
// tests/plugins/agent-llm/campaign_test.cpp.
#define BOOST_TEST_MODULE llm_cli
#include <boost/test/unit_test.hpp>

#include "support/llm_support.hpp"

#include <boost/json.hpp>

#include <regex>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

/// A workspace copied from the shipped demo competition, with every role on the `llm` plugin.
fs::path make_workspace(const fs::path& dir, const std::string& base_url, json::object extra_llms = {}) {
    const fs::path ws = copy_competition_workspace("pima-diabetes", dir / "ws");
    json::object config = json::parse(read_text(ws / "config.json")).as_object();
    config["agents"] = json::object{{"researcher", json::object{{"plugin", "llm"}, {"options", json::object{{"llm", "fake"}}}}},
                                    {"builder", json::object{{"plugin", "llm"}, {"options", json::object{{"llm", "fake"}}}}},
                                    {"reviewer", json::object{{"plugin", "llm"}, {"options", json::object{{"llm", "fake"}}}}}};
    json::object llms{{"fake", json::object{{"plugin", "anthropic"},
                                            {"options", json::object{{"model", "claude-fake"}, {"base_url", base_url},
                                                                     {"max_retries", 1}, {"price_input", 3.0}, {"price_output", 15.0}}}}}};
    for (const auto& [k, v] : extra_llms) llms[k] = v;
    config["llms"] = std::move(llms);
    config["kill_gate"] = json::object{{"enabled", false}};
    config["plugin_dirs"] = json::array{plugin_dir().string()};
    write_text(ws / "config.json", json::serialize(config));
    return ws;
}

std::map<std::string, std::string> env_with_key() { return {{"ANTHROPIC_API_KEY", kFakeKey}}; }

}  // namespace

BOOST_AUTO_TEST_CASE(llm_test_prints_reply_usage_and_latency) {
    TempDir dir;
    FakeServer server;
    ScriptedModel model(server, "/v1/messages");
    model.push(anthropic_text("pong"));
    const fs::path ws = make_workspace(dir.path(), server.base_url());
    const auto r = run_cli({"llm", "test", "--llm", "fake", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST_MESSAGE(r.out << r.err);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.find("reply: pong") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("model: claude-test-1") != std::string::npos);
    BOOST_TEST(std::regex_search(r.out, std::regex(R"(usage: \d+ input, 20 output)")), r.out);
    BOOST_TEST(r.out.find("latency: ") != std::string::npos);
    BOOST_TEST((r.out + r.err).find(kFakeKey) == std::string::npos);
    BOOST_TEST(server.requests().at(0).headers.get("x-api-key").value_or("") == kFakeKey);
}

BOOST_AUTO_TEST_CASE(llm_test_checks_tool_calling) {
    TempDir dir;
    FakeServer server;
    ScriptedModel model(server, "/v1/messages");
    model.push(anthropic_tool("toolu_1", "record_answer", {{"word", "pong"}}));
    model.push(anthropic_text("pong"));  // a model that ignores tools
    const fs::path ws = make_workspace(dir.path(), server.base_url());
    auto r = run_cli({"llm", "test", "--llm", "fake", "--tools", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.find(R"(tool call: record_answer {"word":"pong"})") != std::string::npos, r.out);
    const auto body = json::parse(server.requests().at(0).body).as_object();
    BOOST_TEST(body.at("tools").as_array().at(0).as_object().at("name").as_string() == "record_answer");
    r = run_cli({"llm", "test", "--llm", "fake", "--tools", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("without calling the tool") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(llm_test_by_role_and_failures_say_what_to_check) {
    TempDir dir;
    FakeServer server;
    server.route("POST", "/v1/messages", respond_in_order({FakeResponse::json(
        401, R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})")}));
    server.route("POST", "/v1/chat/completions", respond_in_order({FakeResponse::json(
        404, R"({"error":{"message":"model 'nope' not found","type":"not_found_error"}})")}));
    json::object local{{"plugin", "openai"}, {"options", json::object{{"model", "nope"}, {"base_url", server.base_url() + "/v1"}}}};
    const fs::path ws = make_workspace(dir.path(), server.base_url(), {{"local", local}});

    auto r = run_cli({"llm", "test", "--role", "builder", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("authentication_error") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("ANTHROPIC_API_KEY") != std::string::npos, r.err);
    BOOST_TEST((r.out + r.err).find(kFakeKey) == std::string::npos);

    r = run_cli({"llm", "test", "--llm", "local", "--dir", ws.string()}, {}, {{"OPENAI_API_KEY", ""}});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("model 'nope' not found") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("the model name 'nope'") != std::string::npos, r.err);

    r = run_cli({"llm", "test", "--llm", "fake", "--dir", ws.string()}, {}, {{"ANTHROPIC_API_KEY", ""}});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("ANTHROPIC_API_KEY") != std::string::npos, r.err);

    r = run_cli({"llm", "test", "--llm", "missing", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("llms.missing") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_key_pasted_into_api_key_env_is_refused_and_never_printed) {
    TempDir dir;
    FakeServer server;
    const std::string pasted = "sk-ant-api03-PastedByMistake0123456789abcdef";
    json::object local{{"plugin", "anthropic"},
                       {"options", json::object{{"model", "m"}, {"base_url", server.base_url()}, {"api_key_env", pasted}}}};
    const fs::path ws = make_workspace(dir.path(), server.base_url(), {{"pasted", local}});
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"validate", ws.string()}, {"llm", "test", "--llm", "pasted", "--dir", ws.string()},
          {"run", ws.string(), "--max-rounds", "1"}}) {
        const auto r = run_cli(command, {}, env_with_key());
        BOOST_TEST(r.exit_code == 2, command[0] << ": exit " << r.exit_code << "\n" << r.out << r.err);
        BOOST_TEST((r.out + r.err).find("llms.pasted.options.api_key_env: holds what looks like a key") != std::string::npos,
                   command[0] << ": " << r.out << r.err);
        BOOST_TEST((r.out + r.err).find("PastedByMistake") == std::string::npos, command[0] << ": " << r.out << r.err);
    }
    BOOST_TEST(server.requests().empty());
}
