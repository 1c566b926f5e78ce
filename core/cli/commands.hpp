// The subcommands of `autokaggle`. Each lives in its own cmd_<name>.cpp and returns the exit
// code: 0 ok, 1 runtime failure, 2 bad usage or bad config (see ExitCode).
#pragma once

#include <span>
#include <string>

namespace autokaggle::cli {

enum ExitCode : int { exit_ok = 0, exit_failure = 1, exit_usage = 2 };

using CommandArgs = std::span<const std::string>;

struct Command {
    const char* name;
    const char* usage;    ///< "validate [DIR]"
    const char* summary;  ///< one line for `autokaggle --help`
    int (*run)(CommandArgs args);
};

int cmd_init(CommandArgs args);
int cmd_validate(CommandArgs args);
int cmd_plugins(CommandArgs args);
int cmd_run(CommandArgs args);
int cmd_status(CommandArgs args);
int cmd_score(CommandArgs args);
int cmd_blend(CommandArgs args);
int cmd_submit(CommandArgs args);
int cmd_llm(CommandArgs args);
int cmd_serve(CommandArgs args);
int cmd_demo(CommandArgs args);
int cmd_mcp(CommandArgs args);

/// The table main() dispatches on (defined in main.cpp).
std::span<const Command> commands();

/// Prints "usage: autokaggle <usage>" and the summary; used by each command for --help.
void print_usage(const Command& command);
const Command& command_named(const char* name);

}  // namespace autokaggle::cli
