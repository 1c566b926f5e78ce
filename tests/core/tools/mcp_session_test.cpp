// The MCP protocol without a workspace: version negotiation, the lifecycle, tools/list and
// tools/call by role, JSON-RPC errors for every malformed input, batches, and over pipes: a ping
// answered while a call runs, notifications/cancelled ending the running call, end of input.
// Also the tool surface itself: roles, argument errors, redaction of results.
#include <boost/test/unit_test.hpp>

#include "tools/mcp_server.hpp"
#include "tools/tool_args.hpp"

#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <poll.h>
#include <thread>
#include <unistd.h>

using namespace autokaggle;
using namespace autokaggle::tools;
namespace json = boost::json;

namespace {

/// A surface of three small tools; "wait" loops until `cancel` turns true.
struct Fixture {
    std::atomic<bool> cancel{false};
    ToolCallContext last_context;
    ToolSurface surface{
        {{"echo", "Echo the text.", object_schema({{"text", property("string", "what to echo")}}, {"text"}), {},
          [this](const ToolCallContext& c, const json::object& args) {
              last_context = c;
              return "echo: " + text_arg(args, "text", true);
          }},
         {"builder_only", "Only for the Builder.", object_schema({}), {"builder"},
          [](const ToolCallContext&, const json::object&) { return std::string("built"); }},
         {"wait", "Wait until cancelled.", object_schema({}), {},
          [this](const ToolCallContext&, const json::object&) -> std::string {
              while (!cancel.load()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
              throw Cancelled("the client cancelled the call");
          }}},
        1000};
    McpSession session{surface, {"reviewer", "autokaggle", "1.2.3", "Tools for tests."},
                        [] { return ToolCallContext{"reviewer", 4, "verify"}; }};

    json::object reply(const std::string& line) {
        auto r = session.handle_line(line);
        BOOST_REQUIRE_MESSAGE(r.has_value(), "no reply to " << line);
        return json::parse(*r).as_object();
    }
    json::object initialize(const std::string& version = "2025-06-18") {
        return reply(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")" + version +
                     R"(","capabilities":{},"clientInfo":{"name":"test","version":"1"}}})");
    }
    static long long error_code(const json::object& r) { return r.at("error").at("code").to_number<long long>(); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(mcp_session, Fixture)

BOOST_AUTO_TEST_CASE(initialize_negotiates_the_protocol_version) {
    for (const char* version : {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}) {
        const auto r = initialize(version);
        BOOST_TEST(r.at("result").at("protocolVersion").as_string() == version);
    }
    const auto r = initialize("2099-01-01");  // unknown: the newest we speak, the client decides
    BOOST_TEST(r.at("id").as_int64() == 1);
    const auto& result = r.at("result").as_object();
    BOOST_TEST(result.at("protocolVersion").as_string() == "2025-11-25");
    BOOST_TEST(result.at("capabilities").at("tools").at("listChanged").as_bool() == false);
    BOOST_TEST(result.at("serverInfo").at("name").as_string() == "autokaggle");
    BOOST_TEST(result.at("serverInfo").at("version").as_string() == "1.2.3");
    BOOST_TEST(result.at("instructions").as_string() == "Tools for tests.");
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{}})")) == -32602);
}

BOOST_AUTO_TEST_CASE(requests_before_initialize_are_refused_except_ping) {
    BOOST_TEST(reply(R"({"jsonrpc":"2.0","id":"p","method":"ping"})").at("result").as_object().empty());
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})")) == -32002);
}

BOOST_AUTO_TEST_CASE(tools_are_listed_and_called_by_role) {
    initialize();
    BOOST_TEST(!session.handle_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").has_value());
    const auto list = reply(R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}})");
    std::vector<std::string> names;
    for (const auto& t : list.at("result").at("tools").as_array()) {
        names.emplace_back(t.at("name").as_string());
        BOOST_TEST(t.at("inputSchema").at("type").as_string() == "object");
        BOOST_TEST(!t.at("description").as_string().empty());
    }
    BOOST_TEST((names == std::vector<std::string>{"echo", "wait"}));  // builder_only is not the reviewer's

    const auto call = reply(R"({"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})");
    BOOST_TEST(call.at("id").as_string() == "c1");
    BOOST_TEST(call.at("result").at("isError").as_bool() == false);
    BOOST_TEST(call.at("result").at("content").at(0).at("type").as_string() == "text");
    BOOST_TEST(call.at("result").at("content").at(0).at("text").as_string() == "echo: hi");
    BOOST_TEST(last_context.role == "reviewer");
    BOOST_TEST(last_context.round == 4);
    BOOST_TEST(last_context.phase == "verify");

    // A tool's own failure is a result the model sees, not a protocol error.
    const auto bad_args = reply(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{}}})");
    BOOST_TEST(bad_args.at("result").at("isError").as_bool());
    BOOST_TEST(std::string(bad_args.at("result").at("content").at(0).at("text").as_string()).find("missing argument \"text\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_messages_get_json_rpc_errors) {
    initialize();
    const auto parse = reply("{not json");
    BOOST_TEST(error_code(parse) == -32700);
    BOOST_TEST(parse.at("id").is_null());
    BOOST_TEST(error_code(reply(R"({"id":1,"method":"ping"})")) == -32600);                 // no jsonrpc
    BOOST_TEST(error_code(reply(R"([])")) == -32600);                                          // empty batch
    BOOST_TEST(error_code(reply(R"("text")")) == -32600);
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":null,"method":"ping"})")) == -32600);  // null id
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":6,"method":"resources/list"})")) == -32601);
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"nope"}})")) == -32602);
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"builder_only"}})")) == -32602);
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":[1]}})")) == -32602);
    BOOST_TEST(error_code(reply(R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{}})")) == -32602);
    // Notifications and responses get no reply, whatever they say.
    BOOST_TEST(!session.handle_line(R"({"jsonrpc":"2.0","method":"no/such"})").has_value());
    BOOST_TEST(!session.handle_line(R"({"jsonrpc":"2.0","id":99,"result":{}})").has_value());
}

