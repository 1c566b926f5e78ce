#include "serve/server.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <ctime>
#include <optional>
#include <thread>
#include <vector>

namespace autokaggle::serve {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint32_t kMaxHeaderBytes = 8 << 10;
constexpr std::uint64_t kMaxBodyBytes = 1 << 10;  // the dashboard takes no request bodies

struct Shared {
    std::shared_ptr<const Router> router;
    ServerOptions options;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> streams{0};
};

/// Counts an open connection (or stream) for as long as it lives.
class Counted {
public:
    explicit Counted(std::atomic<std::size_t>& counter) : counter_(counter) { ++counter_; }
    ~Counted() { --counter_; }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;

private:
    std::atomic<std::size_t>& counter_;
};

std::string http_date() {
    char buf[64];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

/// Headers every answer carries: the page may load only its own assets, nothing may frame it.
void add_common_headers(http::fields& fields) {
    fields.set(http::field::server, "autokaggle");
    fields.set(http::field::date, http_date());
    fields.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    fields.set("X-Content-Type-Options", "nosniff");
    fields.set("X-Frame-Options", "DENY");
    fields.set("Referrer-Policy", "no-referrer");
}

/// Streams one campaign's changes as server-sent events ("summary", "live") until the client
/// goes away, with a comment line now and then so that idle connections stay open.
class EventStream : public std::enable_shared_from_this<EventStream> {
public:
    EventStream(beast::tcp_stream stream, std::shared_ptr<CampaignWatch> campaign, std::shared_ptr<Shared> shared)
        : stream_(std::move(stream)),
          campaign_(std::move(campaign)),
          shared_(std::move(shared)),
          counted_(shared_->streams),
          counted_connection_(shared_->connections),
          timer_(stream_.get_executor()) {}

    void start() {
        response_.result(http::status::ok);
        response_.version(11);
        add_common_headers(response_);
        response_.set(http::field::content_type, "text/event-stream");
        response_.set(http::field::cache_control, "no-store");
        response_.chunked(true);
        serializer_.emplace(response_);
        stream_.expires_after(shared_->options.write_timeout);
        http::async_write_header(stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->out_ = "retry: 2000\n\n";
            self->write();
        });
    }

private:
    void poll() {
        const auto snap = campaign_->refresh(shared_->options.event_interval * 4 / 5);
        std::string data;
        if (snap.summary_version != sent_summary_) {
            data += "event: summary\ndata: " + snap.summary + "\n\n";
            sent_summary_ = snap.summary_version;
        }
        if (snap.live_version != sent_live_) {
            data += "event: live\ndata: " + snap.live + "\n\n";
            sent_live_ = snap.live_version;
        }
        if (data.empty() && std::chrono::steady_clock::now() - last_write_ >= shared_->options.heartbeat) data = ": alive\n\n";
        if (data.empty()) return wait();
        out_ = std::move(data);
        write();
    }

    void write() {
        stream_.expires_after(shared_->options.write_timeout);
        asio::async_write(stream_, http::make_chunk(asio::buffer(out_)), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;  // the client went away: the stream ends here
            self->last_write_ = std::chrono::steady_clock::now();
            self->wait();
        });
    }

    void wait() {
        timer_.expires_after(shared_->options.event_interval);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->poll();
        });
    }

    beast::tcp_stream stream_;
    std::shared_ptr<CampaignWatch> campaign_;
    std::shared_ptr<Shared> shared_;
    Counted counted_, counted_connection_;
    asio::steady_timer timer_;
    http::response<http::empty_body> response_;
    std::optional<http::response_serializer<http::empty_body>> serializer_;
    std::string out_;
    std::uint64_t sent_summary_ = 0, sent_live_ = 0;
    std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

/// One keep-alive connection: reads a request, answers it through the router, reads the next.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, std::shared_ptr<Shared> shared)
        : stream_(std::move(socket)), shared_(std::move(shared)), counted_(shared_->connections) {}

    void run() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
    }

