// autokaggle run [DIR] [--max-rounds N]: runs or resumes the campaign in DIR (docs/orchestrator.md).
#include "base/config.hpp"
#include "base/log.hpp"
#include "base/plugin_host.hpp"
#include "base/text.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/open_workspace.hpp"
#include "orchestrator/campaign.hpp"
#include "orchestrator/checks.hpp"
#include "orchestrator/signals.hpp"
#include "orchestrator/workspace.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>

namespace autokaggle::cli {
namespace fs = std::filesystem;

namespace {
std::string signal_name(int signo) {
    switch (signo) {
        case 0: return {};
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        default: return "signal " + std::to_string(signo);
    }
}

fs::path workspace_root(const Args& args) {
    args.max_positionals(1);
    const fs::path root = fs::absolute(args.positionals().empty() ? fs::path(".") : fs::path(args.positionals()[0]));
    if (!fs::is_regular_file(root / "config.json")) {
        throw ConfigError((root / "config.json").string() + " not found: " + root.string() +
                          " is not a campaign workspace (create one with `autokaggle init DIR`)");
    }
    return root.lexically_normal();
}
}  // namespace

int cmd_run(CommandArgs argv) {
    const Args args(argv, {"--max-rounds"}, {"--quiet", "--rebaseline"});
    if (args.help()) {
        print_usage(command_named("run"));
        std::cout << "\nRuns rounds until --max-rounds (an absolute round number; also budget.max_rounds), a budget,\n"
                     "the deadline or SIGINT/SIGTERM stops it. Running it again resumes where it stopped.\n"
                     "A second run on the same workspace exits 2 naming the process that holds it.\n"
                     "\n  --max-rounds N  stop after round N (recorded: `status` and the agents see it)\n"
                     "  --rebaseline    accept a change of what makes CV scores comparable (metric, folds, seed,\n"
                     "                  columns, data files) and start a new CV regime; without it such a\n"
                     "                  change makes run exit 2 listing it\n"
                     "  --quiet         only warnings and errors on the terminal\n";
        return exit_ok;
    }
    std::optional<int> max_rounds;
    if (auto v = args.integer("--max-rounds")) {
        if (*v < 0) throw UsageError("--max-rounds: expected a round number >= 0, got " + std::to_string(*v));
        max_rounds = static_cast<int>(*v);
    }
    const fs::path root = workspace_root(args);

    std::optional<WorkspaceLock> lock;
    try {
        lock.emplace(root);
    } catch (const LockHeldError& e) {
        std::cerr << "autokaggle run: " << e.what() << "\n";
        return exit_usage;
    }

    const OpenWorkspace workspace(root / "config.json");
    const Config& config = workspace.config;
    if (auto gaps = configuration_gaps(config, workspace.plugins); !gaps.empty())
        throw ConfigError((root / "config.json").string() +
                          ": the campaign cannot run (autokaggle validate shows every problem):\n  " + join(gaps, "\n  "));
    Logger logger(workspace.paths.logs / "autokaggle.log", args.flag("--quiet"));

    SignalWatcher signals;
    CampaignOptions options;
    options.max_rounds = max_rounds;
    options.rebaseline = args.flag("--rebaseline");
    options.external_stop = [&signals] { return signal_name(signals.signal()); };
    Campaign campaign(config, workspace.plugins, logger, options);
    const CampaignOutcome outcome = campaign.run();
    std::cout << "autokaggle run: stopped at " << outcome.stopped_at << " (" << outcome.stop_reason << "); "
              << outcome.rounds_finished << " round(s) finished in this run\n";
    if (outcome.stop_reason == "deadline")
        std::cout << "autokaggle run: the deadline " << config.competition.deadline
                  << " (end of that day, UTC) has passed, so no round runs and nothing is submitted; move or remove "
                     "\"deadline\" in config.json to go on\n";
    return exit_ok;
}

}  // namespace autokaggle::cli
