// The HTTP client against a real loopback server: round trips, large bodies, redirects,
// timeouts, dropped connections, retries, proxies and certificate verification.
#define BOOST_TEST_MODULE http_client
#include <boost/test/unit_test.hpp>

#include "support/fake_server.hpp"
#include "http/http_client.hpp"
#include "support/llm_support.hpp"
#include "support/test_support.hpp"

#include <cstdlib>

using namespace autokaggle;
using namespace autokaggle::http;
using autokaggle::test::FakeResponse;
using autokaggle::test::FakeServer;
using autokaggle::test::RecordedRequest;
using namespace std::chrono_literals;

namespace {

Request get(const std::string& url) {
    Request r;
    r.url = url;
    r.connect_timeout = 5s;
    r.read_timeout = 5s;
    return r;
}

RetryHooks fast_hooks(std::vector<std::chrono::milliseconds>* waits) {
    RetryHooks hooks;
    hooks.sleep = [waits](std::chrono::milliseconds d) { waits->push_back(d); };
    return hooks;
}

RetryPolicy quick_policy(int retries) {
    RetryPolicy p;
    p.max_retries = retries;
    p.initial_backoff = 10ms;
    p.max_backoff = 40ms;
    return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(urls)

BOOST_AUTO_TEST_CASE(parses_the_parts) {
    const Url u = Url::parse("HTTPS://user:pw@Example.com:8443/v1/messages?x=1#frag");
    BOOST_TEST(u.scheme == "https");
    BOOST_TEST(u.userinfo == "user:pw");
    BOOST_TEST(u.host == "Example.com");
    BOOST_TEST(u.port == 8443);
    BOOST_TEST(u.target == "/v1/messages?x=1");
    BOOST_TEST(u.authority() == "Example.com:8443");
    const Url v = Url::parse("http://[::1]:11434");
    BOOST_TEST(v.host == "::1");
    BOOST_TEST(v.port == 11434);
    BOOST_TEST(v.target == "/");
    BOOST_TEST(Url::parse("https://api.anthropic.com").port == 443);
}

BOOST_AUTO_TEST_CASE(rejects_bad_urls) {
    BOOST_CHECK_THROW(Url::parse("api.anthropic.com/v1"), Error);
    BOOST_CHECK_THROW(Url::parse("ftp://host/"), Error);
    BOOST_CHECK_THROW(Url::parse("http://host:99999/"), Error);
    BOOST_CHECK_THROW(Url::parse("http:///path"), Error);
}

BOOST_AUTO_TEST_CASE(resolves_references) {
    const Url base = Url::parse("https://www.kaggle.com/api/v1/files?x=1");
    BOOST_TEST(base.resolve("/other").str() == "https://www.kaggle.com/other");
    BOOST_TEST(base.resolve("next").str() == "https://www.kaggle.com/api/v1/next");
    BOOST_TEST(base.resolve("//storage.example/x").str() == "https://storage.example/x");
    BOOST_TEST(base.resolve("http://a.b:81/c").str() == "http://a.b:81/c");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exchange)

BOOST_AUTO_TEST_CASE(post_round_trip_sends_headers_and_body) {
    FakeServer server;
    server.route("POST", "/v1/echo", [](const RecordedRequest& r) {
        auto resp = FakeResponse::json(201, R"({"got":")" + r.body + R"("})");
        resp.headers.set("request-id", "req_42");
        return resp;
    });
    Client client;
    Request req = get(server.base_url() + "/v1/echo?q=1");
    req.method = "POST";
    req.headers.set("Content-Type", "application/json");
    req.headers.set("x-custom", "value");
    req.body = "hello";
    const Response resp = client.send(req);
    BOOST_TEST(resp.status == 201);
    BOOST_TEST(resp.body == R"({"got":"hello"})");
    BOOST_TEST(resp.header("REQUEST-ID") == "req_42");
    const auto seen = server.requests();
    BOOST_REQUIRE_EQUAL(seen.size(), 1u);
    BOOST_TEST(seen[0].target == "/v1/echo?q=1");
    BOOST_TEST(seen[0].method == "POST");
    BOOST_TEST(seen[0].body == "hello");
    BOOST_TEST(seen[0].headers.get("x-custom").value_or("") == "value");
    BOOST_TEST(seen[0].headers.get("Host").value_or("") == "127.0.0.1:" + std::to_string(server.port()));
    BOOST_TEST(seen[0].headers.get("Content-Length").value_or("") == "5");
}

BOOST_AUTO_TEST_CASE(bodies_larger_than_beasts_default_limit) {
    const std::string big(20 * 1024 * 1024 + 7, 'x');
    FakeServer server;
    server.route("GET", "/big", [&](const RecordedRequest&) { return FakeResponse::text(200, big); });
    server.route("PUT", "/upload", [](const RecordedRequest& r) { return FakeResponse::text(200, std::to_string(r.body.size())); });
    Client client;
    const Response resp = client.send(get(server.base_url() + "/big"));
    BOOST_TEST(resp.body.size() == big.size());
    BOOST_TEST((resp.body == big));
    Request up = get(server.base_url() + "/upload");
    up.method = "PUT";
    up.body = big;
    BOOST_TEST(client.send(up).body == std::to_string(big.size()));
}

BOOST_AUTO_TEST_CASE(downloads_stream_into_a_file) {
    autokaggle::test::TempDir dir;
    std::string payload;
    for (int i = 0; i < 300000; ++i) payload += std::to_string(i) + ",";
    FakeServer server;
    server.route("GET", "/data.zip", [&](const RecordedRequest&) { return FakeResponse::text(200, payload); });
    Client client;
    Request req = get(server.base_url() + "/data.zip");
    req.download_to = dir / "sub" / "data.zip";
    const Response resp = client.send(req);
    BOOST_TEST(resp.status == 200);
    BOOST_TEST(resp.body.empty());
    BOOST_TEST(autokaggle::test::read_text(dir / "sub" / "data.zip") == payload);
    BOOST_TEST(!std::filesystem::exists(dir / "sub" / "data.zip.part"));

    // A download cut off half-way leaves neither the file nor the partial file.
    server.route("GET", "/cut.zip", [&](const RecordedRequest&) {
        FakeResponse r = FakeResponse::text(200, payload);
        r.action = FakeResponse::Action::truncate_body;
        return r;
    });
    Request cut = get(server.base_url() + "/cut.zip");
    cut.download_to = dir / "sub" / "cut.zip";
    BOOST_CHECK_THROW(client.send(cut), TransportError);
    BOOST_TEST(!std::filesystem::exists(dir / "sub" / "cut.zip"));
    BOOST_TEST(!std::filesystem::exists(dir / "sub" / "cut.zip.part"));
}

BOOST_AUTO_TEST_CASE(redirect_to_another_host_drops_authorization) {
    FakeServer storage;  // reached as "localhost": a different host from 127.0.0.1
    storage.route("GET", "/signed", [](const RecordedRequest&) { return FakeResponse::text(200, "zipbytes"); });
    FakeServer api;
    api.route("POST", "/download", [&](const RecordedRequest&) {
        FakeResponse r = FakeResponse::text(302, "");
        r.headers.set("Location", "http://localhost:" + std::to_string(storage.port()) + "/signed?sig=abc");
        return r;
    });
    api.route("GET", "/same", [](const RecordedRequest&) {
        FakeResponse r = FakeResponse::text(307, "");
        r.headers.set("Location", "/final");
        return r;
    });
    api.route("GET", "/final", [](const RecordedRequest&) { return FakeResponse::text(200, "final"); });
    Client client;
    Request req = get(api.base_url() + "/download");
    req.method = "POST";
    req.body = R"({"competitionName":"x"})";
    req.headers.set("Authorization", "Bearer secret-token-value");
    BOOST_TEST(client.send(req).status == 302);  // not followed unless asked
    req.follow_redirects = true;
    const Response resp = client.send(req);
    BOOST_TEST(resp.status == 200);
    BOOST_TEST(resp.body == "zipbytes");
    const auto at_storage = storage.requests();
    BOOST_REQUIRE_EQUAL(at_storage.size(), 1u);
    BOOST_TEST(at_storage[0].method == "GET");  // 302 after POST becomes GET
    BOOST_TEST(at_storage[0].target == "/signed?sig=abc");
    BOOST_TEST(!at_storage[0].headers.contains("Authorization"));

    Request same = get(api.base_url() + "/same");
    same.follow_redirects = true;
    same.headers.set("Authorization", "Bearer keep-me");
    BOOST_TEST(client.send(same).body == "final");
    BOOST_TEST(api.requests().back().headers.get("Authorization").value_or("") == "Bearer keep-me");
}

BOOST_AUTO_TEST_CASE(redirect_loops_stop) {
    FakeServer server;
    server.route("GET", "/loop", [](const RecordedRequest&) {
        FakeResponse r = FakeResponse::text(302, "");
        r.headers.set("Location", "/loop");
        return r;
    });
    Request req = get(server.base_url() + "/loop");
    req.follow_redirects = true;
    req.max_redirects = 3;
    BOOST_CHECK_THROW(Client().send(req), TransportError);
    BOOST_TEST(server.request_count() == 4u);
}

BOOST_AUTO_TEST_CASE(slow_answer_times_out) {
    FakeServer server;
    server.route("GET", "/slow", [](const RecordedRequest&) {
        FakeResponse r = FakeResponse::text(200, "late");
        r.delay = 2000ms;
        return r;
    });
    Request req = get(server.base_url() + "/slow");
    req.read_timeout = 300ms;
    const auto start = std::chrono::steady_clock::now();
    try {
        Client().send(req);
        BOOST_FAIL("expected a timeout");
    } catch (const TransportError& e) {
        BOOST_TEST((e.kind() == TransportError::Kind::timeout));
        BOOST_TEST(e.retryable());
        BOOST_TEST(std::string(e.what()).find("timed out") != std::string::npos);
    }
    BOOST_TEST((std::chrono::steady_clock::now() - start < 1800ms));
}

BOOST_AUTO_TEST_CASE(dropped_and_truncated_answers_are_transport_errors) {
    FakeServer server;
    server.route("GET", "/drop", [](const RecordedRequest&) { return FakeResponse::dropped(); });
    server.route("GET", "/cut", [](const RecordedRequest&) {
        FakeResponse r = FakeResponse::json(200, std::string(1000, 'a'));
        r.action = FakeResponse::Action::truncate_body;
        return r;
    });
    Client client;
    for (const char* path : {"/drop", "/cut"}) {
        try {
            client.send(get(server.base_url() + path));
            BOOST_FAIL("expected a transport error for " << path);
        } catch (const TransportError& e) {
            BOOST_TEST((e.kind() == TransportError::Kind::dropped), path << ": " << e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(refused_connection_names_the_address) {
    unsigned short port = 0;
    { FakeServer gone; port = gone.port(); }
    try {
        Client().send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
        BOOST_FAIL("expected a connect error");
    } catch (const TransportError& e) {
        BOOST_TEST((e.kind() == TransportError::Kind::connect));
        BOOST_TEST(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retries)

BOOST_AUTO_TEST_CASE(retry_after_headers) {
    Response r;
    r.headers.set("retry-after-ms", "1500");
    BOOST_TEST(retry_after(r)->count() == 1500);
    r.headers.erase("retry-after-ms");
    r.headers.set("retry-after", "7");
    BOOST_TEST(retry_after(r)->count() == 7000);
    const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    r.headers.set("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT");
    BOOST_TEST(retry_after(r, now)->count() == 10000);
    r.headers.set("retry-after", "soon");
    BOOST_TEST(!retry_after(r).has_value());
}

BOOST_AUTO_TEST_CASE(which_statuses_retry) {
    Response r;
    for (int status : {408, 409, 429, 500, 502, 503, 529}) {
        r.status = status;
        BOOST_TEST(should_retry(r), status);
    }
    for (int status : {400, 401, 403, 404, 413}) {
        r.status = status;
        BOOST_TEST(!should_retry(r), status);
    }
    r.status = 500;
    r.headers.set("x-should-retry", "false");
    BOOST_TEST(!should_retry(r));
    r.status = 400;
    r.headers.set("x-should-retry", "true");
    BOOST_TEST(should_retry(r));
}

BOOST_AUTO_TEST_CASE(backoff_doubles_with_jitter_and_cap) {
    RetryPolicy p;
    p.initial_backoff = 500ms;
    p.max_backoff = 8000ms;
    p.jitter = 0.25;
    for (int i = 0; i < 50; ++i) {
        const auto d0 = backoff_delay(p, 0).count(), d2 = backoff_delay(p, 2).count(), d9 = backoff_delay(p, 9).count();
        BOOST_TEST((d0 > 375 - 1 && d0 <= 500));
        BOOST_TEST((d2 > 1500 - 1 && d2 <= 2000));
        BOOST_TEST((d9 > 6000 - 1 && d9 <= 8000));
    }
}

BOOST_AUTO_TEST_CASE(rate_limit_then_success_honours_retry_after) {
    FakeServer server;
    FakeResponse limited = FakeResponse::json(429, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})");
    limited.headers.set("retry-after", "2");
    FakeResponse overloaded = FakeResponse::json(529, R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})");
    server.route("POST", "/v1/messages", autokaggle::test::respond_in_order({limited, overloaded, FakeResponse::json(200, "{}")}));
    std::vector<std::chrono::milliseconds> waits;
    std::vector<std::string> reasons;
    RetryHooks hooks = fast_hooks(&waits);
    hooks.on_retry = [&](int, std::chrono::milliseconds, const std::string& why) { reasons.push_back(why); };
    Request req = get(server.base_url() + "/v1/messages");
    req.method = "POST";
    const Response resp = send_with_retry(Client(), req, quick_policy(3), "Test API", hooks);
    BOOST_TEST(resp.status == 200);
    BOOST_TEST(server.request_count() == 3u);
    BOOST_REQUIRE_EQUAL(waits.size(), 2u);
    BOOST_TEST(waits[0].count() == 2000);  // the server's word
    BOOST_TEST(waits[1].count() <= 20);    // backoff (retry 1: 10 ms * 2)
    BOOST_TEST(reasons[0] == "HTTP 429 rate_limit_error");
    BOOST_TEST(reasons[1] == "HTTP 529 overloaded_error");
}

BOOST_AUTO_TEST_CASE(gives_up_with_status_type_message_and_request_id) {
    FakeServer server;
    FakeResponse failing = FakeResponse::json(500, R"({"type":"error","error":{"type":"api_error","message":"internal trouble"}})");
    failing.headers.set("request-id", "req_011");
    server.route("POST", "/v1/messages", autokaggle::test::respond_in_order({failing}));
    std::vector<std::chrono::milliseconds> waits;
    Request req = get(server.base_url() + "/v1/messages");
    req.method = "POST";
    {
        const ServiceError e = autokaggle::test::service_error_from([&] { send_with_retry(Client(), req, quick_policy(2), "Anthropic API", fast_hooks(&waits)); });
        BOOST_TEST(e.status() == 500);
        BOOST_TEST(e.type() == "api_error");
        BOOST_TEST(e.request_id() == "req_011");
        const std::string what = e.what();
        BOOST_TEST(what.find("Anthropic API: HTTP 500 api_error: internal trouble") != std::string::npos, what);
        BOOST_TEST(what.find("3 attempts") != std::string::npos, what);
    }
    BOOST_TEST(server.request_count() == 3u);
}

BOOST_AUTO_TEST_CASE(client_errors_are_not_retried) {
    FakeServer server;
    server.route("POST", "/chat/completions", autokaggle::test::respond_in_order({FakeResponse::json(
        401, R"({"error":{"message":"Incorrect API key","type":"invalid_request_error","code":"invalid_api_key"}})")}));
    std::vector<std::chrono::milliseconds> waits;
    Request req = get(server.base_url() + "/chat/completions");
    req.method = "POST";
    {
        const ServiceError e = autokaggle::test::service_error_from([&] { send_with_retry(Client(), req, quick_policy(3), "OpenAI API", fast_hooks(&waits)); });
        BOOST_TEST(e.status() == 401);
        BOOST_TEST(e.type() == "invalid_request_error");
        BOOST_TEST(std::string(e.what()).find("Incorrect API key") != std::string::npos);
    }
    BOOST_TEST(server.request_count() == 1u);
    BOOST_TEST(waits.empty());
}

BOOST_AUTO_TEST_CASE(dropped_connection_is_retried) {
    FakeServer server;
    server.route("GET", "/flaky", autokaggle::test::respond_in_order({FakeResponse::dropped(), FakeResponse::text(200, "ok")}));
    std::vector<std::chrono::milliseconds> waits;
    const Response resp = send_with_retry(Client(), get(server.base_url() + "/flaky"), quick_policy(2), "Test", fast_hooks(&waits));
    BOOST_TEST(resp.body == "ok");
    BOOST_TEST(waits.size() == 1u);
}

BOOST_AUTO_TEST_CASE(error_body_shapes) {
    Response r;
    r.status = 400;
    r.body = R"({"object":"error","message":"max_tokens too large","type":"BadRequestError","code":400})";
    BOOST_TEST(parse_error(r).message == "max_tokens too large");
    BOOST_TEST(parse_error(r).type == "BadRequestError");
    r.body = R"({"error":"model 'qwen' not found"})";
    BOOST_TEST(parse_error(r).message == "model 'qwen' not found");
    r.body = R"({"code":404,"message":"Competition not found"})";
    BOOST_TEST(parse_error(r).message == "Competition not found");
    BOOST_TEST(parse_error(r).type == "code 404");
    r.body = "<html>Bad Gateway</html>";
    BOOST_TEST(parse_error(r).message == "<html>Bad Gateway</html>");
    r.headers.set("x-request-id", "abc");
    BOOST_TEST(parse_error(r).request_id == "abc");
}

BOOST_AUTO_TEST_CASE(cancellation_interrupts_the_wait) {
    FakeServer server;
    FakeResponse limited = FakeResponse::json(429, "{}");
    limited.headers.set("retry-after", "30");
    server.route("GET", "/x", autokaggle::test::respond_in_order({limited}));
    RetryHooks hooks;
    hooks.cancelled = [start = std::chrono::steady_clock::now()] { return std::chrono::steady_clock::now() - start > 300ms; };
    const auto start = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(send_with_retry(Client(), get(server.base_url() + "/x"), quick_policy(3), "Test", hooks), Cancelled);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proxies)

BOOST_AUTO_TEST_CASE(environment_rules) {
    std::map<std::string, std::string> env{{"HTTPS_PROXY", "http://proxy:3128"}, {"http_proxy", "proxy2:8080"},
                                           {"NO_PROXY", "internal.example, .corp.example:443"}};
    auto lookup = [&](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    BOOST_TEST(proxy_from_environment(Url::parse("https://api.anthropic.com/"), lookup).value_or("") == "http://proxy:3128");
    BOOST_TEST(proxy_from_environment(Url::parse("http://api.example/"), lookup).value_or("") == "http://proxy2:8080");
    BOOST_TEST(!proxy_from_environment(Url::parse("https://internal.example/"), lookup).has_value());
    BOOST_TEST(!proxy_from_environment(Url::parse("https://a.b.corp.example/"), lookup).has_value());
    BOOST_TEST(proxy_from_environment(Url::parse("https://notcorp.example/"), lookup).has_value());
    BOOST_TEST(!proxy_from_environment(Url::parse("http://127.0.0.1:11434/v1"), lookup).has_value());
    BOOST_TEST(!proxy_from_environment(Url::parse("http://localhost:8000/v1"), lookup).has_value());
    env["NO_PROXY"] = "*";
    BOOST_TEST(!proxy_from_environment(Url::parse("https://api.openai.com/"), lookup).has_value());
}

BOOST_AUTO_TEST_CASE(plain_http_goes_through_the_proxy_in_absolute_form) {
    FakeServer proxy;
    proxy.fallback([](const RecordedRequest& r) { return FakeResponse::text(200, "via proxy " + r.target); });
    ClientOptions options;
    options.proxy = "http://user:pw@127.0.0.1:" + std::to_string(proxy.port());
    const Response resp = Client(options).send(get("http://ollama.internal:11434/v1/models"));
    BOOST_TEST(resp.body == "via proxy http://ollama.internal:11434/v1/models");
    const auto seen = proxy.requests();
    BOOST_REQUIRE_EQUAL(seen.size(), 1u);
    BOOST_TEST(seen[0].headers.get("Host").value_or("") == "ollama.internal:11434");
    BOOST_TEST(seen[0].headers.get("Proxy-Authorization").value_or("") == "Basic dXNlcjpwdw==");
}

BOOST_AUTO_TEST_CASE(https_uses_a_connect_tunnel) {
    FakeServer proxy;  // refuses the tunnel: enough to see the CONNECT request and the error
    proxy.route("CONNECT", "api.anthropic.com:443", [](const RecordedRequest&) { return FakeResponse::text(403, ""); });
    ClientOptions options;
    options.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
    try {
        Client(options).send(get("https://api.anthropic.com/v1/messages"));
        BOOST_FAIL("expected a proxy error");
    } catch (const TransportError& e) {
        BOOST_TEST((e.kind() == TransportError::Kind::proxy));
        BOOST_TEST(std::string(e.what()).find("403") != std::string::npos);
    }
    const auto seen = proxy.requests();
    BOOST_REQUIRE_EQUAL(seen.size(), 1u);
    BOOST_TEST(seen[0].method == "CONNECT");
    BOOST_TEST(seen[0].target == "api.anthropic.com:443");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(self_signed_certificate_is_refused_unless_trusted) {
    autokaggle::test::TempDir dir;
    const auto files = autokaggle::test::make_self_signed_certificate(dir / "tls");
    FakeServer server(files);
    server.route("GET", "/secure", [](const RecordedRequest&) { return FakeResponse::text(200, "secret garden"); });
    BOOST_TEST(server.base_url().starts_with("https://"));

    try {
        Client().send(get(server.base_url() + "/secure"));
        BOOST_FAIL("an untrusted certificate was accepted");
    } catch (const TransportError& e) {
        BOOST_TEST((e.kind() == TransportError::Kind::tls));
        BOOST_TEST(!e.retryable());
        BOOST_TEST(std::string(e.what()).find("certificate") != std::string::npos, e.what());
    }
    BOOST_TEST(server.request_count() == 0u);

    ClientOptions trusted;
    trusted.ca_file = files.certificate;
    BOOST_TEST(Client(trusted).send(get(server.base_url() + "/secure")).body == "secret garden");
    // The same certificate for "localhost" (SNI and host name check by name).
    const std::string by_name = "https://localhost:" + std::to_string(server.port()) + "/secure";
    BOOST_TEST(Client(trusted).send(get(by_name)).body == "secret garden");
}

BOOST_AUTO_TEST_CASE(ssl_cert_file_environment_is_honoured) {
    autokaggle::test::TempDir dir;
    const auto files = autokaggle::test::make_self_signed_certificate(dir / "tls");
    FakeServer server(files);
    server.route("GET", "/", [](const RecordedRequest&) { return FakeResponse::text(200, "ok"); });
    ::setenv("SSL_CERT_FILE", files.certificate.c_str(), 1);
    const Client client;  // reads the default verify paths now
    ::unsetenv("SSL_CERT_FILE");
    BOOST_TEST(client.send(get(server.base_url() + "/")).body == "ok");
}

BOOST_AUTO_TEST_CASE(missing_ca_file_is_a_config_error) {
    ClientOptions options;
    options.ca_file = "/nonexistent/ca.pem";
    BOOST_CHECK_THROW(Client{options}, ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
