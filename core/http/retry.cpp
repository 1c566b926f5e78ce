// Retry policy shared by every remote service: which answers are worth another attempt, how
// long to wait, and the final error a caller sees.
#include "http/http_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <random>
#include <sstream>
#include <thread>

namespace autokaggle::http {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

std::string shorten(std::string text, std::size_t max = 2000) {
    if (text.size() > max) text = text.substr(0, max) + "...";
    return text;
}

std::string string_field(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return {};
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_int64()) return std::to_string(v->get_int64());
    return {};
}

std::optional<double> parse_number(std::string_view text) {
    const std::string t = trim(text);
    if (t.empty()) return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc{} || end != t.data() + t.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

/// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text) {
    std::tm tm{};
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
    if (in.fail()) return std::nullopt;
    const std::time_t t = timegm(&tm);
    if (t == -1) return std::nullopt;
    return std::chrono::system_clock::from_time_t(t);
}

}  // namespace

ErrorInfo parse_error(const Response& response) {
    ErrorInfo info;
    info.request_id = response.header("request-id");
    if (info.request_id.empty()) info.request_id = response.header("x-request-id");
    boost::system::error_code ec;
    const boost::json::value body = boost::json::parse(response.body, ec);
    if (!ec && body.is_object()) {
        const auto& o = body.get_object();
        if (const auto* error = o.if_contains("error")) {
            if (error->is_object()) {
                const auto& e = error->get_object();
                info.message = string_field(e, "message");
                info.type = string_field(e, "type");
                if (info.type.empty()) info.type = string_field(e, "code");
            } else if (error->is_string()) {
                info.message = std::string(error->get_string());
            }
        }
        if (info.message.empty()) info.message = string_field(o, "message");
        if (info.type.empty()) info.type = string_field(o, "type") == "error" ? "" : string_field(o, "type");
        if (info.type.empty() && o.contains("code")) info.type = "code " + string_field(o, "code");
        if (info.request_id.empty()) info.request_id = string_field(o, "request_id");
    }
    if (info.message.empty()) info.message = shorten(trim(response.body), 500);
    if (info.message.empty()) info.message = "(empty body)";
    info.message = shorten(info.message);
    return info;
}

bool should_retry(const Response& response) {
    const std::string forced = trim(response.header("x-should-retry"));
    if (forced == "true") return true;
    if (forced == "false") return false;
    const int s = response.status;
    return s == 408 || s == 409 || s == 429 || s >= 500;
}

std::optional<std::chrono::milliseconds> retry_after(const Response& response,
                                                     std::chrono::system_clock::time_point now) {
    using std::chrono::milliseconds;
    if (auto ms = parse_number(response.header("retry-after-ms")); ms && *ms >= 0)
        return milliseconds(static_cast<long long>(*ms));
    const std::string value = trim(response.header("retry-after"));
    if (value.empty()) return std::nullopt;
    if (auto seconds = parse_number(value)) {
        if (*seconds < 0) return std::nullopt;
        return milliseconds(static_cast<long long>(*seconds * 1000));
    }
    if (auto when = parse_http_date(value))
        return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(*when - now));
    return std::nullopt;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry) {
    const double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::min(retry, 30));
    const double capped = std::min(base, static_cast<double>(policy.max_backoff.count()));
    std::random_device seed;
    std::minstd_rand engine(seed());
    const double factor = 1.0 - std::clamp(policy.jitter, 0.0, 1.0) * std::uniform_real_distribution<double>(0, 1)(engine);
    return std::chrono::milliseconds(static_cast<long long>(capped * factor));
}

namespace {

void wait(std::chrono::milliseconds delay, const RetryHooks& hooks) {
    if (hooks.sleep) {
        hooks.sleep(delay);
    } else {
        const auto until = std::chrono::steady_clock::now() + delay;
        while (std::chrono::steady_clock::now() < until) {
            if (hooks.cancelled && hooks.cancelled()) break;
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                std::chrono::milliseconds(100), until - std::chrono::steady_clock::now()));
        }
    }
    if (hooks.cancelled && hooks.cancelled()) throw Cancelled("cancelled while waiting to retry");
}

std::string attempts_text(int attempts) {
    return attempts == 1 ? "1 attempt" : std::to_string(attempts) + " attempts";
}

}  // namespace

Response send_with_retry(const Client& client, const Request& request, const RetryPolicy& policy,
                         std::string_view what, const RetryHooks& hooks) {
    for (int attempt = 0;; ++attempt) {
        const bool last = attempt >= policy.max_retries;
        std::string reason;
        std::optional<std::chrono::milliseconds> server_wait;
        try {
            Response response = client.send(request);
            if (response.status < 400) return response;
            const ErrorInfo info = hooks.parse_error ? hooks.parse_error(response) : parse_error(response);
            reason = "HTTP " + std::to_string(response.status) + (info.type.empty() ? "" : " " + info.type);
            if (last || !should_retry(response)) {
                std::string message = std::string(what) + ": " + reason + ": " + info.message;
                if (!info.request_id.empty()) message += " (request id " + info.request_id + ")";
                message += " [gave up after " + attempts_text(attempt + 1) + "]";
                throw ServiceError(std::move(message), response.status, info.type, info.request_id);
            }
            server_wait = retry_after(response);
        } catch (const TransportError& e) {
            if (last || !e.retryable())
                throw ServiceError(std::string(what) + ": " + e.what() + " [gave up after " + attempts_text(attempt + 1) + "]",
                                   0, e.kind() == TransportError::Kind::timeout ? "timeout" : "connection_error");
            reason = e.what();
        }
        const auto delay = server_wait ? std::min(*server_wait, policy.max_retry_after) : backoff_delay(policy, attempt);
        if (hooks.on_retry) hooks.on_retry(attempt + 1, delay, reason);
        wait(delay, hooks);
    }
}

}  // namespace autokaggle::http
