// autokaggle blend [DIR] [--json]
// Builds the best blend from the experiment registry (experiments.json) and writes it to
// DIR/blends/: blend_oof.npy, blend_test.npy, blend.json, blend_submission.csv.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/open_workspace.hpp"

#include "base/atomic_file.hpp"
#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "metrics/blend.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/verify.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

namespace autokaggle::cli {

namespace {

std::string fixed(double v, int digits = 6) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string padded(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

void print_text(const metrics::BlendResult& r, const Metric& metric, const std::filesystem::path& out_dir) {
    std::cout << "metric " << metric.name() << " (" << (metric.direction() == Direction::higher ? "higher" : "lower")
              << " is better)" << (r.rank_average ? ", rank averaging" : "") << "\n\n";
    std::size_t width = 8;
    for (const auto& c : r.candidates) width = std::max(width, c.id.size() + 2);
    std::cout << padded("model", width) << padded("family", 14) << padded("cv", 12) << padded("weight", 10) << "group\n";
    for (const auto& c : r.candidates)
        std::cout << padded(c.id, width) << padded(c.family.empty() ? "-" : c.family, 14) << padded(fixed(c.cv), 12)
                  << padded(fixed(c.weight, 4), 10) << c.cluster << "\n";
    std::cout << "\ncorrelation of OOF predictions\n" << padded("", width);
    for (std::size_t j = 0; j < r.candidates.size(); ++j) std::cout << padded("[" + std::to_string(j) + "]", 8);
    std::cout << "\n";
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
        std::cout << padded("[" + std::to_string(i) + "] " + r.candidates[i].id, width);
        for (double v : r.correlation[i]) std::cout << padded(fixed(v, 4), 8);
        std::cout << "\n";
    }
    if (!r.excluded.empty()) {
        std::cout << "\nnot blended:\n";
        for (const auto& e : r.excluded) std::cout << "  " << e << "\n";
    }
    std::cout << "\nbest single model: " << r.best_single_id << " cv " << fixed(r.best_single_cv, 6) << "\n"
              << "blend cv:          " << fixed(r.blend_cv, 6) << " (" << r.steps << " selection steps)\n"
              << "written to " << out_dir.string() << "/ (blend_oof.npy, blend_test.npy, blend.json, blend_submission.csv)\n";
}

}  // namespace

int cmd_blend(CommandArgs argv) {
    Args args(argv, {}, {"--json"});
    if (args.help()) {
        print_usage(command_named("blend"));
        std::cout << "\nReads DIR/config.json and DIR/experiments.json (DIR defaults to the current folder),\n"
                     "re-scores every experiment from its OOF file, selects models greedily with replacement,\n"
                     "and writes the blend to DIR/blends/.\n";
        return exit_ok;
    }
    args.max_positionals(1);
    const std::filesystem::path dir = args.positionals().empty() ? std::filesystem::current_path()
                                                                 : std::filesystem::path(args.positionals()[0]);
    const OpenWorkspace workspace(dir / "config.json");
    const Config& config = workspace.config;
    const PluginHost& plugins = workspace.plugins;
    const WorkspacePaths& paths = workspace.paths;

    auto metric = metrics::load_metric(plugins, config.competition.metric, metric_options(config.raw));
    const metrics::TargetEncoding target = metrics::load_train_target(config.competition, metric->prediction_kind());
    const auto experiments = metrics::read_experiments(paths.experiments);
    metrics::BlendOptions options;
    options.config = config.blend;
    const metrics::BlendResult result = metrics::blend_experiments(*metric, target, experiments, paths.root, options);
    const std::filesystem::path out_dir = paths.root / "blends";
    metrics::write_blend_outputs(result, config.competition, *metric, target, out_dir);

    if (args.flag("--json")) {
        auto doc = boost::json::parse(read_file(out_dir / "blend.json")).as_object();
        doc["output_dir"] = out_dir.string();
        std::cout << boost::json::serialize(doc) << "\n";
    } else {
        print_text(result, *metric, out_dir);
    }
    return exit_ok;
}

}  // namespace autokaggle::cli
