// The dashboard's HTTP/1.1 server on Boost.Beast: keep-alive, bounded requests (8 KiB of
// header, no body), timeouts on every read and write, a fixed number of threads, a cap on open
// connections, and server-sent event streams that push a campaign's changes as they happen.
#pragma once

#include "serve/router.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace autokaggle::serve {

struct ServerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8765;                          ///< 0: any free port (see Server::port())
    int threads = 2;
    std::size_t max_connections = 64;                    ///< more are closed at once
    std::size_t max_event_streams = 32;                  ///< more get 503
    std::chrono::milliseconds request_timeout{15'000};   ///< to receive a request (also keep-alive idle)
    std::chrono::milliseconds write_timeout{30'000};     ///< to send a response or an event
    std::chrono::milliseconds event_interval{500};       ///< how often an event stream looks for news
    std::chrono::milliseconds heartbeat{15'000};         ///< a comment line keeps idle streams open
};

class Server {
public:
    /// Binds and listens. Throws autokaggle::Error naming the address when it cannot.
    Server(std::shared_ptr<const Router> router, ServerOptions options);
    ~Server();  ///< stops and joins the threads
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    unsigned short port() const;
    /// "http://127.0.0.1:8765/" ([..] around IPv6 addresses).
    std::string url() const;

    /// Starts the threads and returns.
    void start();
    /// Stops on SIGINT or SIGTERM, or when stop() is called; returns once the threads ended.
    void run_until_signal();
    /// Thread-safe; open connections are dropped.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace autokaggle::serve