BOOST_AUTO_TEST_CASE(a_batch_gets_a_batch_of_replies) {
    initialize("2025-03-26");
    const auto r = session.handle_line(
        R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},)"
        R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"b"}}}])");
    BOOST_REQUIRE(r.has_value());
    const auto replies = json::parse(*r).as_array();
    BOOST_TEST(replies.size() == 2u);
    BOOST_TEST(replies.at(1).at("result").at("content").at(0).at("text").as_string() == "echo: b");
}

BOOST_AUTO_TEST_CASE(over_pipes_pings_answer_during_a_call_and_cancellation_ends_it) {
    int to_server[2], from_server[2];
    BOOST_REQUIRE(::pipe(to_server) == 0 && ::pipe(from_server) == 0);
    std::atomic<bool> stopping{false};
    std::thread server([&] { serve_mcp(session, to_server[0], from_server[1], cancel, stopping); });
    auto send = [&](const std::string& line) { BOOST_REQUIRE(::write(to_server[1], (line + "\n").data(), line.size() + 1) > 0); };
    std::string buffered;
    auto receive = [&]() -> json::object {
        for (int i = 0; i < 100; ++i) {
            if (auto nl = buffered.find('\n'); nl != std::string::npos) {
                std::string line = buffered.substr(0, nl);
                buffered.erase(0, nl + 1);
                return json::parse(line).as_object();
            }
            pollfd p{from_server[0], POLLIN, 0};
            if (::poll(&p, 1, 100) > 0) {
                char b[4096];
                const ssize_t n = ::read(from_server[0], b, sizeof b);
                if (n > 0) buffered.append(b, static_cast<std::size_t>(n));
            }
        }
        BOOST_FAIL("no reply from the server");
        return {};
    };
    send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
    BOOST_TEST(receive().at("id").as_int64() == 1);
    send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"wait","arguments":{}}})");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    send(R"({"jsonrpc":"2.0","id":3,"method":"ping"})");
    BOOST_TEST(receive().at("id").as_int64() == 3);  // answered while "wait" runs
    send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"user"}})");
    send(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"text":"after"}}})");
    const auto next = receive();  // the cancelled call got no reply; the next one is served
    BOOST_TEST(next.at("id").as_int64() == 4);
    ::close(to_server[1]);  // end of input ends the server
    server.join();
    BOOST_TEST(stopping.load());
    ::close(to_server[0]);
    ::close(from_server[0]);
    ::close(from_server[1]);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(surface)

BOOST_AUTO_TEST_CASE(results_are_redacted_and_bad_arguments_explained) {
    ::setenv("FIXTURE_TOOL_API_KEY", "sk-tool-fixture-123456", 1);
    ToolSurface surface({{"leak", "Prints the key.", object_schema({}), {},
                          [](const ToolCallContext&, const json::object&) { return std::string("key sk-tool-fixture-123456"); }}},
                        1000);
    const auto r = surface.call({"builder", 1, "code"}, {"id1", "leak", json::object{}});
    BOOST_TEST(r.content == "key [redacted]");
    BOOST_TEST(r.call_id == "id1");
    const auto not_object = surface.call({"builder", 1, "code"}, {"id2", "leak", json::string("x")});
    BOOST_TEST(not_object.is_error);
    BOOST_TEST(not_object.content.find("must be a JSON object") != std::string::npos);
    const auto unknown = surface.call({"builder", 1, "code"}, {"id3", "delete_everything", json::object{}});
    BOOST_TEST(unknown.is_error);
    BOOST_TEST(unknown.content.find("available: leak") != std::string::npos, unknown.content);
    ::unsetenv("FIXTURE_TOOL_API_KEY");
}

BOOST_AUTO_TEST_SUITE_END()
