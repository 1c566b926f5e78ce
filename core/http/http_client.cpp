// The HTTP client: each send() runs one C++20 coroutine on a private io_context, so timeouts
// come from beast::tcp_stream deadlines while the caller sees a plain blocking call.
#include "http/http_client.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace autokaggle::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// --- Headers ---------------------------------------------------------------------------------------

void Headers::set(std::string_view name, std::string value) {
    erase(name);
    fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::erase(std::string_view name) {
    std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
}

std::optional<std::string> Headers::get(std::string_view name) const {
    for (const auto& [key, value] : fields_)
        if (iequals(key, name)) return value;
    return std::nullopt;
}

// --- URLs --------------------------------------------------------------------------------------------

namespace {

Error bad_url(std::string_view text, std::string_view why) {
    return Error("invalid URL '" + std::string(text) + "': " + std::string(why) +
                 " (expected http://host[:port]/path or https://...)");
}

bool is_ip_address(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

bool is_loopback(const std::string& host) {
    if (iequals(host, "localhost")) return true;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

}  // namespace

Url Url::parse(std::string_view text) {
    Url url;
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) throw bad_url(text, "no scheme");
    url.scheme = to_lower(text.substr(0, scheme_end));
    if (url.scheme != "http" && url.scheme != "https") throw bad_url(text, "scheme must be http or https");
    std::string_view rest = text.substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authority_end);
    std::string_view tail = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        url.userinfo = std::string(authority.substr(0, at));
        authority = authority.substr(at + 1);
    }
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) throw bad_url(text, "unterminated IPv6 address");
        url.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') throw bad_url(text, "junk after IPv6 address");
            port_text = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (url.host.empty()) throw bad_url(text, "no host");
    url.port = url.https() ? 443 : 80;
    if (!port_text.empty()) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535)
            throw bad_url(text, "bad port '" + std::string(port_text) + "'");
        url.port = static_cast<unsigned short>(value);
    }
    if (const auto hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
    if (tail.empty()) url.target = "/";
    else if (tail.front() == '?') url.target = "/" + std::string(tail);
    else url.target = std::string(tail);
    return url;
}

std::string Url::authority() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (!default_port()) out += ":" + std::to_string(port);
    return out;
}

std::string Url::str() const { return scheme + "://" + authority() + target; }

Url Url::resolve(std::string_view reference) const {
    if (reference.find("://") != std::string_view::npos) return parse(reference);
    if (reference.starts_with("//")) return parse(scheme + ":" + std::string(reference));
    Url out = *this;
    out.userinfo.clear();
    if (reference.starts_with("/")) {
        out.target = std::string(reference);
    } else if (reference.starts_with("?")) {
        out.target = target.substr(0, target.find('?')) + std::string(reference);
    } else {
        const std::string path = target.substr(0, target.find('?'));
        out.target = path.substr(0, path.rfind('/') + 1) + std::string(reference);
    }
    return out;
}

// --- Proxies -----------------------------------------------------------------------------------------

namespace {

bool no_proxy_matches(const std::string& host, std::string_view list) {
    const std::string h = to_lower(host);
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view entry = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.front()))) entry.remove_prefix(1);
        while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.back()))) entry.remove_suffix(1);
        if (entry == "*") return true;
        if (entry.starts_with("*.")) entry.remove_prefix(1);
        if (entry.starts_with(".")) entry.remove_prefix(1);
        if (!entry.starts_with("[")) {  // drop a ":port" suffix (not inside IPv6 literals)
            const auto colon = entry.find(':');
            if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos)
                entry = entry.substr(0, colon);
        }
        if (entry.empty()) continue;
        const std::string e = to_lower(entry);
        if (h == e || (h.size() > e.size() && h.ends_with(e) && h[h.size() - e.size() - 1] == '.')) return true;
    }
    return false;
}

}  // namespace

