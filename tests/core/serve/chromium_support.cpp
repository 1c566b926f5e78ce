#include "chromium_support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

namespace dashtest {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

fs::path chromium_binary() {
    const char* env = std::getenv("AUTOKAGGLE_CHROMIUM");
    const fs::path path = env && *env ? fs::path(env) : fs::path("/usr/bin/chromium");
    BOOST_REQUIRE_MESSAGE(fs::exists(path), path.string() << " not found: the browser tests need Chromium "
                                                             "(run scripts/install-deps.sh --tests, or set AUTOKAGGLE_CHROMIUM)");
    return path;
}

struct Chromium::Impl {
    std::unique_ptr<Background> process;
    fs::path profile;
    int width = 0, height = 0;
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    long long next_id = 1;
    std::string session;
    bool loaded = false;
    std::vector<std::string> errors;

    // One read is always pending (a cancelled WebSocket read would end the connection): messages
    // collect in `inbox` while the io_context runs.
    std::deque<json::object> inbox;
    beast::flat_buffer incoming;
    beast::error_code read_error;
    std::string outgoing;

    void start_reading() {
        ws.async_read(incoming, [this](beast::error_code ec, std::size_t) {
            if (ec) {
                read_error = ec;
                return;
            }
            inbox.push_back(json::parse(beast::buffers_to_string(incoming.data())).as_object());
            incoming.consume(incoming.size());
            start_reading();
        });
    }

    /// The next message, or nullopt after `timeout`.
    std::optional<json::object> read(std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (inbox.empty() && !read_error && std::chrono::steady_clock::now() < end) {
            ioc.restart();
            ioc.run_one_until(end);
        }
        BOOST_REQUIRE_MESSAGE(!read_error, "DevTools connection: " << read_error.message() << "; chromium said:\n" << process->err());
        if (inbox.empty()) return std::nullopt;
        auto message = std::move(inbox.front());
        inbox.pop_front();
        return message;
    }

    void send(const json::object& message) {
        outgoing = json::serialize(message);
        bool done = false;
        beast::error_code error;
        ws.async_write(asio::buffer(outgoing), [&](beast::error_code ec, std::size_t) {
            error = ec;
            done = true;
        });
        while (!done) {
            ioc.restart();
            ioc.run_one();
        }
        BOOST_REQUIRE_MESSAGE(!error, "DevTools connection: " << error.message());
    }

    /// The string at a path of keys ("" when any is missing).
    static std::string field(const json::object& o, std::initializer_list<const char*> path) {
        const json::value* v = nullptr;
        const json::object* at = &o;
        for (const char* key : path) {
            v = at ? at->if_contains(key) : nullptr;
            if (!v) return {};
            at = v->if_object();
        }
        return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
    }

    void on_event(const json::object& message) {
        const std::string method = field(message, {"method"});
        if (method == "Page.loadEventFired") loaded = true;
        if (method == "Runtime.exceptionThrown") {
            std::string what = field(message, {"params", "exceptionDetails", "exception", "description"});
            if (what.empty()) what = field(message, {"params", "exceptionDetails", "text"});
            errors.push_back("exception: " + what);
        }
        if (method == "Runtime.consoleAPICalled" && field(message, {"params", "type"}) == "error")
            errors.push_back("console.error: " + field(message, {"params", "args"}));
        if (method == "Log.entryAdded" && field(message, {"params", "entry", "level"}) == "error")
            errors.push_back("log: " + field(message, {"params", "entry", "text"}) + " (" + field(message, {"params", "entry", "url"}) + ")");
    }

    json::object call(const std::string& method, json::object params = {}, bool in_page = true,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        const long long id = next_id++;
        json::object message{{"id", id}, {"method", method}, {"params", std::move(params)}};
        if (in_page && !session.empty()) message["sessionId"] = session;
        send(message);
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            const auto reply = read(std::max(left, std::chrono::milliseconds(1)));
            BOOST_REQUIRE_MESSAGE(reply, method << ": no answer from Chromium within " << timeout.count() << " ms");
            if (reply->contains("method")) {
                on_event(*reply);
                continue;
            }
            if (!reply->contains("id") || reply->at("id").as_int64() != id) continue;
            if (const auto* error = reply->if_contains("error")) BOOST_FAIL(method << ": " << json::serialize(*error));
            const auto* result = reply->if_contains("result");
            return result && result->is_object() ? result->as_object() : json::object{};
        }
    }

    /// Reads events for up to `duration`.
    void pump(std::chrono::milliseconds duration) {
        const auto end = std::chrono::steady_clock::now() + duration;
        while (std::chrono::steady_clock::now() < end) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            const auto message = read(std::max(left, std::chrono::milliseconds(1)));
            if (!message) return;
            if (message->contains("method")) on_event(*message);
        }
    }

    void set_viewport(int h) {
        call("Emulation.setDeviceMetricsOverride",
             {{"width", width}, {"height", h}, {"deviceScaleFactor", 1}, {"mobile", false}});
    }
};

