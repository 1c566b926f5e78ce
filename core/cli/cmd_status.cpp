// autokaggle status [DIR] [--json] [--rows N]: the campaign at a glance (docs/orchestrator.md).
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "orchestrator/status.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <iostream>

namespace autokaggle::cli {

int cmd_status(CommandArgs argv) {
    const Args args(argv, {"--rows"}, {"--json"});
    if (args.help()) {
        print_usage(command_named("status"));
        std::cout << "\nShows round and phase, best CV and LB, the last results.tsv rows (--rows, default 10),\n"
                     "submissions left today, budgets spent and the agents. Read-only; safe while `run` works.\n";
        return exit_ok;
    }
    args.max_positionals(1);
    int rows = 10;
    if (auto v = args.integer("--rows")) {
        if (*v < 0) throw UsageError("--rows: expected a number >= 0, got " + std::to_string(*v));
        rows = static_cast<int>(*v);
    }
    const std::filesystem::path root = args.positionals().empty() ? std::filesystem::path(".") : std::filesystem::path(args.positionals()[0]);
    const StatusView view = read_status(root, rows);
    if (args.flag("--json")) {
        std::cout << boost::json::serialize(format_status_json(view)) << "\n";
    } else {
        std::cout << format_status_text(view);
    }
    return exit_ok;
}

}  // namespace autokaggle::cli