std::optional<std::string> proxy_from_environment(const Url& url,
                                                  const std::function<const char*(const char*)>& getenv_fn) {
    auto env = [&](const char* name) -> std::string {
        const char* v = getenv_fn ? getenv_fn(name) : std::getenv(name);
        return v ? std::string(v) : std::string();
    };
    if (is_loopback(url.host)) return std::nullopt;
    std::string no_proxy = env("NO_PROXY");
    if (no_proxy.empty()) no_proxy = env("no_proxy");
    if (no_proxy_matches(url.host, no_proxy)) return std::nullopt;
    std::string proxy = url.https() ? env("HTTPS_PROXY") : env("HTTP_PROXY");
    if (proxy.empty()) proxy = url.https() ? env("https_proxy") : env("http_proxy");
    if (proxy.empty()) proxy = env("ALL_PROXY");
    if (proxy.empty()) proxy = env("all_proxy");
    if (proxy.empty()) return std::nullopt;
    if (proxy.find("://") == std::string::npos) proxy = "http://" + proxy;
    return proxy;
}

// --- The exchange ----------------------------------------------------------------------------------

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto use_awaitable = asio::use_awaitable;

bool is_redirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

bool same_origin(const Url& a, const Url& b) {
    return a.scheme == b.scheme && iequals(a.host, b.host) && a.port == b.port;
}

TransportError io_failure(const beast::error_code& ec, const Url& url, std::string_view during) {
    using Kind = TransportError::Kind;
    const std::string where = " (" + std::string(during) + " " + url.scheme + "://" + url.authority() + ")";
    if (ec == beast::error::timeout) return {Kind::timeout, "timed out" + where};
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated)
        return {Kind::dropped, "connection dropped: " + ec.message() + where};
    return {Kind::io, ec.message() + where};
}

std::string basic_credentials(const std::string& userinfo) {
    std::string out(beast::detail::base64::encoded_size(userinfo.size()), '\0');
    out.resize(beast::detail::base64::encode(out.data(), userinfo.data(), userinfo.size()));
    return "Basic " + out;
}

/// Everything one hop needs, bundled so the coroutines take a single reference.
struct Exchange {
    const Url& url;
    const std::optional<Url>& proxy;
    const std::string& method;
    const Headers& headers;
    const std::string& body;
    const Request& request;
    const std::string& user_agent;
    asio::ssl::context& tls;
};

/// Removes a partly downloaded file unless the download completed.
class PartialFile {
public:
    PartialFile() = default;
    PartialFile(const PartialFile&) = delete;
    PartialFile& operator=(const PartialFile&) = delete;
    ~PartialFile() {
        if (path_.empty()) return;
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    void track(std::filesystem::path path) { path_ = std::move(path); }
    void release() { path_.clear(); }

private:
    std::filesystem::path path_;
};

template <class Stream>
void expire(Stream& stream, std::chrono::milliseconds after) {
    beast::get_lowest_layer(stream).expires_after(after);
}

template <class Stream>
asio::awaitable<Response> http_round_trip(Stream& stream, const Exchange& x) {
    beast::error_code ec;
    bhttp::request<bhttp::string_body> message;
    message.version(11);
    message.method_string(x.method);
    const bool absolute_form = x.proxy && !x.url.https();
    message.target(absolute_form ? x.url.str() : x.url.target);
    message.set(bhttp::field::host, x.url.authority());
    if (!x.headers.contains("User-Agent")) message.set(bhttp::field::user_agent, x.user_agent);
    if (absolute_form && !x.proxy->userinfo.empty())
        message.set(bhttp::field::proxy_authorization, basic_credentials(x.proxy->userinfo));
    for (const auto& [name, value] : x.headers.fields()) message.insert(name, value);
    message.body() = x.body;
    message.prepare_payload();

    expire(stream, x.request.read_timeout);
    co_await bhttp::async_write(stream, message, asio::redirect_error(use_awaitable, ec));
    if (ec) throw io_failure(ec, x.url, "sending the request to");

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(256 * 1024);
    if (iequals(x.method, "HEAD")) parser.skip(true);
    expire(stream, x.request.read_timeout);
    co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) throw io_failure(ec, x.url, "waiting for the answer of");