Chromium::Chromium(const fs::path& profile_dir, int width, int height) : impl_(std::make_unique<Impl>()) {
    auto& m = *impl_;
    m.profile = profile_dir;
    m.width = width;
    m.height = height;
    fs::create_directories(profile_dir);
    const std::vector<std::string> argv{chromium_binary().string(),
                                        "--headless",
                                        "--no-sandbox",
                                        "--disable-gpu",
                                        "--disable-quic",
                                        "--no-first-run",
                                        "--disable-background-networking",
                                        "--disable-component-update",
                                        "--disable-sync",
                                        "--disable-extensions",
                                        "--hide-scrollbars",
                                        "--mute-audio",
                                        "--user-data-dir=" + profile_dir.string(),
                                        "--remote-debugging-address=127.0.0.1",
                                        "--remote-debugging-port=0",
                                        "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                                        "about:blank"};
    m.process = std::make_unique<Background>(argv, profile_dir.parent_path() / (profile_dir.filename().string() + "-chromium"));
    // Chromium writes the port and the browser's WebSocket path once it listens.
    const fs::path active = profile_dir / "DevToolsActivePort";
    std::string port, path;
    const bool up = eventually(
        [&] {
            std::ifstream in(active);
            return in && std::getline(in, port) && std::getline(in, path) && !path.empty();
        },
        std::chrono::seconds(60));
    BOOST_REQUIRE_MESSAGE(up, "Chromium did not open its DevTools port within 60 s; stderr:\n" << m.process->err());
    beast::get_lowest_layer(m.ws).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(port))));
    m.ws.read_message_max(64u << 20);
    m.ws.handshake("127.0.0.1:" + port, path);
    m.start_reading();
    const auto target = m.call("Target.createTarget", {{"url", "about:blank"}}, false);
    const auto attached =
        m.call("Target.attachToTarget", {{"targetId", target.at("targetId")}, {"flatten", true}}, false);
    m.session = std::string(attached.at("sessionId").as_string());
    m.call("Page.enable");
    m.call("Runtime.enable");
    m.call("Log.enable");
    m.set_viewport(height);
}

Chromium::~Chromium() {
    try {
        impl_->send(json::object{{"id", 0}, {"method", "Browser.close"}});
        impl_->process->wait(std::chrono::seconds(5));
    } catch (...) {
        // The process group is killed by Background's destructor in any case.
    }
}

void Chromium::navigate(const std::string& url) {
    impl_->loaded = false;
    const auto result = impl_->call("Page.navigate", {{"url", url}});
    BOOST_REQUIRE_MESSAGE(!result.contains("errorText"), url << ": " << json::serialize(result));
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!impl_->loaded && std::chrono::steady_clock::now() < end) impl_->pump(std::chrono::milliseconds(100));
    BOOST_REQUIRE_MESSAGE(impl_->loaded, url << ": no load event within 30 s");
}

json::value Chromium::eval(const std::string& expression) {
    const auto result = impl_->call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
    if (const auto* failed = result.if_contains("exceptionDetails"))
        BOOST_FAIL("JavaScript failed: " << expression << "\n" << json::serialize(*failed));
    const auto& value = result.at("result").as_object();
    return value.contains("value") ? value.at("value") : json::value(nullptr);
}

void Chromium::wait_for(const std::string& condition, const std::string& what, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto v = eval("Boolean(" + condition + ")");
        if (v.is_bool() && v.as_bool()) return;
        if (std::chrono::steady_clock::now() >= end) break;
        impl_->pump(std::chrono::milliseconds(100));
    }
    std::ostringstream page_errors;
    for (const auto& e : impl_->errors) page_errors << "\n  " << e;
    BOOST_FAIL("timed out waiting for " << what << " (" << condition << "); page errors:" << page_errors.str());
}

std::string Chromium::screenshot_png() {
    const auto height = eval("document.documentElement.scrollHeight");
    impl_->set_viewport(static_cast<int>(height.to_number<double>()));
    impl_->pump(std::chrono::milliseconds(300));  // one frame at the new size
    const auto shot = impl_->call("Page.captureScreenshot", {{"format", "png"}});
    impl_->set_viewport(impl_->height);
    const auto data = shot.at("data").as_string();
    std::string png(beast::detail::base64::decoded_size(data.size()), '\0');
    const auto [written, read] = beast::detail::base64::decode(png.data(), data.data(), data.size());
    png.resize(written);
    return png;
}

std::vector<std::string> Chromium::errors() {
    impl_->pump(std::chrono::milliseconds(50));
    return impl_->errors;
}

void Chromium::clear_errors() { impl_->errors.clear(); }

}  // namespace dashtest
