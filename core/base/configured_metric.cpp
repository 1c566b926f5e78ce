#include "base/configured_metric.hpp"

#include "base/config.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <iostream>

namespace autokaggle {

namespace json = boost::json;

json::object metric_options(const json::object& config) {
    const json::value* options = config.if_contains("metric_options");
    return options && options->is_object() ? options->get_object() : json::object();
}

std::shared_ptr<Metric> create_metric(const PluginHost& plugins, std::string_view name, const json::object& options,
                                      HostServices& host) {
    PluginContext context;
    context.instance = std::string(name);
    context.host = &host;
    if (const PluginInfo* info = plugins.find_metric(name)) {
        std::vector<Diagnostic> diagnostics;
        context.options = plugins.validate_options(*info, options, "metric_options", diagnostics);
        std::string errors;
        for (const auto& d : diagnostics)
            if (d.severity == Diagnostic::Severity::error) errors += "\n  " + d.format();
        if (!errors.empty())
            throw ConfigError("metric '" + std::string(name) + "': invalid metric_options (fix or remove them):" + errors);
    }
    return plugins.create_metric(name, context);
}

std::string direction_name(Direction direction) { return direction == Direction::higher ? "higher" : "lower"; }

const Metric& ConfiguredMetric::get(const PluginHost& plugins, const CompetitionInfo& competition,
                                    const json::object& config, HostServices& host) {
    std::lock_guard lock(mutex_);
    if (!metric_) {
        if (competition.metric.empty()) throw ConfigError("config.json: metric: no metric configured");
        metric_ = create_metric(plugins, competition.metric, metric_options(config), host);
    }
    return *metric_;
}

StandaloneHost::StandaloneHost(const PluginHost& plugins, CompetitionInfo competition, json::object config,
                               WorkspacePaths paths)
    : plugins_(plugins), competition_(std::move(competition)), config_(std::move(config)), paths_(std::move(paths)) {}

void StandaloneHost::log(LogLevel level, std::string_view source, std::string_view message) {
    if (level >= LogLevel::warn) std::cerr << source << ": " << message << "\n";
}

LlmProvider& StandaloneHost::llm(std::string_view name) {
    throw ConfigError("no LLM '" + std::string(name) + "' outside a campaign");
}

const Metric& StandaloneHost::metric() { return metric_.get(plugins_, competition_, config_, *this); }

ExperimentResult StandaloneHost::run_experiment(const ExperimentRequest&) {
    throw Error("experiments cannot run outside a campaign");
}

}  // namespace autokaggle
