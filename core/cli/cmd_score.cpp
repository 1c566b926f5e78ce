// autokaggle score --metric M --truth FILE[:COL] --pred FILE[:COL] [--id COL] [--json]
// One metric on two files, the metric coming from whichever plugin provides it.
#include "cli/args.hpp"
#include "cli/commands.hpp"

#include "base/plugin_host.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/score_files.hpp"

#include <boost/json.hpp>

#include <iomanip>
#include <iostream>

namespace autokaggle::cli {

int cmd_score(CommandArgs argv) {
    Args args(argv, {"--metric", "--truth", "--pred", "--id"}, {"--json"});
    if (args.help()) {
        print_usage(command_named("score"));
        std::cout << "\n  --metric M         a metric some plugin provides (auc_roc, logloss, rmse, map@3, ...)\n"
                     "  --truth FILE[:COL] the truth: a CSV column by name or a .npy column by index\n"
                     "  --pred FILE[:COL]  the predictions (a CSV without COL: every non-id column, one per class)\n"
                     "  --id COL           align CSV rows by this column (default: the truth file's first column\n"
                     "                     when the prediction file has it too)\n"
                     "  --json             print {\"metric\", \"score\", \"direction\", \"rows\", \"id_column\"}\n";
        return exit_ok;
    }
    args.max_positionals(0);
    auto metric_name = args.value("--metric");
    auto truth = args.value("--truth");
    auto pred = args.value("--pred");
    if (!metric_name) throw UsageError("--metric is required");
    if (!truth) throw UsageError("--truth is required");
    if (!pred) throw UsageError("--pred is required");

    PluginHost plugins(PluginHost::search_path({}));
    auto metric = metrics::load_metric(plugins, *metric_name);
    auto report = metrics::score_files(*metric, metrics::parse_column_spec(*truth), metrics::parse_column_spec(*pred),
                                       args.value("--id"));
    const char* direction = report.direction == Direction::higher ? "higher" : "lower";
    if (args.flag("--json")) {
        boost::json::object out{{"metric", report.metric},
                                {"score", report.score},
                                {"direction", direction},
                                {"rows", report.rows},
                                {"id_column", report.id_column}};
        std::cout << boost::json::serialize(out) << "\n";
    } else {
        std::cout << report.metric << " = " << std::setprecision(12) << report.score << "  (" << direction
                  << " is better; " << report.rows << " rows" << (report.id_column.empty() ? "" : ", aligned by " + report.id_column)
                  << ")\n";
    }
    return exit_ok;
}

}  // namespace autokaggle::cli
