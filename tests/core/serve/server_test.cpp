// The dashboard's server over real loopback connections: `autokaggle serve` as users start it
// (traversal, the token and the CLI's refusals over the wire) and the server in-process with
// short limits (keep-alive, request limits, timeouts, the connection cap, event streams that
// outlive a campaign's torn and rewritten state).
#define BOOST_TEST_MODULE dashboard_server
#include <boost/test/unit_test.hpp>

#include "dashboard_support.hpp"

#include "orchestrator/state.hpp"
#include "serve/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <csignal>

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using autokaggle::test::TempDir;
using autokaggle::test::write_text;
using dashtest::http_get;

namespace {

/// A raw connection that reads with a deadline (the bytes as they arrive, chunk framing and all).
class RawConnection {
public:
    explicit RawConnection(unsigned short port) : socket_(ioc_) {
        socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
    /// Reads until `text` has arrived, the peer closed, or `timeout` passed; returns everything read.
    std::string read_until(const std::string& text, std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (received_.find(text) == std::string::npos && !closed_ && std::chrono::steady_clock::now() < end) {
            char buf[4096];
            bool done = false;
            socket_.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t n) {
                received_.append(buf, n);
                if (ec) closed_ = true;
                done = true;
            });
            ioc_.restart();
            ioc_.run_until(end);
            if (!done) {
                socket_.cancel();
                ioc_.restart();
                ioc_.run();
            }
        }
        return received_;
    }
    bool closed() const { return closed_; }
    std::size_t count(const std::string& text) const {
        std::size_t n = 0;
        for (auto at = received_.find(text); at != std::string::npos; at = received_.find(text, at + 1)) ++n;
        return n;
    }

private:
    asio::io_context ioc_;
    asio::ip::tcp::socket socket_;
    std::string received_;
    bool closed_ = false;
};

