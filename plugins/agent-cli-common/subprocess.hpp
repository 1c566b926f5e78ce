// Running a coding-agent CLI as a child process, through the core's process module: under the
// supervisor's reaper (so a timeout, a cancel or the end of the call ends everything the tool
// started, daemons in sessions of their own included), stdout and stderr captured, stdin from
// /dev/null, and ended with the orchestrator (SIGTERM).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::cli_agent {

struct CommandSpec {
    std::vector<std::string> argv;        ///< argv[0] is an absolute path or a name found on PATH
    std::filesystem::path cwd;            ///< empty: inherit
    std::chrono::milliseconds timeout{0}; ///< 0: none
    /// Polled about every 100 ms; when it returns true the process tree is ended.
    std::function<bool()> should_stop;
    /// Called with each piece of stdout as it arrives (the whole output is still in `out`).
    std::function<void(std::string_view)> on_stdout;
};

struct CommandResult {
    std::optional<int> exit_code;  ///< set when the process exited
    std::optional<int> signal;     ///< set when a signal ended it
    bool timed_out = false;        ///< ended by us after CommandSpec::timeout
    bool stopped = false;          ///< ended by us because should_stop() turned true
    std::string out, err;
    double seconds = 0;

    /// "exit code 3", "killed by signal 9", "timed out after 30 s" ...
    std::string describe_end(const CommandSpec& spec) const;
};

/// Runs the command to its end (or until timeout/stop, then SIGTERM to the tree and SIGKILL
/// 3 s later). Throws autokaggle::Error when the process cannot be started at all.
CommandResult run_command(const CommandSpec& spec);

/// process::find_executable (core/base/process.hpp).
std::optional<std::filesystem::path> find_executable(std::string_view name);

/// text_tail (core/base/text.hpp).
std::string tail(std::string_view text, std::size_t max_chars);

}  // namespace autokaggle::cli_agent
