#include "tools/mcp_server.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace autokaggle::tools {

namespace json = boost::json;

namespace {

/// A JSON-RPC error to answer with.
struct RpcError {
    int code;
    std::string message;
};

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kNotInitialized = -32002;

json::object error_response(const json::value& id, int code, const std::string& message) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", json::object{{"code", code}, {"message", message}}}};
}

bool valid_id(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

}  // namespace

const std::vector<std::string>& McpSession::supported_versions() {
    static const std::vector<std::string> versions{"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"};
    return versions;
}

McpSession::McpSession(const ToolSurface& surface, McpServerInfo info, ContextFn context)
    : surface_(surface), info_(std::move(info)), context_(std::move(context)) {}

std::string McpSession::running_request() const {
    std::lock_guard lock(mutex_);
    return running_;
}

std::optional<std::string> McpSession::handle_line(std::string_view line) {
    json::error_code ec;
    json::value message = json::parse(line, ec);
    if (ec) return json::serialize(error_response(nullptr, kParseError, "parse error: " + ec.message()));
    if (message.is_array()) {  // a batch (protocol 2025-03-26)
        if (message.get_array().empty()) return json::serialize(error_response(nullptr, kInvalidRequest, "empty batch"));
        json::array replies;
        for (const auto& m : message.get_array())
            if (auto reply = handle(m)) replies.push_back(std::move(*reply));
        if (replies.empty()) return std::nullopt;
        return json::serialize(replies);
    }
    if (auto reply = handle(message)) return json::serialize(*reply);
    return std::nullopt;
}

std::optional<json::value> McpSession::handle(const json::value& message) {
    if (!message.is_object()) return error_response(nullptr, kInvalidRequest, "a message must be a JSON object");
    const auto& o = message.get_object();
    const json::value id = o.contains("id") ? o.at("id") : json::value(nullptr);
    const auto* version = o.if_contains("jsonrpc");
    if (!version || *version != "2.0") return error_response(id, kInvalidRequest, "\"jsonrpc\" must be \"2.0\"");
    const auto* method = o.if_contains("method");
    if (!method) return std::nullopt;  // a response to a request we never send
    if (!method->is_string()) return error_response(id, kInvalidRequest, "\"method\" must be a string");
    const bool notification = !o.contains("id");
    if (!notification && !valid_id(id)) return error_response(nullptr, kInvalidRequest, "\"id\" must be a string or an integer");
    const json::value params = o.contains("params") ? o.at("params") : json::value(json::object{});
    try {
        if (!params.is_object() && !params.is_array()) throw RpcError{kInvalidParams, "\"params\" must be an object"};
        json::value result = dispatch(std::string(method->get_string()), params, id);
        if (notification) return std::nullopt;
        return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
    } catch (const RpcError& e) {
        if (notification) return std::nullopt;
        return error_response(id, e.code, e.message);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        if (notification) return std::nullopt;
        return error_response(id, kInternalError, e.what());
    }
}

json::value McpSession::dispatch(const std::string& method, const json::value& params, const json::value& id) {
    if (method == "initialize") {
        const auto* requested = params.is_object() ? params.get_object().if_contains("protocolVersion") : nullptr;
        if (!requested || !requested->is_string())
            throw RpcError{kInvalidParams, "initialize needs params.protocolVersion (a string)"};
        const auto& versions = supported_versions();
        const std::string asked(requested->get_string());
        version_ = std::find(versions.begin(), versions.end(), asked) != versions.end() ? asked : versions.back();
        json::object result{{"protocolVersion", version_},
                            {"capabilities", json::object{{"tools", json::object{{"listChanged", false}}}}},
                            {"serverInfo", json::object{{"name", info_.name}, {"version", info_.version}}}};
        if (!info_.instructions.empty()) result["instructions"] = info_.instructions;
        return result;
    }
    if (method == "ping") return json::object{};
    if (method.starts_with("notifications/")) {
        if (method == "notifications/initialized") initialized_ = true;
        return nullptr;  // cancelled, progress, roots/list_changed...: nothing to answer
    }
    if (version_.empty()) throw RpcError{kNotInitialized, "the session is not initialized: send initialize first"};
    if (method == "tools/list") {
        json::array tools;
        for (const auto& spec : surface_.specs(info_.role))
            tools.push_back(json::object{{"name", spec.name}, {"description", spec.description}, {"inputSchema", spec.input_schema}});
        return json::object{{"tools", std::move(tools)}};
    }
    if (method == "tools/call") {
        {
            std::lock_guard lock(mutex_);
            running_ = json::serialize(id);
        }
        struct Clear {
            McpSession& s;
            ~Clear() {
                std::lock_guard lock(s.mutex_);
                s.running_.clear();
            }
        } clear{*this};
        return call_tool(params);
    }
    throw RpcError{kMethodNotFound, "method not found: " + method + " (this server offers tools only)"};
}