std::string get_request(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

/// The server in-process, on any free port, with the given limits.
struct InProcess {
    std::shared_ptr<autokaggle::serve::CampaignWatch> campaign;
    std::unique_ptr<autokaggle::serve::Server> server;
    InProcess(const fs::path& root, autokaggle::serve::ServerOptions options) {
        campaign = std::make_shared<autokaggle::serve::CampaignWatch>("camp", root);
        auto router = std::make_shared<const autokaggle::serve::Router>(
            std::vector<std::shared_ptr<autokaggle::serve::CampaignWatch>>{campaign}, autokaggle::serve::AccessRule{});
        options.port = 0;
        server = std::make_unique<autokaggle::serve::Server>(router, options);
        server->start();
    }
    unsigned short port() const { return server->port(); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_cli_refuses_what_it_must) {
    TempDir dir;
    dashtest::record_campaign(dir / "ws");
    auto r = autokaggle::test::run_cli({"serve", (dir / "ws").string(), "--bind", "0.0.0.0"});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("--token") != std::string::npos, r.err);
    r = autokaggle::test::run_cli({"serve", (dir / "ws").string(), "--bind", "0.0.0.0", "--token", "short"});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("at least 8") != std::string::npos, r.err);
    r = autokaggle::test::run_cli({"serve", (dir / "nowhere").string()});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("not a campaign workspace") != std::string::npos, r.err);
    r = autokaggle::test::run_cli({"serve", "--port", "70000"});
    BOOST_TEST(r.exit_code == 2);
    r = autokaggle::test::run_cli({"serve", "--help"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("--token T") != std::string::npos);
    BOOST_TEST(autokaggle::test::run_cli({"--help"}).out.find("serve") != std::string::npos);
    // A port in use is a runtime failure naming the fix.
    auto serve = dashtest::start_serve({(dir / "ws").string()}, dir / "first");
    r = autokaggle::test::run_cli({"serve", (dir / "ws").string(), "--port", std::to_string(serve.port)});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("choose another --port") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(no_request_reaches_outside_the_served_files) {
    TempDir dir;
    const fs::path ws = dir / "ws";
    dashtest::record_campaign(ws);
    write_text(dir / "outside.md", "NOT-IN-THE-WORKSPACE\n");
    fs::create_symlink(dir / "outside.md", ws / "rounds" / "R02_plan.md");
    auto serve = dashtest::start_serve({ws.string()}, dir / "serve");
    const std::string config = autokaggle::test::read_text(ws / "config.json");
    const std::string answers = autokaggle::test::read_text(ws / "answers.csv");
    for (const std::string target :
         {"/api/c/ws/file/../config.json", "/api/c/ws/file/..%2fconfig.json", "/api/c/ws/file/%2e%2e/config.json",
          "/api/c/ws/file/rounds/%2e%2e%2f%2e%2e%2foutside.md", "/api/c/ws/file/%252e%252e/outside.md",
          "/api/c/ws/file//etc/passwd", "/api/c/ws/file/%2Fetc%2Fpasswd", "/api/c/ws/file/rounds/..\\config.json",
          "/api/c/ws/file/config.json", "/api/c/ws/file/answers.csv", "/api/c/ws/file/leaderboard.json",
          "/api/c/ws/file/agents/builder/session.json", "/api/c/ws/file/data/train.csv", "/api/c/ws/file/rounds/R02_plan.md",
          "/api/c/ws/../../config.json", "/api/c/ws/file/rounds/R01_plan.md/../../config.json", "/c/../config.json",
          "/assets/../config.json", "/assets/%2e%2e/config.json", "/../../etc/passwd", "/api/c/..%2f..%2f/summary"}) {
        const auto a = http_get(serve.port, target);
        BOOST_TEST(a.status >= 400, target << " -> " << a.status);
        BOOST_TEST(a.body.find("NOT-IN-THE-WORKSPACE") == std::string::npos, target);
        BOOST_TEST(a.body.find("\"target_column\"") == std::string::npos, target);
        BOOST_TEST(a.body.find("root:") == std::string::npos, target);
        BOOST_TEST(a.body.find(answers.substr(0, 40)) == std::string::npos, target);
    }
    BOOST_TEST(config.find("\"target_column\"") != std::string::npos);
    const auto plan = http_get(serve.port, "/api/c/ws/file/rounds/R01_plan.md");
    BOOST_TEST(plan.status == 200);
    BOOST_TEST(plan.body.find("# R01 plan") == 0u);
    BOOST_TEST(plan.headers.at("content-security-policy").find("default-src 'none'") == 0u);
    BOOST_TEST(plan.headers.at("x-content-type-options") == "nosniff");
}

BOOST_AUTO_TEST_CASE(a_token_guards_every_request_and_opens_other_addresses) {
    TempDir dir;
    dashtest::record_campaign(dir / "ws");
    auto serve = dashtest::start_serve({(dir / "ws").string(), "--bind", "0.0.0.0", "--token", "tok-123456789"}, dir / "serve");
    BOOST_TEST(http_get(serve.port, "/api/c/ws/summary").status == 401);
    BOOST_TEST(http_get(serve.port, "/assets/campaign.js").status == 401);
    BOOST_TEST(http_get(serve.port, "/api/c/ws/summary", {{"Authorization", "Bearer tok-123456789x"}}).status == 401);
    const auto ok = http_get(serve.port, "/api/c/ws/summary", {{"Authorization", "Bearer tok-123456789"}, {"Host", "dash.example:1"}});
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(boost::json::parse(ok.body).as_object().at("competition").as_string() == "pima-diabetes");
    const auto first = http_get(serve.port, "/?token=tok-123456789");
    BOOST_TEST(first.status == 303);
    BOOST_TEST(first.headers.at("set-cookie").find("autokaggle_token=tok-123456789;") == 0u);
    BOOST_TEST(http_get(serve.port, "/c/ws/", {{"Cookie", "autokaggle_token=tok-123456789"}}).status == 200);
}

BOOST_AUTO_TEST_CASE(keep_alive_and_bounded_requests) {
    TempDir dir;
    dashtest::record_campaign(dir / "ws");
    autokaggle::serve::ServerOptions options;
    options.request_timeout = std::chrono::milliseconds(400);
    InProcess server(dir / "ws", options);
    {  // two requests, one connection
        RawConnection c(server.port());
        c.send(get_request("/api/c/camp/live") + get_request("/assets/common.js"));
        const auto got = c.read_until("AK.better", std::chrono::seconds(5));
        BOOST_TEST(c.count("HTTP/1.1 200 OK") == 2u, got);
        BOOST_TEST(!c.closed());
        c.send(get_request("/api/c/camp/round/1"));
        BOOST_TEST(c.read_until("plan.md", std::chrono::seconds(5)).find("plan.md") != std::string::npos);
    }
    {  // an oversized header
        RawConnection c(server.port());
        c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
        BOOST_TEST(c.read_until("\r\n\r\n", std::chrono::seconds(5)).find("HTTP/1.1 431") == 0u);
    }
    {  // a body
        RawConnection c(server.port());
        c.send("POST /api/c/camp/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b'));
        BOOST_TEST(c.read_until("\r\n\r\n", std::chrono::seconds(5)).find("HTTP/1.1 413") == 0u);
    }
    {  // not HTTP
        RawConnection c(server.port());
        c.send("HELLO THERE\r\n\r\n");
        BOOST_TEST(c.read_until("\r\n\r\n", std::chrono::seconds(5)).find("HTTP/1.1 400") == 0u);
    }
    {  // silence: closed after the request timeout
        RawConnection c(server.port());
        const auto start = std::chrono::steady_clock::now();
        c.read_until("never", std::chrono::seconds(5));
        BOOST_TEST(c.closed());
        BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(3)));
    }
}

