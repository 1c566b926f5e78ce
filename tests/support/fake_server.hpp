// A real HTTP/1.1 server on 127.0.0.1 for tests: routes map to handler functions, every request
// is recorded, and a response can be delayed, cut off, replaced by a dropped connection or
// streamed as server-sent events (text/event-stream, one event at a time, each with its delay).
// Optionally speaks TLS with a certificate the test generated (make_self_signed_certificate).
//
// Handlers run on the server's own thread, one at a time; delays do not block other
// connections. Thread-safety: every public method may be called from any thread.
#pragma once

#include "http/http_client.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle::test {

struct RecordedRequest {
    std::string method;
    std::string target;  ///< as sent: path and query
    http::Headers headers;
    std::string body;
    std::string path() const { return target.substr(0, target.find('?')); }
};

/// One server-sent event: "event: <event>\ndata: <data>\n\n", sent after `delay`.
struct SseEvent {
    std::string event;  ///< empty: no event line
    std::string data;
    std::chrono::milliseconds delay{0};
};

struct FakeResponse {
    enum class Action {
        respond,            ///< a normal response
        drop,               ///< close the connection without answering
        truncate_body,      ///< send the headers and half the body, then close
        stream,             ///< status and headers, then `events` one by one; the close ends the body
    };
    int status = 200;
    http::Headers headers;
    std::string body;
    std::chrono::milliseconds delay{0};  ///< wait this long before answering (or dropping)
    Action action = Action::respond;
    std::vector<SseEvent> events;        ///< Action::stream

    static FakeResponse json(int status, std::string body);
    static FakeResponse text(int status, std::string body);
    static FakeResponse dropped();
    /// 200, text/event-stream: the events, then the connection closes (a stream that lacks its
    /// final event is a stream cut short, as the client sees it).
    static FakeResponse sse(std::vector<SseEvent> events);
};

using Handler = std::function<FakeResponse(const RecordedRequest&)>;

/// A handler that answers with the given responses in order, repeating the last one.
Handler respond_in_order(std::vector<FakeResponse> responses);

struct TlsFiles {
    std::filesystem::path certificate;  ///< PEM, also usable as the CA file (self-signed)
    std::filesystem::path private_key;  ///< PEM
};

/// Generates a self-signed certificate for localhost and 127.0.0.1 in `dir` with the openssl CLI.
TlsFiles make_self_signed_certificate(const std::filesystem::path& dir);

class FakeServer {
public:
    /// Starts listening on 127.0.0.1 at a free port right away.
    explicit FakeServer(std::optional<TlsFiles> tls = std::nullopt);
    ~FakeServer();
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    /// Exact path match (query ignored); method "*" matches any method. Later routes win.
    void route(std::string method, std::string path, Handler handler);
    /// For requests no route matches (default: 404 with a JSON error).
    void fallback(Handler handler);

    unsigned short port() const;
    /// "http://127.0.0.1:PORT" (https when serving TLS), no trailing slash.
    std::string base_url() const;

    std::vector<RecordedRequest> requests() const;
    std::size_t request_count() const;
    void clear_requests();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace autokaggle::test
