// The campaign's books (docs/state.md): results.tsv, experiments.json and LEARNINGS.md. A round
// is recorded from the state it finished with; recording is idempotent (upserts by round and
// id, LEARNINGS.md by section), so a crash between two writes is harmless. The books also
// register the experiments of existing_oof_dir and write the summary agents are re-spawned with.
#pragma once

#include "orchestrator/experiments.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/state.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle {

class CampaignBooks {
public:
    using Log = std::function<void(LogLevel, const std::string&)>;

    CampaignBooks(WorkspacePaths paths, Log log);

    /// Reads results.tsv (a half-written last line is dropped and the file rewritten) and
    /// experiments.json.
    void load();

    /// Writes round `round`'s row, its experiment entry (with its OOF correlations) and its
    /// learnings, from the state as it stands before the round is closed. Returns the row.
    ResultRow record(int round, const CampaignState& state);

    /// The status results.tsv gives a round: eda, ok, unverified, crash, failed, or how the
    /// runner ended the run (killed_fold1, timeout, oom...).
    static std::string round_status(int round, const RoundProgress& progress);

    /// Makes `regime` the registry's current CV regime (experiments.json "regime"): from now on
    /// blends use only its experiments. Writes only when it changes.
    void set_regime(int regime);

    /// Registers each experiment of existing_oof_dir once (the metric engine checks and scores
    /// it); reasons for the ones not registered are logged.
    void register_existing(const CompetitionInfo& competition, const Metric& metric);

    /// The compact summary an agent is re-spawned with: competition, metric, best CV and LB, the
    /// last 30 results rows and LEARNINGS.md.
    std::string summary(int round, const CompetitionInfo& competition, const CampaignState& state) const;

    const std::vector<ResultRow>& results() const { return results_; }

private:
    void record_experiment(int round, const CampaignState& state, const std::string& status,
                           const std::optional<double>& lb);

    WorkspacePaths paths_;
    Log log_;
    std::vector<ResultRow> results_;
    ExperimentRegistry registry_;
};

}  // namespace autokaggle