BOOST_AUTO_TEST_CASE(connections_above_the_cap_are_closed) {
    TempDir dir;
    dashtest::record_campaign(dir / "ws");
    autokaggle::serve::ServerOptions options;
    options.max_connections = 2;
    InProcess server(dir / "ws", options);
    RawConnection a(server.port()), b(server.port());
    a.send(get_request("/api/c/camp/live"));
    b.send(get_request("/api/c/camp/live"));
    a.read_until("phase_log", std::chrono::seconds(5));
    b.read_until("phase_log", std::chrono::seconds(5));
    RawConnection c(server.port());
    c.send(get_request("/api/c/camp/live"));
    c.read_until("phase_log", std::chrono::seconds(3));
    BOOST_TEST(c.closed());
    BOOST_TEST(c.count("HTTP/1.1") == 0u);
}

BOOST_AUTO_TEST_CASE(event_streams_push_changes_and_outlive_a_torn_state) {
    TempDir dir;
    const fs::path ws = dir / "ws";
    dashtest::record_campaign(ws);
    autokaggle::serve::ServerOptions options;
    options.event_interval = std::chrono::milliseconds(100);
    options.heartbeat = std::chrono::milliseconds(300);
    InProcess server(ws, options);
    RawConnection c(server.port());
    c.send(get_request("/api/c/camp/events"));
    auto got = c.read_until("event: live", std::chrono::seconds(5));
    BOOST_TEST(got.find("HTTP/1.1 200 OK") == 0u);
    BOOST_TEST(got.find("Content-Type: text/event-stream") != std::string::npos);
    BOOST_TEST(got.find("event: summary\ndata: {") != std::string::npos);
    // The campaign log grows: a live event carries the new line.
    write_text(ws / "logs" / "autokaggle.log", "2026-04-01T10:00:00Z INFO  orchestrator: R04 review (reviewer)\n");
    got = c.read_until("R04 review (reviewer)", std::chrono::seconds(5));
    BOOST_TEST(got.find("R04 review (reviewer)") != std::string::npos);
    // Idle: comment lines keep the stream open.
    got = c.read_until(": alive", std::chrono::seconds(5));
    BOOST_TEST(got.find(": alive") != std::string::npos);
    // The campaign restarts: state.json torn, then rewritten with the next round.
    write_text(ws / "state.json", "{\"schema_version\": 1, \"rou");
    got = c.read_until("last good copy", std::chrono::seconds(5));
    BOOST_TEST(got.find("last good copy") != std::string::npos);
    autokaggle::StateStore store(ws / "state.json");
    auto state = store.load(nullptr);
    state.round = 9;
    state.phase = "review";
    store.save(state);
    got = c.read_until("\"round\":9,\"phase\":\"review\"", std::chrono::seconds(5));
    BOOST_TEST(got.find("\"round\":9,\"phase\":\"review\"") != std::string::npos);
    BOOST_TEST(!c.closed());
}
