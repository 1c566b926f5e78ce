// A small synchronous HTTP(S) client on Boost.Beast + OpenSSL, shared by the LLM providers and
// the Kaggle client.
//
// - HTTPS verifies the server certificate against the system store (OpenSSL's default paths,
//   which honour SSL_CERT_FILE / SSL_CERT_DIR) plus an optional extra CA file, checks the host
//   name and sends SNI. Plain HTTP is for local servers.
// - HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) are honoured; https goes through a
//   CONNECT tunnel. Loopback hosts never use an environment proxy.
// - Timeouts: `connect_timeout` covers resolve, connect, proxy CONNECT and the TLS handshake;
//   `read_timeout` is the longest silence tolerated while sending or receiving (so a large
//   download never times out while bytes keep arriving).
// - Bodies of any size; a response can stream into a file instead of memory.
// - Redirects are followed only on request; Authorization (and other credentials) are dropped
//   when the redirect leaves the original host.
//
// Thread-safety: a Client is immutable after construction and may be shared between threads;
// every send() uses its own connection.
#pragma once

#include <autokaggle/sdk/errors.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autokaggle::http {

/// Header fields in order; names compare case-insensitively.
class Headers {
public:
    Headers() = default;
    Headers(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}
    /// Replaces every field of that name.
    void set(std::string_view name, std::string value);
    void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
    void erase(std::string_view name);
    std::optional<std::string> get(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

/// An absolute http(s) URL split into its parts.
struct Url {
    std::string scheme;    ///< "http" or "https"
    std::string userinfo;  ///< "user:pass" (proxies), usually empty
    std::string host;      ///< without brackets for IPv6
    unsigned short port = 0;
    std::string target;    ///< path and query, at least "/"

    /// Throws autokaggle::Error naming the URL when it is not an absolute http(s) URL.
    static Url parse(std::string_view text);
    bool https() const { return scheme == "https"; }
    bool default_port() const { return port == (https() ? 443 : 80); }
    /// host[:port] as the Host header wants it.
    std::string authority() const;
    std::string str() const;
    /// `reference` resolved against this URL (absolute, scheme-relative or path).
    Url resolve(std::string_view reference) const;
};

struct Request {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    std::chrono::milliseconds connect_timeout{30'000};
    std::chrono::milliseconds read_timeout{600'000};
    bool follow_redirects = false;
    int max_redirects = 5;
    /// When set, the body of a 2xx final response is written to this file (atomically, through
    /// name.part) instead of Response::body.
    std::optional<std::filesystem::path> download_to;
};

struct Response {
    int status = 0;
    Headers headers;
    std::string body;
    std::string url;  ///< the URL that produced this response (after redirects)
    std::string header(std::string_view name) const { return headers.get(name).value_or(""); }
};

/// The request never produced a complete response: could not resolve/connect, TLS failure,
/// timeout, or the connection dropped mid-way.
class TransportError : public Error {
public:
    enum class Kind { resolve, connect, tls, proxy, timeout, dropped, io };
    TransportError(Kind kind, std::string message) : Error(std::move(message)), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }
    /// Worth another attempt (everything except certificate and proxy refusals).
    bool retryable() const noexcept { return kind_ != Kind::tls && kind_ != Kind::proxy; }

private:
    Kind kind_;
};

struct ClientOptions {
    /// Extra trusted CA certificates (PEM), in addition to the system store.
    std::optional<std::filesystem::path> ca_file;
    /// Explicit proxy URL ("http://proxy:3128"); empty string = never use a proxy;
    /// nullopt = from the environment.
    std::optional<std::string> proxy;
    std::string user_agent = "autokaggle";
};

/// The proxy the environment asks for this URL (HTTPS_PROXY/https_proxy for https,
/// HTTP_PROXY/http_proxy for http, unless NO_PROXY/no_proxy matches the host), or nullopt.
/// `getenv` is injectable for tests.
std::optional<std::string> proxy_from_environment(
    const Url& url, const std::function<const char*(const char*)>& getenv = nullptr);

class Client {
public:
    explicit Client(ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;

    /// One exchange (plus redirects when asked). Any HTTP status is a Response; only transport
    /// failures throw TransportError. Bad URLs throw autokaggle::Error.
    Response send(const Request& request) const;

    const ClientOptions& options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// --- Retries -------------------------------------------------------------------------------------

struct RetryPolicy {
    int max_retries = 2;                          ///< attempts after the first
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{8'000};
    std::chrono::milliseconds max_retry_after{60'000};  ///< longer server waits are capped to this
    double jitter = 0.25;                         ///< backoff is multiplied by 1 - jitter*U[0,1)
};

/// What a failed response says about itself, from the common JSON error shapes
/// (Anthropic {"type":"error","error":{type,message}}, OpenAI {"error":{message,type,code}},
/// flat {"object":"error","message","type"}, Kaggle {"code","message"}) or the raw text.
struct ErrorInfo {
    std::string type;
    std::string message;
    std::string request_id;  ///< request-id / x-request-id header
};
ErrorInfo parse_error(const Response& response);

/// Whether to retry this response: x-should-retry when present, else 408/409/429/5xx.
bool should_retry(const Response& response);

/// The server's requested wait: retry-after-ms, else retry-after in seconds or as an HTTP date.
std::optional<std::chrono::milliseconds> retry_after(const Response& response,
                                                     std::chrono::system_clock::time_point now =
                                                         std::chrono::system_clock::now());

/// The wait before retry number `retry` (0-based): initial * 2^retry, capped, with jitter.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry);

/// Hooks for send_with_retry. All optional.
struct RetryHooks {
    /// Called before each wait with the attempt number (1-based), the delay and the reason.
    std::function<void(int attempt, std::chrono::milliseconds delay, const std::string& reason)> on_retry;
    /// Polled during waits; when it returns true the wait ends and autokaggle::Cancelled is thrown.
    std::function<bool()> cancelled;
    /// Replaces parse_error for a service with its own error format.
    std::function<ErrorInfo(const Response&)> parse_error;
    /// The wait itself (tests replace it); default sleeps in small slices polling `cancelled`.
    std::function<void(std::chrono::milliseconds)> sleep;
};

/// send() with retries on 408/409/429/5xx/529 and retryable transport failures (dropped
/// connections, timeouts). Returns the first response with a status below 400; a final status
/// >= 400 or transport failure throws ServiceError with the status (0 for transport), the
/// service's error type, its message and the request id. `what` names the service in the
/// message ("Anthropic API").
Response send_with_retry(const Client& client, const Request& request, const RetryPolicy& policy,
                         std::string_view what, const RetryHooks& hooks = {});

}  // namespace autokaggle::http
