// The anthropic and openai provider plugins against a fake server speaking their wire formats:
// tool-call round trips, usage and cost, errors, retries, timeouts, keys.
#define BOOST_TEST_MODULE llm_providers
#include <boost/test/unit_test.hpp>

#include "support/llm_support.hpp"

#include <autokaggle/sdk/errors.hpp>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;

namespace {

json::object tool_schema() {
    return {{"type", "object"}, {"properties", json::object{{"path", json::object{{"type", "string"}}}}}, {"required", json::array{"path"}}};
}

ChatRequest conversation_with_tool_answer(const ChatResponse& first) {
    ChatRequest request;
    request.system = "You are the Builder.";
    request.tools = {{"read_file", "Read a file", tool_schema()}};
    Message user;
    user.text = "Round 1 - phase: plan";
    request.messages.push_back(user);
    request.messages.push_back(first.message);
    Message answer;
    for (const auto& call : first.message.tool_calls) answer.tool_results.push_back({call.id, "file text", true});
    request.messages.push_back(answer);
    return request;
}

json::object body_of(const RecordedRequest& r) { return json::parse(r.body).as_object(); }

struct Fixture {
    TempDir dir;
    TestHost host{dir.path()};
    FakeServer server;
    ScopedEnv anthropic{"ANTHROPIC_API_KEY", kFakeKey};
    ScopedEnv openai{"OPENAI_API_KEY", kFakeKey};

