// The competition's metric as config.json configures it ("metric" and "metric_options"): the
// one place a metric object is created, for the campaign's host, the commands and `validate`.
// Plugins reach it through HostServices::metric() and never create their own.
#pragma once

#include "base/plugin_host.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace autokaggle {

/// config.json's "metric_options" (empty when absent or not an object; `validate` reports that).
boost::json::object metric_options(const boost::json::object& config);

/// The metric named `name` ("rmse", "map@5") from whichever loaded plugin provides it, its
/// `options` validated against the plugin's schema with defaults filled in. Throws ConfigError
/// naming "config.json: metric_options.<key>" for a bad option, or listing the available
/// metrics when no plugin provides `name`.
std::shared_ptr<Metric> create_metric(const PluginHost& plugins, std::string_view name,
                                      const boost::json::object& options, HostServices& host);

/// "higher" or "lower".
std::string direction_name(Direction direction);

/// The configured metric, created on first use and kept; safe to call from any thread.
class ConfiguredMetric {
public:
    const Metric& get(const PluginHost& plugins, const CompetitionInfo& competition, const boost::json::object& config,
                      HostServices& host);

private:
    std::mutex mutex_;
    std::shared_ptr<Metric> metric_;
};

/// HostServices outside a campaign (`autokaggle score`, `validate`, the dashboard): the paths,
/// competition and config it is given, the configured metric, warnings on stderr; no LLMs and
/// no experiments.
class StandaloneHost final : public HostServices {
public:
    StandaloneHost(const PluginHost& plugins, CompetitionInfo competition = {}, boost::json::object config = {},
                   WorkspacePaths paths = {});

    const WorkspacePaths& paths() const override { return paths_; }
    const CompetitionInfo& competition() const override { return competition_; }
    const boost::json::object& config() const override { return config_; }
    void log(LogLevel level, std::string_view source, std::string_view message) override;
    bool cancel_requested() const override { return false; }
    void report_usage(std::string_view, const Usage&) override {}
    LlmProvider& llm(std::string_view configuration_name) override;
    const Metric& metric() override;
    ExperimentResult run_experiment(const ExperimentRequest& request) override;

private:
    const PluginHost& plugins_;
    CompetitionInfo competition_;
    boost::json::object config_;
    WorkspacePaths paths_;
    ConfiguredMetric metric_;
};

}  // namespace autokaggle
