// The campaign log: logs/autokaggle.log (appended, flushed per line) plus the terminal for
// info and above. Every message passes through redact() first.
#pragma once

#include <autokaggle/sdk/host.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

/// Replaces every occurrence of a secret with "[redacted]": the values (8+ characters) of
/// environment variables whose names end in _KEY, _API_KEY, _TOKEN or _SECRET (so a key named
/// by an `api_key_env` option is covered too), and the key in ~/.kaggle/kaggle.json.
std::string redact(std::string_view text);

class Logger {
public:
    /// `file` may be empty: terminal only. `quiet`: nothing below warn on the terminal.
    explicit Logger(std::filesystem::path file = {}, bool quiet = false);
    void log(LogLevel level, std::string_view source, std::string_view message);

private:
    std::mutex mutex_;
    std::ofstream out_;
    bool quiet_;
};

}  // namespace autokaggle
