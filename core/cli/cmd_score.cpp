// autokaggle score (--metric M [--metric-options JSON] | --dir DIR) --truth FILE[:COL] --pred FILE[:COL]
//                  [--id COL] [--json]
// One metric on two files, the metric coming from whichever plugin provides it (with --dir: the
// workspace's metric and metric_options, as its campaign scores).
#include "cli/args.hpp"
#include "cli/commands.hpp"

#include "base/configured_metric.hpp"
#include "base/plugin_host.hpp"
#include "cli/open_workspace.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/score_files.hpp"

#include <boost/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

namespace autokaggle::cli {

namespace {

/// --metric-options: a JSON object of the metric plugin's options.
boost::json::object options_argument(const std::string& text) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        throw UsageError("--metric-options: expected a JSON object such as '{\"k\": 5}', got '" + text + "'");
    return v.get_object();
}

}  // namespace

int cmd_score(CommandArgs argv) {
    Args args(argv, {"--metric", "--metric-options", "--dir", "--truth", "--pred", "--id"}, {"--json"});
    if (args.help()) {
        print_usage(command_named("score"));
        std::cout << "\n  --metric M         a metric some plugin provides (autokaggle plugins lists them)\n"
                     "  --metric-options J the metric plugin's options as a JSON object (default: its defaults)\n"
                     "  --dir DIR          take the metric and metric_options from DIR/config.json instead\n"
                     "  --truth FILE[:COL] the truth: a CSV column by name or a .npy column by index\n"
                     "  --pred FILE[:COL]  the predictions (a CSV without COL: every non-id column, one per class)\n"
                     "  --id COL           align CSV rows by this column (default: the truth file's first column\n"
                     "                     when the prediction file has it too)\n"
                     "  --json             print {\"metric\", \"score\", \"direction\", \"rows\", \"id_column\"}\n";
        return exit_ok;
    }
    args.max_positionals(0);
    auto metric_name = args.value("--metric");
    auto dir = args.value("--dir");
    auto truth = args.value("--truth");
    auto pred = args.value("--pred");
    if (metric_name && dir) throw UsageError("give --metric or --dir, not both (--dir takes the workspace's metric)");
    if (dir && args.value("--metric-options"))
        throw UsageError("--metric-options goes with --metric; with --dir the options are config.json's metric_options");
    if (!metric_name && !dir) throw UsageError("--metric is required (or --dir DIR for the metric of a workspace)");
    if (!truth) throw UsageError("--truth is required");
    if (!pred) throw UsageError("--pred is required");

    // Declared in this order so that the metric goes before its host and plugins.
    std::optional<OpenWorkspace> workspace;
    std::optional<PluginHost> plugins;
    std::unique_ptr<StandaloneHost> host;
    std::shared_ptr<Metric> loaded;
    const Metric* metric = nullptr;
    if (dir) {
        // The workspace's metric as its campaign creates it, with config.json's metric_options.
        workspace.emplace(std::filesystem::absolute(*dir) / "config.json");
        host = std::make_unique<StandaloneHost>(workspace->plugins, workspace->config.competition, workspace->config.raw,
                                                workspace->paths);
        metric = &host->metric();
    } else {
        plugins.emplace(PluginHost::search_path({}));
        const auto options = args.value("--metric-options");
        loaded = metrics::load_metric(*plugins, *metric_name, options ? options_argument(*options) : boost::json::object());
        metric = loaded.get();
    }
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
