// The HostServices the orchestrator offers its plugins: paths, the competition, the log, usage
// accounting (per role and per round, feeding the budgets, with usage.tsv for the user),
// cancellation, lazily created LLM providers, experiment runs, and the core's tools
// (core/tools) with the facts role prompts state. `autokaggle mcp` uses the same host.
#pragma once

#include "base/config.hpp"
#include "base/configured_metric.hpp"
#include "base/log.hpp"
#include "base/plugin_host.hpp"
#include "tools/tool_host.hpp"
#include "tools/tool_surface.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace autokaggle {

class CampaignHost final : public HostServices {
public:
    /// `stop_reason` returns a non-empty reason once the campaign should stop (signal, budget,
    /// deadline); it must be thread-safe.
    using StopCheck = std::function<std::string()>;
    using ExperimentFn = std::function<ExperimentResult(const ExperimentRequest&)>;

    CampaignHost(const Config& config, WorkspacePaths paths, const PluginHost& plugins, Logger& logger);

    const WorkspacePaths& paths() const override { return paths_; }
    const CompetitionInfo& competition() const override { return competition_; }
    const boost::json::object& config() const override { return config_.raw; }
    void log(LogLevel level, std::string_view source, std::string_view message) override;
    bool cancel_requested() const override;
    void report_usage(std::string_view role, const Usage& usage) override;
    LlmProvider& llm(std::string_view configuration_name) override;
    /// Created on first use from config.json's metric and metric_options.
    const Metric& metric() override;
    ExperimentResult run_experiment(const ExperimentRequest& request) override;
    std::vector<ToolSpec> tool_specs(std::string_view role) override;
    ToolResult call_tool(const ToolCallContext& context, const ToolCall& call) override;
    std::map<std::string, std::string> prompt_values(std::string_view role) override;

    // For the orchestrator.
    /// The round limit in force (CompetitionInfo::max_rounds as agents see it); call before any
    /// plugin is created.
    void set_round_limit(std::optional<int> last_round);
    void set_stop_check(StopCheck check);
    void set_experiment_runner(ExperimentFn fn);
    /// Usage is charged to this round from now on.
    void set_round(int round) { round_.store(round); }
    int round() const { return round_.load(); }
    /// The tools (created on first use), for `autokaggle mcp`.
    tools::ToolSurface& tool_surface();
    /// Seeds the totals with what earlier runs recorded.
    void restore_usage(std::map<std::string, Usage> by_role, std::map<int, Usage> by_round);
    std::map<std::string, Usage> usage_by_role() const;
    std::map<int, Usage> usage_by_round() const;
    Usage total_usage() const;
    /// The reason a stop is due now, or empty.
    std::string stop_reason() const;

private:
    const Config& config_;
    CompetitionInfo competition_;
    WorkspacePaths paths_;
    const PluginHost& plugins_;
    Logger& logger_;
    std::atomic<int> round_{0};
    mutable std::mutex mutex_;  ///< guards usage, llms_, stop_check_, experiment_
    std::map<std::string, Usage> by_role_;
    std::map<int, Usage> by_round_;
    std::map<std::string, std::shared_ptr<LlmProvider>, std::less<>> llms_;
    ConfiguredMetric metric_;
    StopCheck stop_check_;
    ExperimentFn experiment_;
    std::mutex tools_mutex_;  ///< guards the lazy creation of the tools
    std::unique_ptr<tools::PluginToolHost> tool_host_;
    std::unique_ptr<tools::ToolSurface> tool_surface_;
};

/// usage.tsv: one row per round (input tokens with the cache writes and reads shown apart,
/// output tokens, USD), then a total row. Written whole and atomically.
void write_usage_table(const std::filesystem::path& file, const std::map<int, Usage>& by_round);

}  // namespace autokaggle
