// autokaggle: one binary, one subcommand per job. Exceptions never escape: bad usage and bad
// config exit 2, anything else exits 1 with the error's own words.
#include "cli/args.hpp"
#include "cli/commands.hpp"

#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <array>
#include <cstring>
#include <iostream>
#include <vector>

namespace autokaggle::cli {

namespace {
constexpr std::array kCommands{
    Command{"init", "init DIR [--competition SLUG] [--download] [--force]", "scaffold a campaign workspace", cmd_init},
    Command{"validate", "validate [DIR]", "check config.json, plugins, data and the Python environment", cmd_validate},
    Command{"plugins", "plugins [--dir DIR] [--json]", "list every plugin found, and those that failed to load", cmd_plugins},
    Command{"run", "run [DIR] [--max-rounds N] [--quiet]", "run or resume the campaign", cmd_run},
    Command{"status", "status [DIR] [--json] [--rows N]", "the campaign at a glance", cmd_status},
    Command{"score", "score (--metric M [--metric-options JSON] | --dir DIR) --truth FILE[:COL] --pred FILE[:COL] [--id COL] [--json]", "one metric on two files", cmd_score},
    Command{"blend", "blend [DIR] [--json]", "build the best blend from the experiment registry", cmd_blend},
    Command{"submit", "submit FILE [-m MESSAGE] [--dir DIR] [--timeout S] [--no-wait]", "a manual submission through the configured submitter", cmd_submit},
    Command{"llm", "llm test [--llm NAME | --role ROLE] [--dir DIR] [--prompt TEXT] [--tools]", "send one prompt through a configured provider", cmd_llm},
    Command{"serve", "serve [DIR ...] [--port N] [--bind ADDR] [--token T]", "the live dashboard of campaigns in the browser", cmd_serve},
    Command{"demo", "demo [--max-rounds N] [--dir DIR] [--quiet]", "an offline campaign on the shipped competition", cmd_demo},
    Command{"mcp", "mcp --role ROLE [--dir DIR]", "serve a role's tools over MCP (stdio) to a coding-agent CLI", cmd_mcp},
};

void print_main_help() {
    std::cout << "autokaggle " << AUTOKAGGLE_VERSION << " - competes in a Kaggle competition on its own\n\n"
              << "usage: autokaggle <command> [options]   (autokaggle <command> --help for details)\n\ncommands:\n";
    for (const auto& c : kCommands) {
        std::cout << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
    }
    std::cout << "\nexit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config\n";
}
}  // namespace

std::span<const Command> commands() { return kCommands; }

void print_usage(const Command& command) {
    std::cout << "usage: autokaggle " << command.usage << "\n\n" << command.summary << "\n";
}

const Command& command_named(const char* name) {
    for (const auto& c : kCommands)
        if (std::strcmp(c.name, name) == 0) return c;
    throw std::logic_error(std::string("no command ") + name);
}

}  // namespace autokaggle::cli

int main(int argc, char** argv) {
    using namespace autokaggle::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_main_help();
        return args.empty() ? exit_usage : exit_ok;
    }
    if (args[0] == "--version") {
        std::cout << "autokaggle " << AUTOKAGGLE_VERSION << " (plugin ABI " << AUTOKAGGLE_ABI_VERSION << ")\n";
        return exit_ok;
    }
    for (const auto& command : commands()) {
        if (args[0] != command.name) continue;
        try {
            return command.run(std::span<const std::string>(args).subspan(1));
        } catch (const UsageError& e) {
            std::cerr << "autokaggle " << command.name << ": " << e.what() << "\nusage: autokaggle " << command.usage << "\n";
            return exit_usage;
        } catch (const autokaggle::ConfigError& e) {
            std::cerr << "autokaggle " << command.name << ": " << e.what() << "\n";
            return exit_usage;
        } catch (const std::exception& e) {
            std::cerr << "autokaggle " << command.name << ": " << e.what() << "\n";
            return exit_failure;
        }
    }
    std::vector<std::string> names;
    for (const auto& command : commands()) names.emplace_back(command.name);
    std::cerr << "autokaggle: unknown command '" << args[0] << "'";
    if (auto near = autokaggle::nearest(args[0], names)) std::cerr << "; did you mean '" << *near << "'?";
    std::cerr << " (autokaggle --help lists them)\n";
    return exit_usage;
}
