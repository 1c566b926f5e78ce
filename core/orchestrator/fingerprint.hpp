// The campaign fingerprint: what makes two CV scores comparable. Recorded in state.json when a
// campaign (or a CV regime) starts; a later change is refused by `run` unless `--rebaseline`
// starts a new regime (docs/orchestrator.md, "Comparable scores"). Everything else in
// config.json (agents, budget, runner...) may change freely; those changes are only logged.
#pragma once

#include "base/config.hpp"
#include "orchestrator/state_journal.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace autokaggle {

/// key -> value as text: metric, metric_options, cv_strategy, cv_folds, seed, target_column,
/// id_column, group_column, time_column, and "train.csv" / "test.csv" / "sample_submission.csv"
/// -> "<size> bytes, sha256 <hex>" (or "missing").
using Fingerprint = std::map<std::string, std::string>;

Fingerprint campaign_fingerprint(const Config& config);

struct SettingChange {
    std::string key, before, after;
};

/// The keys whose values differ (a key absent on one side counts as empty), in key order.
std::vector<SettingChange> compare_settings(const std::map<std::string, std::string>& recorded,
                                            const std::map<std::string, std::string>& now);

/// The free settings, for the log: every other top-level key of config.json as compact JSON.
std::map<std::string, std::string> free_settings(const Config& config);

/// "  cv_folds: 5 -> 3" lines.
std::string describe_changes(const std::vector<SettingChange>& changes);

/// At the start of a run: records the fingerprint (and the free settings) when none is recorded
/// yet; refuses a changed fingerprint with a ConfigError listing each change and the two ways
/// forward, unless `rebaseline`, which starts the next CV regime (the best CV and the best
/// submitted CV start afresh); logs changes of the free settings. Returns the regime in force.
int settle_fingerprint(StateJournal& journal, const Config& config, bool rebaseline,
                       const std::function<void(LogLevel, const std::string&)>& log);

/// SHA-256 of a file's content as 64 hex digits, read in blocks (no size limit).
std::string file_sha256(const std::filesystem::path& file);

}  // namespace autokaggle
