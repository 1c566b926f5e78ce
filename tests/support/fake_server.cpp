#include "support/fake_server.hpp"

#include "support/test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace autokaggle::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

FakeResponse FakeResponse::json(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.headers.set("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

FakeResponse FakeResponse::text(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.headers.set("Content-Type", "text/plain");
    r.body = std::move(body);
    return r;
}

FakeResponse FakeResponse::dropped() {
    FakeResponse r;
    r.action = Action::drop;
    return r;
}

FakeResponse FakeResponse::sse(std::vector<SseEvent> events) {
    FakeResponse r;
    r.action = Action::stream;
    r.headers.set("Content-Type", "text/event-stream");
    r.headers.set("Cache-Control", "no-cache");
    r.events = std::move(events);
    return r;
}

Handler respond_in_order(std::vector<FakeResponse> responses) {
    if (responses.empty()) throw std::invalid_argument("respond_in_order needs at least one response");
    auto queue = std::make_shared<std::deque<FakeResponse>>(responses.begin(), responses.end());
    return [queue](const RecordedRequest&) {
        FakeResponse next = queue->front();
        if (queue->size() > 1) queue->pop_front();
        return next;
    };
}

TlsFiles make_self_signed_certificate(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    TlsFiles files{dir / "cert.pem", dir / "key.pem"};
    const auto result = run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                     files.private_key.string(), "-out", files.certificate.string(), "-days", "2",
                                     "-subj", "/CN=localhost", "-addext",
                                     "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    if (result.exit_code != 0) throw std::runtime_error("openssl req failed: " + result.err);
    return files;
}

struct FakeServer::Impl {
    struct Route {
        std::string method, path;
        Handler handler;
    };

    asio::io_context context;
    tcp::acceptor acceptor{context};
    std::optional<asio::ssl::context> tls;
    mutable std::mutex mutex;
    std::vector<Route> routes;
    Handler fallback = [](const RecordedRequest& r) {
        return FakeResponse::json(404, R"({"error":{"type":"not_found_error","message":"no route for )" + r.method +
                                           " " + r.path() + R"("}})");
    };
    std::vector<RecordedRequest> recorded;
    std::thread thread;

    Handler handler_for(const RecordedRequest& request) {
        std::lock_guard lock(mutex);
        for (auto it = routes.rbegin(); it != routes.rend(); ++it)
            if ((it->method == "*" || it->method == request.method) && it->path == request.path()) return it->handler;
        return fallback;
    }

    /// The status line and headers, then each event after its delay; the body ends with the
    /// connection (no Content-Length), as event streams do.
    template <class Stream>
    asio::awaitable<void> stream_events(Stream& stream, const FakeResponse& answer) {
        beast::error_code ec;
        std::string head = "HTTP/1.1 " + std::to_string(answer.status) + " OK\r\nConnection: close\r\n";
        for (const auto& [name, value] : answer.headers.fields()) head += name + ": " + value + "\r\n";
        head += "\r\n";
        co_await asio::async_write(stream, asio::buffer(head), asio::redirect_error(asio::use_awaitable, ec));
        for (const auto& event : answer.events) {
            if (ec) co_return;  // the client went away
            if (event.delay.count() > 0) {
                asio::steady_timer timer(co_await asio::this_coro::executor, event.delay);
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                if (ec) co_return;
            }
            std::string text = event.event.empty() ? std::string() : "event: " + event.event + "\n";
            text += "data: " + event.data + "\n\n";
            co_await asio::async_write(stream, asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
        }
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream& stream) {
        beast::flat_buffer buffer;
        beast::error_code ec;
        for (;;) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(boost::none);
            co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            const auto& message = parser.get();
            RecordedRequest request;
            request.method = std::string(message.method_string());
            request.target = std::string(message.target());
            for (const auto& field : message) request.headers.add(std::string(field.name_string()), std::string(field.value()));
            request.body = message.body();
            {
                std::lock_guard lock(mutex);
                recorded.push_back(request);
            }
            FakeResponse answer;
            try {
                answer = handler_for(request)(request);
            } catch (const std::exception& e) {
                answer = FakeResponse::text(500, std::string("fake server handler threw: ") + e.what());
            }
            if (answer.delay.count() > 0) {
                asio::steady_timer timer(co_await asio::this_coro::executor, answer.delay);
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            if (answer.action == FakeResponse::Action::drop) co_return;
            if (answer.action == FakeResponse::Action::stream) {
                co_await stream_events(stream, answer);
                co_return;
            }
            if (answer.action == FakeResponse::Action::truncate_body) {
                std::string raw = "HTTP/1.1 " + std::to_string(answer.status) + " OK\r\nContent-Length: " +
                                  std::to_string(answer.body.size()) + "\r\n";
                for (const auto& [name, value] : answer.headers.fields()) raw += name + ": " + value + "\r\n";
                raw += "\r\n" + answer.body.substr(0, answer.body.size() / 2);
                co_await asio::async_write(stream, asio::buffer(raw), asio::redirect_error(asio::use_awaitable, ec));
                co_return;
            }
            bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(answer.status), 11};
            for (const auto& [name, value] : answer.headers.fields()) response.insert(name, value);
            response.body() = answer.body;
            response.keep_alive(message.keep_alive());
            response.prepare_payload();
            co_await bhttp::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || !response.keep_alive()) co_return;
        }
    }

    asio::awaitable<void> session(tcp::socket socket) {
        if (!tls) {
            beast::tcp_stream stream(std::move(socket));
            co_await serve(stream);
            beast::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
        beast::error_code ec;
        co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;  // e.g. the client refused our certificate
        co_await serve(stream);
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            beast::error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            asio::co_spawn(context, session(std::move(socket)), asio::detached);
        }
    }
};

FakeServer::FakeServer(std::optional<TlsFiles> tls) : impl_(std::make_unique<Impl>()) {
    if (tls) {
        impl_->tls.emplace(asio::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(tls->certificate.string());
        impl_->tls->use_private_key_file(tls->private_key.string(), asio::ssl::context::pem);
    }
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->context, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([impl = impl_.get()] { impl->context.run(); });
}

FakeServer::~FakeServer() {
    impl_->context.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

void FakeServer::route(std::string method, std::string path, Handler handler) {
    std::lock_guard lock(impl_->mutex);
    impl_->routes.push_back({std::move(method), std::move(path), std::move(handler)});
}

void FakeServer::fallback(Handler handler) {
    std::lock_guard lock(impl_->mutex);
    impl_->fallback = std::move(handler);
}

unsigned short FakeServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string FakeServer::base_url() const {
    return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

std::vector<RecordedRequest> FakeServer::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->recorded;
}

std::size_t FakeServer::request_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->recorded.size();
}

void FakeServer::clear_requests() {
    std::lock_guard lock(impl_->mutex);
    impl_->recorded.clear();
}

}  // namespace autokaggle::test
