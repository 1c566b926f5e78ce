// Running a command-line tool as a child process: its own process group, stdout and stderr
// captured, stdin from /dev/null. Tools such as Claude Code start their commands in new sessions,
// out of reach of the group: every process started under the command carries a tree token in its
// environment (AUTOKAGGLE_PROCESS_TREE), and whatever still carries it when the command ends is
// ended too, after a timeout, a stop, a crash or a normal exit alike.
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
    /// Polled about every 100 ms; when it returns true the process group is ended.
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

/// Runs the command to its end (or until timeout/stop, then SIGTERM to the group and the tree and
/// SIGKILL 3 s later); processes of the tree left when it ends get SIGTERM, then SIGKILL.
/// Throws autokaggle::Error when the process cannot be started at all.
CommandResult run_command(const CommandSpec& spec);

/// `name` if it contains a slash and is an executable file; otherwise the first executable
/// PATH entry. nullopt when there is none.
std::optional<std::filesystem::path> find_executable(std::string_view name);

/// The last `max_chars` characters of `text`, starting at a line boundary when possible.
std::string tail(std::string_view text, std::size_t max_chars);

}  // namespace autokaggle::cli_agent