    Response response;
    response.url = x.url.str();
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) response.headers.add(std::string(field.name_string()), std::string(field.value()));

    const bool to_file = x.request.download_to && response.status / 100 == 2;
    std::filesystem::path part;
    PartialFile cleanup;
    std::ofstream file;
    if (to_file) {
        part = x.request.download_to->string() + ".part";
        cleanup.track(part);
        std::filesystem::create_directories(x.request.download_to->parent_path());
        file.open(part, std::ios::binary | std::ios::trunc);
        if (!file) throw Error("cannot write " + part.string() + ": " + std::strerror(errno));
    }
    std::array<char, 64 * 1024> chunk{};
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        expire(stream, x.request.read_timeout);
        co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) throw io_failure(ec, x.url, "reading the body from");
        const std::size_t n = chunk.size() - parser.get().body().size;
        if (to_file) file.write(chunk.data(), static_cast<std::streamsize>(n));
        else response.body.append(chunk.data(), n);
    }
    if (to_file) {
        file.close();
        if (!file) throw Error("cannot write " + part.string() + ": disk full or I/O error");
        atomic_install(part, *x.request.download_to);
        cleanup.release();
    }
    co_return response;
}

asio::awaitable<void> open_tunnel(beast::tcp_stream& tcp, const Exchange& x) {
    beast::error_code ec;
    const std::string target =
        (x.url.host.find(':') != std::string::npos ? "[" + x.url.host + "]" : x.url.host) + ":" + std::to_string(x.url.port);
    bhttp::request<bhttp::empty_body> connect{bhttp::verb::connect, target, 11};
    connect.set(bhttp::field::host, target);
    if (!x.proxy->userinfo.empty()) connect.set(bhttp::field::proxy_authorization, basic_credentials(x.proxy->userinfo));
    co_await bhttp::async_write(tcp, connect, asio::redirect_error(use_awaitable, ec));
    if (ec) throw io_failure(ec, *x.proxy, "sending CONNECT to proxy");
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body
    co_await bhttp::async_read(tcp, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) throw io_failure(ec, *x.proxy, "waiting for the CONNECT answer of proxy");
    if (parser.get().result_int() != 200)
        throw TransportError(TransportError::Kind::proxy,
                             "proxy " + x.proxy->authority() + " refused CONNECT " + target + " with HTTP " +
                                 std::to_string(parser.get().result_int()) +
                                 " (check HTTPS_PROXY / NO_PROXY and the proxy's credentials)");
}

asio::awaitable<Response> exchange(const Exchange& x) {
    using Kind = TransportError::Kind;
    auto executor = co_await asio::this_coro::executor;
    const Url& hop = x.proxy ? *x.proxy : x.url;
    beast::error_code ec;

    // The resolver has no deadline of its own: a timer cancels it when DNS hangs. Shared state,
    // because the timer's handler may run after this frame is gone.
    auto resolver = std::make_shared<tcp::resolver>(executor);
    auto resolve_timed_out = std::make_shared<bool>(false);
    asio::steady_timer resolve_deadline(executor, x.request.connect_timeout);
    resolve_deadline.async_wait([resolver, resolve_timed_out](const beast::error_code& e) {
        if (e) return;  // cancelled: resolution finished first
        *resolve_timed_out = true;
        resolver->cancel();
    });
    const auto endpoints = co_await resolver->async_resolve(hop.host, std::to_string(hop.port),
                                                            asio::redirect_error(use_awaitable, ec));
    resolve_deadline.cancel();
    if (*resolve_timed_out) throw TransportError(Kind::timeout, "timed out resolving host '" + hop.host + "'");
    if (ec) throw TransportError(Kind::resolve, "cannot resolve host '" + hop.host + "': " + ec.message());

    beast::tcp_stream tcp(executor);
    tcp.expires_after(x.request.connect_timeout);
    co_await tcp.async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
    if (ec) {
        if (ec == beast::error::timeout) throw io_failure(ec, hop, "connecting to");
        throw TransportError(Kind::connect, "cannot connect to " + hop.scheme + "://" + hop.authority() + ": " +
                                                ec.message() + (x.proxy ? " (the proxy)" : ""));
    }
    if (x.proxy && x.url.https()) co_await open_tunnel(tcp, x);

    if (!x.url.https()) co_return co_await http_round_trip(tcp, x);

    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), x.tls);
    if (!is_ip_address(x.url.host) && !SSL_set_tlsext_host_name(tls.native_handle(), x.url.host.c_str()))
        throw TransportError(Kind::tls, "cannot set TLS server name for " + x.url.host);
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_verify_callback(asio::ssl::host_name_verification(x.url.host));
    expire(tls, x.request.connect_timeout);
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
    if (ec) {
        if (ec == beast::error::timeout) throw io_failure(ec, x.url, "TLS handshake with");
        std::string detail = ec.message();
        if (const long verify = SSL_get_verify_result(tls.native_handle()); verify != X509_V_OK)
            detail = std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
        throw TransportError(Kind::tls, "TLS handshake with " + x.url.authority() + " failed: " + detail +
                                            " (if the server uses a private CA, point the ca_file option or "
                                            "SSL_CERT_FILE at its certificate)");
    }
    co_return co_await http_round_trip(tls, x);
}

}  // namespace

