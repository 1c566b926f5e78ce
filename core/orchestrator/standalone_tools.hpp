// The core's tools for a workspace outside the orchestrator's process (`autokaggle mcp`, which a
// coding-agent CLI starts): the same host pieces as a campaign - the configured runner with the
// fold-1 kill gate against the best verified experiment state.json records, the metric, the
// submitter - but files as the only link to the running campaign: state.json is read (never
// written) for the round and phase in progress, and the round's run record and outcome are kept
// in rounds/R{NN}_run.json (tools/run_journal.hpp), which the orchestrator reads.
#pragma once

#include "base/config.hpp"
#include "base/log.hpp"
#include "base/plugin_host.hpp"
#include "orchestrator/campaign_host.hpp"
#include "orchestrator/experiment_adapter.hpp"

#include <autokaggle/sdk/tool.hpp>

#include <functional>
#include <memory>
#include <string>

namespace autokaggle {

class StandaloneTools {
public:
    /// `stop_reason` returns a non-empty reason once tools must stop (a signal, the client gone).
    StandaloneTools(const Config& config, const PluginHost& plugins, Logger& logger,
                    std::function<std::string()> stop_reason);
    ~StandaloneTools();

    CampaignHost& host() { return host_; }
    tools::ToolSurface& surface() { return host_.tool_surface(); }
    /// The role's context now: the round and phase state.json records ("" before round 0 starts).
    ToolCallContext context(const std::string& role);

private:
    KillGateContext kill_gate();

    const Config& config_;
    const PluginHost& plugins_;
    WorkspacePaths paths_;
    CampaignHost host_;
    std::unique_ptr<ExperimentAdapter> adapter_;
    const Metric* metric_ = nullptr;  ///< the host's, for the kill gate's fold-1 scoring, taken on first use
    std::optional<metrics::TargetEncoding> target_;
};

}  // namespace autokaggle