json::value McpSession::call_tool(const json::value& params) {
    if (!params.is_object()) throw RpcError{kInvalidParams, "tools/call needs params as an object"};
    const auto& p = params.get_object();
    const auto* name = p.if_contains("name");
    if (!name || !name->is_string()) throw RpcError{kInvalidParams, "tools/call needs params.name (a string)"};
    if (!surface_.offers(info_.role, name->get_string()))
        throw RpcError{kInvalidParams, "Unknown tool: " + std::string(name->get_string()) + " (the " + info_.role +
                                           " has: " + [&] {
                                               std::string names;
                                               for (const auto& s : surface_.specs(info_.role))
                                                   names += (names.empty() ? "" : ", ") + s.name;
                                               return names;
                                           }() + ")"};
    json::value arguments = p.contains("arguments") ? p.at("arguments") : json::value(json::object{});
    if (arguments.is_null()) arguments = json::object{};
    if (!arguments.is_object()) throw RpcError{kInvalidParams, "params.arguments must be an object"};
    const ToolResult result = surface_.call(context_(), {"mcp", std::string(name->get_string()), arguments});
    return json::object{{"content", json::array{json::object{{"type", "text"}, {"text", result.content}}}},
                        {"isError", result.is_error}};
}

namespace {

/// Writes whole lines to a file descriptor, one writer at a time.
class LineWriter {
public:
    explicit LineWriter(int fd) : fd_(fd) {}
    void write(const std::string& text) {
        std::lock_guard lock(mutex_);
        std::string line = text + "\n";
        std::size_t done = 0;
        while (done < line.size()) {
            const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // the client is gone; the reader sees the end of input
            done += static_cast<std::size_t>(n);
        }
    }

private:
    int fd_;
    std::mutex mutex_;
};

/// Lines from the input, shared between the reader thread and the serving loop.
struct Inbox {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::string> lines;
    bool closed = false;
};

/// The reader thread: splits the input into lines; answers pings and notes cancellations while
/// a call runs; marks the end of input.
void read_lines(int in_fd, Inbox& inbox, McpSession& session, LineWriter& out, std::atomic<bool>& call_cancelled,
                std::atomic<bool>& stopping, const std::function<bool()>& stop_requested) {
    std::string pending;
    char buffer[64 * 1024];
    while (!stopping.load() && !(stop_requested && stop_requested())) {
        pollfd pfd{in_fd, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, 200);
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        const ssize_t n = ::read(in_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find_first_not_of(" \t") == std::string::npos) continue;
            const std::string running = session.running_request();
            if (!running.empty()) {
                json::error_code ec;
                const json::value v = json::parse(line, ec);
                if (!ec && v.is_object()) {
                    const auto& o = v.get_object();
                    const auto* method = o.if_contains("method");
                    if (method && *method == "ping" && o.contains("id")) {
                        out.write(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", o.at("id")}, {"result", json::object{}}}));
                        continue;
                    }
                    if (method && *method == "notifications/cancelled") {
                        const auto* p = o.if_contains("params");
                        const auto* request = p && p->is_object() ? p->get_object().if_contains("requestId") : nullptr;
                        if (request && json::serialize(*request) == running) call_cancelled = true;
                        continue;
                    }
                }
            }
            std::lock_guard lock(inbox.mutex);
            inbox.lines.push_back(std::move(line));
            inbox.ready.notify_one();
        }
    }
    stopping = true;
    std::lock_guard lock(inbox.mutex);
    inbox.closed = true;
    inbox.ready.notify_one();
}

}  // namespace

void serve_mcp(McpSession& session, int in_fd, int out_fd, std::atomic<bool>& call_cancelled, std::atomic<bool>& stopping,
               const std::function<bool()>& stop_requested) {
    LineWriter out(out_fd);
    Inbox inbox;
    std::thread reader(read_lines, in_fd, std::ref(inbox), std::ref(session), std::ref(out), std::ref(call_cancelled),
                       std::ref(stopping), std::cref(stop_requested));
    struct Join {
        std::thread& t;
        std::atomic<bool>& stop;
        ~Join() {
            stop = true;
            t.join();
        }
    } join{reader, stopping};
    while (true) {
        std::string line;
        {
            std::unique_lock lock(inbox.mutex);
            inbox.ready.wait(lock, [&] { return !inbox.lines.empty() || inbox.closed; });
            if (inbox.lines.empty()) return;  // input ended
            line = std::move(inbox.lines.front());
            inbox.lines.pop_front();
        }
        call_cancelled = false;
        try {
            if (auto reply = session.handle_line(line)) out.write(*reply);
        } catch (const Cancelled&) {
            // A cancelled call gets no response (the client stopped waiting); the end of input
            // or a signal ends the server.
            if (stopping.load()) return;
        }
    }
}

}  // namespace autokaggle::tools