struct Client::Impl {
    ClientOptions options;
    asio::ssl::context tls{asio::ssl::context::tls_client};

    explicit Impl(ClientOptions o) : options(std::move(o)) {
        tls.set_default_verify_paths();
        tls.set_verify_mode(asio::ssl::verify_peer);
        tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        if (options.ca_file) {
            boost::system::error_code ec;
            tls.load_verify_file(options.ca_file->string(), ec);
            if (ec)
                throw ConfigError("cannot load CA certificates from " + options.ca_file->string() + ": " +
                                  ec.message() + " (ca_file must be a PEM file)");
        }
    }

    std::optional<Url> proxy_for(const Url& url) const {
        std::optional<std::string> proxy = options.proxy ? options.proxy : proxy_from_environment(url);
        if (!proxy || proxy->empty()) return std::nullopt;
        Url parsed = Url::parse(*proxy);
        if (parsed.https()) throw ConfigError("proxy " + parsed.authority() + ": only http:// proxies are supported");
        return parsed;
    }

    Response hop(const Url& url, const std::string& method, const Headers& headers, const std::string& body,
                 const Request& request) {
        const std::optional<Url> proxy = proxy_for(url);
        const Exchange x{url, proxy, method, headers, body, request, options.user_agent, tls};
        asio::io_context context;
        std::exception_ptr failure;
        std::optional<Response> result;
        asio::co_spawn(context, exchange(x), [&](std::exception_ptr e, Response r) {
            if (e) failure = e;
            else result = std::move(r);
        });
        context.run();
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
const ClientOptions& Client::options() const { return impl_->options; }

Response Client::send(const Request& request) const {
    Url url = Url::parse(request.url);
    std::string method = request.method;
    Headers headers = request.headers;
    std::string body = request.body;
    for (int redirects = 0;; ++redirects) {
        Response response = impl_->hop(url, method, headers, body, request);
        const auto location = response.headers.get("Location");
        if (!request.follow_redirects || !is_redirect(response.status) || !location) return response;
        if (redirects >= request.max_redirects)
            throw TransportError(TransportError::Kind::io, "more than " + std::to_string(request.max_redirects) +
                                                               " redirects starting at " + Url::parse(request.url).str());
        Url next = url.resolve(*location);
        if (!same_origin(url, next)) {
            // Credentials belong to the original host only (signed storage URLs reject them too).
            headers.erase("Authorization");
            headers.erase("Proxy-Authorization");
            headers.erase("Cookie");
            headers.erase("x-api-key");
        }
        if (response.status == 303 || ((response.status == 301 || response.status == 302) && method != "GET" && method != "HEAD")) {
            method = "GET";
            body.clear();
            headers.erase("Content-Type");
            headers.erase("Content-Length");
        }
        url = std::move(next);
    }
}

}  // namespace autokaggle::http
