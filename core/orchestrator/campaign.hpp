// The round loop (docs/orchestrator.md): sequences the agents, verifies, decides submissions and
// keeps the books. Every step's completion is recorded in state.json before the next starts, so
// a new process resumes where the last one stopped; completed steps are never re-run.
#pragma once

#include "base/config.hpp"
#include "base/log.hpp"
#include "base/plugin_host.hpp"
#include "orchestrator/state.hpp"

#include <autokaggle/sdk/agent.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace autokaggle {

struct CampaignOptions {
    std::optional<int> max_rounds;  ///< --max-rounds (absolute round number), else budget.max_rounds
    /// --rebaseline: accept a changed fingerprint (fingerprint.hpp) and start a new CV regime.
    /// Without it a changed fingerprint is a ConfigError naming each change.
    bool rebaseline = false;
    /// Non-empty once an external stop was requested (a signal): the reason ("SIGTERM").
    std::function<std::string()> external_stop;
};

struct CampaignOutcome {
    std::string stop_reason;  ///< max_rounds, max_hours, max_usd, max_tokens, deadline, SIGINT, SIGTERM
    std::string stopped_at;   ///< "R05 plan"
    int rounds_finished = 0;  ///< in this process
};

class Campaign {
public:
    Campaign(const Config& config, const PluginHost& plugins, Logger& logger, CampaignOptions options);
    ~Campaign();
    Campaign(const Campaign&) = delete;
    Campaign& operator=(const Campaign&) = delete;

    /// Runs (or resumes) until a stop condition; the workspace lock must be held by the caller.
    CampaignOutcome run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Validates one agent reply for a phase; returns the problem, or empty when it is valid.
std::string token_problem(Phase phase, const std::string& reply);

}  // namespace autokaggle
