#include "base/log.hpp"

#include "base/utc_time.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdlib>
#include <algorithm>
#include <ctime>
#include <iostream>
#include <optional>
#include <set>

extern char** environ;

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// The Kaggle API key from kaggle.json ($KAGGLE_CONFIG_DIR, else ~/.kaggle), when readable.
std::optional<std::string> kaggle_json_key() {
    fs::path dir;
    if (const char* d = std::getenv("KAGGLE_CONFIG_DIR"); d && *d) dir = d;
    else if (const char* home = std::getenv("HOME"); home && *home) dir = fs::path(home) / ".kaggle";
    else return std::nullopt;
    std::ifstream in(dir / "kaggle.json", std::ios::binary);
    if (!in) return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto* key = value.as_object().if_contains("key");
    if (!key || !key->is_string()) return std::nullopt;
    return std::string(key->as_string());
}

/// Every secret value currently known, longest first (so a secret containing another is
/// replaced whole).
std::vector<std::string> secrets() {
    std::set<std::string> found;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry = *e;
        auto eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view name = entry.substr(0, eq), value = entry.substr(eq + 1);
        if (value.size() < 8) continue;
        if (ends_with(name, "_KEY") || ends_with(name, "_TOKEN") || ends_with(name, "_SECRET"))
            found.emplace(value);
    }
    if (auto key = kaggle_json_key(); key && key->size() >= 8) found.insert(*key);
    std::vector<std::string> out(found.begin(), found.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    return out;
}

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug: return "DEBUG";
        case LogLevel::info: return "INFO ";
        case LogLevel::warn: return "WARN ";
        case LogLevel::error: return "ERROR";
    }
    return "?    ";
}

}  // namespace

std::string redact(std::string_view text) {
    std::string out(text);
    for (const auto& secret : secrets()) {
        for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
            out.replace(at, secret.size(), "[redacted]");
            at += 10;
        }
    }
    return out;
}

Logger::Logger(fs::path file, bool quiet) : quiet_(quiet) {
    if (file.empty()) return;
    std::error_code ec;
    if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
    out_.open(file, std::ios::app | std::ios::binary);
    if (!out_) throw Error("cannot open the log file " + file.string() + " for appending");
}

void Logger::log(LogLevel level, std::string_view source, std::string_view message) {
    // Continuation lines are indented so that every record starts with a timestamp.
    std::string body = redact(message);
    for (std::size_t at = body.find('\n'); at != std::string::npos; at = body.find('\n', at + 1))
        body.insert(at + 1, "    ");
    std::string line = utc_timestamp() + " " + std::string(level_name(level)) + " " + std::string(source) + ": " + body + "\n";
    std::lock_guard lock(mutex_);
    if (out_.is_open()) {
        out_ << line;
        out_.flush();
    }
    bool to_terminal = level >= (quiet_ ? LogLevel::warn : LogLevel::info);
    if (to_terminal) std::cerr << line << std::flush;
}

}  // namespace autokaggle
