#include "metrics/metric_loader.hpp"

#include "base/config.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <iostream>

namespace autokaggle::metrics {

namespace {

/// HostServices for a metric used outside a campaign: no workspace, no LLMs, no runner.
class StandaloneHost final : public HostServices {
public:
    const WorkspacePaths& paths() const override { return paths_; }
    const CompetitionInfo& competition() const override { return competition_; }
    const boost::json::object& config() const override { return config_; }
    void log(LogLevel level, std::string_view source, std::string_view message) override {
        if (level >= LogLevel::warn) std::cerr << source << ": " << message << "\n";
    }
    bool cancel_requested() const override { return false; }
    void report_usage(std::string_view, const Usage&) override {}
    LlmProvider& llm(std::string_view name) override {
        throw ConfigError("no LLM '" + std::string(name) + "' outside a campaign");
    }
    ExperimentResult run_experiment(const ExperimentRequest&) override {
        throw Error("experiments cannot run outside a campaign");
    }

private:
    WorkspacePaths paths_;
    CompetitionInfo competition_;
    boost::json::object config_;
};

struct MetricWithHost {
    StandaloneHost host;
    std::shared_ptr<Metric> metric;
};

}  // namespace

std::shared_ptr<Metric> load_metric(const PluginHost& plugins, std::string_view name, const boost::json::object& options,
                                    HostServices* host) {
    const PluginInfo* info = plugins.find_metric(name);
    PluginContext context;
    context.instance = std::string(name);
    if (info != nullptr) {
        std::vector<Diagnostic> diagnostics;
        context.options = plugins.validate_options(*info, options, "metric_options", diagnostics);
        std::string errors;
        for (const auto& d : diagnostics)
            if (d.severity == Diagnostic::Severity::error) errors += "\n  " + d.format();
        if (!errors.empty()) throw ConfigError("metric '" + std::string(name) + "': invalid options:" + errors);
    }
    if (host != nullptr) {
        context.host = host;
        return plugins.create_metric(name, context);
    }
    auto holder = std::make_shared<MetricWithHost>();
    context.host = &holder->host;
    holder->metric = plugins.create_metric(name, context);
    return std::shared_ptr<Metric>(holder, holder->metric.get());
}

}  // namespace autokaggle::metrics