    json::object options(json::object extra = {}) {
        json::object o{{"model", "test-model"}, {"base_url", server.base_url() + "/"}};
        for (const auto& [k, v] : extra) o[k] = v;
        return o;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(anthropic, Fixture)

BOOST_AUTO_TEST_CASE(tool_call_round_trip) {
    ScriptedModel model(server, "/v1/messages");
    model.push(anthropic_tool("toolu_01", "read_file", {{"path", "rounds/R00_eda.md"}}));
    model.push(anthropic_text("I read it.\nDONE"));
    auto provider = host.make_provider("anthropic", options({{"price_input", 3.0}, {"price_output", 15.0},
                                                             {"price_cache_write", 3.75}, {"price_cache_read", 0.3}}));
    ChatRequest first;
    first.system = "You are the Builder.";
    first.tools = {{"read_file", "Read a file", tool_schema()}};
    Message user;
    user.text = "Round 1 - phase: plan";
    first.messages.push_back(user);
    const ChatResponse r1 = provider->chat(first);
    BOOST_REQUIRE_EQUAL(r1.message.tool_calls.size(), 1u);
    BOOST_TEST(r1.message.tool_calls[0].id == "toolu_01");
    BOOST_TEST(r1.message.tool_calls[0].name == "read_file");
    BOOST_TEST(json::serialize(r1.message.tool_calls[0].arguments) == R"({"path":"rounds/R00_eda.md"})");
    BOOST_TEST(r1.message.text == "Let me use a tool.");
    BOOST_TEST(r1.stop_reason == "tool_use");
    BOOST_TEST(r1.model == "claude-test-1");
    BOOST_TEST(r1.request_id == "req_fake");
    BOOST_TEST(r1.usage.output_tokens == 20);
    BOOST_TEST(r1.usage.cache_creation_input_tokens == 10);
    BOOST_TEST(r1.usage.cache_read_input_tokens == 5);
    // Input tokens count the whole prompt: the uncached part the API reports plus the cache parts.
    const auto reported = static_cast<long long>(json::serialize(body_of(server.requests().at(0))).size() / 4);
    BOOST_TEST(r1.usage.input_tokens == reported + 10 + 5);
    const double expected = ((r1.usage.input_tokens - 15) * 3.0 + 20 * 15.0 + 10 * 3.75 + 5 * 0.3) / 1e6;
    BOOST_TEST(r1.usage.usd == expected, boost::test_tools::tolerance(1e-12));

    const ChatResponse r2 = provider->chat(conversation_with_tool_answer(r1));
    BOOST_TEST(r2.message.text == "I read it.\nDONE");
    BOOST_TEST(r2.message.tool_calls.empty());

    const auto requests = server.requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 2u);
    BOOST_TEST(requests[0].headers.get("x-api-key").value_or("") == kFakeKey);
    BOOST_TEST(requests[0].headers.get("anthropic-version").value_or("") == "2023-06-01");
    BOOST_TEST(requests[0].path() == "/v1/messages");
    const auto b1 = body_of(requests[0]);
    BOOST_TEST(b1.at("model").as_string() == "test-model");
    BOOST_TEST(b1.at("max_tokens").as_int64() == 4096);
    const auto& system = b1.at("system").as_array().at(0).as_object();
    BOOST_TEST(system.at("text").as_string() == "You are the Builder.");
    BOOST_TEST(system.at("cache_control").as_object().at("type").as_string() == "ephemeral");
    BOOST_TEST(b1.at("tools").as_array().at(0).as_object().at("input_schema").as_object().at("type").as_string() == "object");
    const auto b2 = body_of(requests[1]);
    const auto& messages = b2.at("messages").as_array();
    BOOST_REQUIRE_EQUAL(messages.size(), 3u);
    const auto& tool_use = messages[1].as_object().at("content").as_array().at(1).as_object();
    BOOST_TEST(tool_use.at("type").as_string() == "tool_use");
    BOOST_TEST(tool_use.at("id").as_string() == "toolu_01");
    const auto& result = messages[2].as_object().at("content").as_array().at(0).as_object();
    BOOST_TEST(result.at("type").as_string() == "tool_result");
    BOOST_TEST(result.at("tool_use_id").as_string() == "toolu_01");
    BOOST_TEST(result.at("is_error").as_bool() == true);
    BOOST_TEST(result.contains("cache_control"));  // the conversation so far is cached too
}

BOOST_AUTO_TEST_CASE(rate_limit_and_overload_are_retried) {
    FakeResponse limited = FakeResponse::json(429, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow"}})");
    limited.headers.set("retry-after", "0");
    FakeResponse overloaded = FakeResponse::json(529, R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})");
    overloaded.headers.set("retry-after-ms", "20");
    FakeResponse server_error = FakeResponse::json(500, R"({"type":"error","error":{"type":"api_error","message":"oops"}})");
    server_error.headers.set("retry-after-ms", "20");
    FakeResponse ok = FakeResponse::json(200, anthropic_text("pong")(json::object{}));
    server.route("POST", "/v1/messages", respond_in_order({limited, overloaded, server_error, FakeResponse::dropped(), ok}));
    auto provider = host.make_provider("anthropic", options({{"max_retries", 5}}));
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    BOOST_TEST(provider->chat(request).message.text == "pong");
    BOOST_TEST(server.request_count() == 5u);
}

BOOST_AUTO_TEST_CASE(persistent_server_error_names_status_type_and_request_id) {
    FakeResponse failing = FakeResponse::json(500, R"({"type":"error","error":{"type":"api_error","message":"Internal server error"}})");
    failing.headers.set("retry-after-ms", "10");
    failing.headers.set("request-id", "req_abc123");
    server.route("POST", "/v1/messages", respond_in_order({failing}));
    auto provider = host.make_provider("anthropic", options({{"max_retries", 2}}));
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    {
        const ServiceError e = service_error_from([&] { provider->chat(request); });
        BOOST_TEST(e.status() == 500);
        BOOST_TEST(e.type() == "api_error");
        BOOST_TEST(e.request_id() == "req_abc123");
        BOOST_TEST(std::string(e.what()).find("Internal server error") != std::string::npos);
    }
    BOOST_TEST(server.request_count() == 3u);
}

BOOST_AUTO_TEST_CASE(authentication_error_is_not_retried) {
    server.route("POST", "/v1/messages", respond_in_order({FakeResponse::json(
        401, R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})")}));
    auto provider = host.make_provider("anthropic", options());
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    {
        const ServiceError e = service_error_from([&] { provider->chat(request); });
        BOOST_TEST(e.status() == 401);
        BOOST_TEST(e.type() == "authentication_error");
        BOOST_TEST(std::string(e.what()).find(kFakeKey) == std::string::npos);
    }
    BOOST_TEST(server.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(malformed_body_is_a_clear_error) {
    server.route("POST", "/v1/messages", respond_in_order({FakeResponse::json(200, R"({"id":"msg","content":)")}));
    auto provider = host.make_provider("anthropic", options());
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    {
        const ServiceError e = service_error_from([&] { provider->chat(request); });
        BOOST_TEST(e.type() == "malformed_response");
        BOOST_TEST(std::string(e.what()).find("not JSON") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(slow_answer_past_the_timeout) {
    FakeResponse slow = FakeResponse::json(200, anthropic_text("late")(json::object{}));
    slow.delay = std::chrono::milliseconds(1500);
    server.route("POST", "/v1/messages", respond_in_order({slow}));
    auto provider = host.make_provider("anthropic", options({{"timeout_s", 0.3}, {"max_retries", 0}}));
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    {
        const ServiceError e = service_error_from([&] { provider->chat(request); });
        BOOST_TEST(e.status() == 0);
        BOOST_TEST(e.type() == "timeout");
        BOOST_TEST(std::string(e.what()).find("timed out") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(https_server_with_a_private_ca) {
    const TlsFiles tls = make_self_signed_certificate(dir / "tls");
    FakeServer secure(tls);
    ScriptedModel model(secure, "/v1/messages");
    model.push(anthropic_text("pong over TLS"));
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    auto untrusted = host.make_provider("anthropic", {{"model", "m"}, {"base_url", secure.base_url()}});
    try {
        untrusted->chat(request);
        BOOST_FAIL("an untrusted certificate was accepted");
    } catch (const ServiceError& e) {
        BOOST_TEST(e.status() == 0);
        BOOST_TEST(std::string(e.what()).find("certificate") != std::string::npos, e.what());
    }
    BOOST_TEST(model.calls() == 0u);
    auto trusted = host.make_provider("anthropic", {{"model", "m"}, {"base_url", secure.base_url()},
                                                    {"ca_file", tls.certificate.string()}});
    BOOST_TEST(trusted->chat(request).message.text == "pong over TLS");
}

BOOST_AUTO_TEST_CASE(missing_key_names_the_variable) {
    ScopedEnv unset{"MY_CLAUDE_KEY", nullptr};
    try {
        host.make_provider("anthropic", options({{"api_key_env", "MY_CLAUDE_KEY"}}), "strong");
        BOOST_FAIL("expected ConfigError");
    } catch (const Error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("MY_CLAUDE_KEY") != std::string::npos, what);
        BOOST_TEST(what.find("llms.strong") != std::string::npos, what);
    }
    ScopedEnv unset_default{"ANTHROPIC_API_KEY", nullptr};
    BOOST_CHECK_EXCEPTION(host.make_provider("anthropic", options()), Error, [](const Error& e) {
        return std::string(e.what()).find("ANTHROPIC_API_KEY") != std::string::npos;
    });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(openai, Fixture)

BOOST_AUTO_TEST_CASE(tool_call_round_trip) {
    ScriptedModel model(server, "/v1/chat/completions");
    model.push(openai_tool("call_9", "read_file", R"({"path":"LEARNINGS.md"})"));
    model.push(openai_text("DONE"));
    json::object o{{"model", "qwen-test"}, {"base_url", server.base_url() + "/v1"}, {"price_input", 1.0}, {"price_output", 2.0}};
    auto provider = host.make_provider("openai", o);
    ChatRequest first;
    first.system = "You are the Researcher.";
    first.tools = {{"read_file", "Read a file", tool_schema()}};
    first.messages.push_back({Role::user, "Round 2 - phase: research", {}, {}});
    const ChatResponse r1 = provider->chat(first);
    BOOST_REQUIRE_EQUAL(r1.message.tool_calls.size(), 1u);
    BOOST_TEST(r1.message.tool_calls[0].id == "call_9");
    BOOST_TEST(r1.message.tool_calls[0].arguments.as_object().at("path").as_string() == "LEARNINGS.md");
    BOOST_TEST(r1.stop_reason == "tool_calls");
    BOOST_TEST(r1.usage.output_tokens == 20);
    BOOST_TEST(r1.usage.usd == (r1.usage.input_tokens * 1.0 + 20 * 2.0) / 1e6, boost::test_tools::tolerance(1e-12));
    const ChatResponse r2 = provider->chat(conversation_with_tool_answer(r1));
    BOOST_TEST(r2.message.text == "DONE");

    const auto requests = server.requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 2u);
    BOOST_TEST(requests[0].headers.get("Authorization").value_or("") == std::string("Bearer ") + kFakeKey);
    const auto b1 = body_of(requests[0]);
    BOOST_TEST(b1.at("messages").as_array().at(0).as_object().at("role").as_string() == "system");
    BOOST_TEST(b1.at("tool_choice").as_string() == "auto");
    BOOST_TEST(b1.at("tools").as_array().at(0).as_object().at("function").as_object().at("name").as_string() == "read_file");
    BOOST_TEST(b1.at("max_tokens").as_int64() == 4096);
    const auto second = body_of(requests[1]);
    const auto& messages = second.at("messages").as_array();
    BOOST_REQUIRE_EQUAL(messages.size(), 4u);  // system, user, assistant with tool_calls, tool
    const auto& assistant = messages[2].as_object();
    BOOST_TEST(assistant.at("tool_calls").as_array().at(0).as_object().at("function").as_object().at("arguments").as_string() ==
               R"({"path":"LEARNINGS.md"})");
    const auto& tool = messages[3].as_object();
    BOOST_TEST(tool.at("role").as_string() == "tool");
    BOOST_TEST(tool.at("tool_call_id").as_string() == "call_9");
}

BOOST_AUTO_TEST_CASE(tolerates_empty_and_non_object_arguments) {
    ScriptedModel model(server, "/v1/chat/completions");
    model.push(openai_tool("", "list_files", ""));
    model.push(openai_tool("call_2", "read_file", "path=LEARNINGS.md"));
    model.push(openai_tool("call_3", "read_file", "[1,2]"));
    auto provider = host.make_provider("openai", {{"model", "m"}, {"base_url", server.base_url() + "/v1"}});
    ChatRequest request;
    request.messages.push_back({Role::user, "go", {}, {}});
    const auto empty = provider->chat(request).message.tool_calls.at(0);
    BOOST_TEST(empty.id == "call_1");
    BOOST_TEST(empty.arguments.is_string());
    BOOST_TEST(empty.arguments.as_string() == "");
    const auto text = provider->chat(request).message.tool_calls.at(0);
    BOOST_TEST(text.arguments.as_string() == "path=LEARNINGS.md");
    const auto array = provider->chat(request).message.tool_calls.at(0);
    BOOST_TEST(array.arguments.is_array());
}

BOOST_AUTO_TEST_CASE(both_error_shapes) {
    server.route("POST", "/v1/chat/completions", respond_in_order({
        FakeResponse::json(404, R"({"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}})"),
        FakeResponse::json(400, R"({"object":"error","message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400})"),
    }));
    auto provider = host.make_provider("openai", {{"model", "gpt-9"}, {"base_url", server.base_url() + "/v1"}});
    ChatRequest request;
    request.messages.push_back({Role::user, "go", {}, {}});
    {
        const ServiceError e = service_error_from([&] { provider->chat(request); });
        BOOST_TEST(e.status() == 404);
        BOOST_TEST(e.type() == "invalid_request_error");
        BOOST_TEST(std::string(e.what()).find("does not exist") != std::string::npos);
    }
    {
        const ServiceError e = service_error_from([&] { provider->chat(request); });
        BOOST_TEST(e.status() == 400);
        BOOST_TEST(e.type() == "BadRequestError");
        BOOST_TEST(std::string(e.what()).find("max_tokens is too large") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(local_server_needs_no_key_but_public_api_does) {
    ScopedEnv unset{"OPENAI_API_KEY", nullptr};
    server.route("POST", "/v1/chat/completions", respond_in_order({FakeResponse::json(200, openai_text("pong")(json::object{}))}));
    auto provider = host.make_provider("openai", {{"model", "llama3"}, {"base_url", server.base_url() + "/v1"}});
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    BOOST_TEST(provider->chat(request).message.text == "pong");
    BOOST_TEST(!server.requests().at(0).headers.contains("Authorization"));
    BOOST_CHECK_EXCEPTION(host.make_provider("openai", {{"model", "gpt-4.1"}}), Error, [](const Error& e) {
        return std::string(e.what()).find("OPENAI_API_KEY") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(every_option_problem_is_reported_at_once) {
    ScopedEnv unset{"OPENAI_API_KEY", nullptr};
    try {
        host.make_provider("openai", {{"model", "m"}, {"base_url", "ftp://x y"}, {"timeout_s", 1e300},
                                      {"max_tokens_field", "tokens"}}, "fast");
        BOOST_FAIL("expected ConfigError");
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("llms.fast.options.max_tokens_field: \"tokens\" is not allowed") != std::string::npos, what);
        BOOST_TEST(what.find("llms.fast.options.base_url: invalid URL") != std::string::npos, what);
        // A huge timeout is refused, not converted into an overflowed (immediate) one.
        BOOST_TEST(what.find("llms.fast.options.timeout_s: found 1e+300, allowed: more than 0 and at most 1e+07") !=
                       std::string::npos, what);
        BOOST_TEST(what.find("OPENAI_API_KEY is not set") != std::string::npos, what);
    }
}

BOOST_AUTO_TEST_CASE(max_completion_tokens_field) {
    server.route("POST", "/v1/chat/completions", respond_in_order({FakeResponse::json(200, openai_text("pong")(json::object{}))}));
    auto provider = host.make_provider("openai", {{"model", "o4"}, {"base_url", server.base_url() + "/v1"},
                                                  {"max_tokens_field", "max_completion_tokens"}, {"max_tokens", 77}});
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    provider->chat(request);
    const auto body = body_of(server.requests().at(0));
    BOOST_TEST(body.at("max_completion_tokens").as_int64() == 77);
    BOOST_TEST(!body.contains("max_tokens"));
}

BOOST_AUTO_TEST_CASE(cached_prompt_tokens_count_as_input_and_are_shown_apart) {
    server.route("POST", "/v1/chat/completions", respond_in_order({FakeResponse::json(200, R"({"id":"c","model":"m",
        "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":1000,"completion_tokens":10,"total_tokens":1010,"prompt_tokens_details":{"cached_tokens":400}}})")}));
    auto provider = host.make_provider("openai", {{"model", "m"}, {"base_url", server.base_url() + "/v1"},
                                                  {"price_input", 2.0}, {"price_output", 8.0}, {"price_cache_read", 0.5}});
    ChatRequest request;
    request.messages.push_back({Role::user, "ping", {}, {}});
    const Usage u = provider->chat(request).usage;
    BOOST_TEST(u.input_tokens == 1000);  // the same meaning as for Anthropic: cached tokens included
    BOOST_TEST(u.cache_read_input_tokens == 400);
    BOOST_TEST(u.usd == (600 * 2.0 + 400 * 0.5 + 10 * 8.0) / 1e6, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(the_context_window_comes_from_the_server_when_it_tells) {
    {  // vLLM: /v1/models lists max_model_len
        FakeServer vllm;
        vllm.route("GET", "/v1/models", respond_in_order({FakeResponse::json(
            200, R"({"object":"list","data":[{"id":"other","max_model_len":4096},{"id":"qwen-vllm","max_model_len":16384}]})")}));
        auto provider = host.make_provider("openai", {{"model", "qwen-vllm"}, {"base_url", vllm.base_url() + "/v1"}});
        BOOST_TEST(provider->context_window() == 16384);
        BOOST_TEST(provider->context_window() == 16384);
        BOOST_TEST(vllm.request_count() == 1u);  // asked once
    }
    {  // Ollama: /api/show, num_ctx first, else the model's context_length
        FakeServer ollama;
        ollama.route("POST", "/api/show", respond_in_order({FakeResponse::json(
            200, R"({"parameters":"num_ctx 8192\nstop \"<|im_end|>\"","model_info":{"qwen2.context_length":32768}})")}));
        auto provider = host.make_provider("openai", {{"model", "qwen2.5:7b"}, {"base_url", ollama.base_url() + "/v1"}});
        BOOST_TEST(provider->context_window() == 8192);
        const auto show = json::parse(ollama.requests().back().body).as_object();
        BOOST_TEST(show.at("model").as_string() == "qwen2.5:7b");
    }
    {
        FakeServer ollama;
        ollama.route("POST", "/api/show", respond_in_order({FakeResponse::json(200, R"({"model_info":{"llama.context_length":131072}})")}));
        BOOST_TEST(host.make_provider("openai", {{"model", "l"}, {"base_url", ollama.base_url() + "/v1"}})->context_window() == 131072);
    }
    {  // a server that tells nothing, and a configured window that wins
        FakeServer silent;
        BOOST_TEST(host.make_provider("openai", {{"model", "x"}, {"base_url", silent.base_url() + "/v1"}})->context_window() == 0);
        BOOST_TEST(host.make_provider("openai", {{"model", "x"}, {"base_url", silent.base_url() + "/v1"}, {"context_window", 5000}})
                       ->context_window() == 5000);
    }
}

BOOST_AUTO_TEST_SUITE_END()
