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

/// Replaces every occurrence of a known secret (values of the environment variables holding
/// API keys and Kaggle keys, whichever are set) with "[redacted]".
std::string redact(std::string_view text);

/// Names of environment variables whose values are secrets (ANTHROPIC_API_KEY, OPENAI_API_KEY,
/// KAGGLE_KEY, KAGGLE_API_TOKEN, CODEX_API_KEY, and any extra registered by configuration).
std::vector<std::string> secret_env_names();
void register_secret_env_name(std::string name);

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