private:
    void read() {
        parser_.emplace();
        parser_->header_limit(kMaxHeaderBytes);
        parser_->body_limit(kMaxBodyBytes);
        stream_.expires_after(shared_->options.request_timeout);
        http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->on_read(ec);
        });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream) {
            stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
            return;
        }
        if (ec == http::error::header_limit) return reply_and_close(431, "request header larger than 8 KiB");
        if (ec == http::error::body_limit) return reply_and_close(413, "the dashboard takes no request body");
        if (ec && ec.category() == http::make_error_code(http::error::bad_method).category())
            return reply_and_close(400, "not an HTTP/1.1 request: " + ec.message());
        if (ec) return;  // timeout or a connection closed mid-way: nothing to answer
        const auto& req = parser_->get();
        Request request;
        request.method = std::string(req.method_string());
        request.target = std::string(req.target());
        for (const auto& field : req) request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        Response response;
        try {
            response = shared_->router->handle(request);
        } catch (const std::exception& e) {
            response = Response{};
            response.status = 500;
            response.body = std::string("internal error: ") + e.what() + "\n";
        }
        if (response.events) {
            if (shared_->streams.load() < shared_->options.max_event_streams) {
                std::make_shared<EventStream>(std::move(stream_), std::move(response.events), shared_)->start();
                return;
            }
            response = Response{};
            response.status = 503;
            response.body = "too many open event streams\n";
        }
        send(std::move(response), req.keep_alive(), req.method() == http::verb::head);
    }

    void reply_and_close(int status, std::string message) {
        Response response;
        response.status = status;
        response.body = std::move(message) + "\n";
        send(std::move(response), false, false);
    }

    void send(Response response, bool keep_alive, bool head) {
        response_ = {};
        response_.result(static_cast<unsigned>(response.status));
        response_.version(11);
        add_common_headers(response_);
        response_.set(http::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers) response_.insert(name, value);
        response_.body() = std::move(response.body);
        response_.keep_alive(keep_alive);
        response_.prepare_payload();
        if (head) response_.body().clear();
        stream_.expires_after(shared_->options.write_timeout);
        http::async_write(stream_, response_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
            if (ec) return;
            if (!keep_alive) {
                self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                return;
            }
            self->read();
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{kMaxHeaderBytes + kMaxBodyBytes};
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    std::shared_ptr<Shared> shared_;
    Counted counted_;
};

}  // namespace

struct Server::Impl {
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    asio::signal_set signals{ioc};
    std::vector<std::thread> threads;

    void accept() {
        acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
            if (!acceptor.is_open()) return;
            if (!ec) {
                if (shared->connections.load() < shared->options.max_connections)
                    std::make_shared<HttpSession>(std::move(socket), shared)->run();
                else
                    socket.close(ec);  // over the cap: closed at once, the client may retry
            }
            accept();
        });
    }
};

Server::Server(std::shared_ptr<const Router> router, ServerOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->shared->router = std::move(router);
    const std::string address = options.address == "localhost" ? "127.0.0.1" : options.address;
    impl_->shared->options = std::move(options);
    const auto& opts = impl_->shared->options;
    const std::string where = address + ":" + std::to_string(opts.port);
    beast::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) throw Error("--bind " + opts.address + ": not an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0)");
    const tcp::endpoint endpoint(ip, opts.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw Error("cannot listen on " + where + ": " + ec.message() +
                    (ec == asio::error::address_in_use ? " (choose another --port, or --port 0 for any free one)" : ""));
    }
    impl_->accept();
}

Server::~Server() {
    stop();
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
}

unsigned short Server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string Server::url() const {
    const auto ep = impl_->acceptor.local_endpoint();
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return "http://" + host + ":" + std::to_string(ep.port()) + "/";
}

void Server::start() {
    const int n = std::max(1, impl_->shared->options.threads);
    for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void Server::run_until_signal() {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](beast::error_code ec, int) {
        if (!ec) stop();
    });
    start();
    for (auto& t : impl_->threads) t.join();
    impl_->threads.clear();
}

void Server::stop() { impl_->ioc.stop(); }

}  // namespace autokaggle::serve
