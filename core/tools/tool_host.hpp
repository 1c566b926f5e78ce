// What the tools need from the process serving them: the HostServices of the campaign (paths,
// competition, log, cancellation, run_experiment with the kill gate and run records), the
// metric, the submitter, a runner for scratch code and the Kaggle client. PluginToolHost makes
// them through the plugin host, the same way the orchestrator does, so the `llm` agent (in the
// orchestrator's process) and `autokaggle mcp` (a separate process) get the same tools.
#pragma once

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/sdk/runner.hpp>
#include <autokaggle/sdk/submitter.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle::kaggle {
class Client;
}

namespace autokaggle::tools {

/// The settings the tools read from config.json.
struct ToolSettings {
    ToolsConfig tools;
    BlendConfig blend;
    double cv_tolerance = 1e-6;
    PluginSelection runner;     ///< the configured runner; run_python reuses its options when it is "local"
    PluginSelection submitter;  ///< what the leaderboard tool asks
    std::string kaggle_api_base;  ///< api_base of a configured Kaggle plugin, when set
    /// Files no tool may read: the local submitter's answers and leaderboard (private scores).
    std::vector<std::filesystem::path> held_out;
    /// More workspace paths refused for writing (the data folder, wherever it is).
    std::vector<std::filesystem::path> protected_paths;
};

/// The settings of a loaded config.json.
ToolSettings tool_settings(const Config& config);

/// The files the local submitter keeps away from agents (its answers and its leaderboard with
/// private scores) as its options name them, resolved against the workspace; empty for other
/// submitters.
std::vector<std::filesystem::path> held_out_files(const PluginSelection& submitter, const std::filesystem::path& root);

class ToolHost {
public:
    virtual ~ToolHost() = default;
    virtual HostServices& host() = 0;
    /// The competition's metric; nullptr when no loaded plugin provides it.
    virtual const Metric* metric() = 0;
    /// The configured submitter; nullptr when none is configured or it cannot be created.
    virtual Submitter* submitter() = 0;
    /// The runner for run_python: a local runner with the scratch limits. Throws ConfigError.
    virtual Runner& scratch_runner() = 0;
    /// The Kaggle client; nullptr when there are no credentials.
    virtual const kaggle::Client* kaggle() = 0;
};

/// A ToolHost whose plugins come from a PluginHost, created on first use.
class PluginToolHost final : public ToolHost {
public:
    PluginToolHost(HostServices& host, const PluginHost& plugins, ToolSettings settings);
    ~PluginToolHost() override;

    HostServices& host() override { return host_; }
    const Metric* metric() override;
    Submitter* submitter() override;
    Runner& scratch_runner() override;
    const kaggle::Client* kaggle() override;
    const ToolSettings& settings() const { return settings_; }

private:
    PluginContext context(const boost::json::object& options) const;

    HostServices& host_;
    const PluginHost& plugins_;
    ToolSettings settings_;
    std::mutex mutex_;
    const Metric* metric_ = nullptr;  ///< the host's
    bool metric_tried_ = false;
    std::shared_ptr<Submitter> submitter_;
    bool submitter_tried_ = false;
    std::shared_ptr<Runner> scratch_runner_;
    std::unique_ptr<kaggle::Client> kaggle_;
    bool kaggle_tried_ = false;
};

}  // namespace autokaggle::tools
