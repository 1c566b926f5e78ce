// `autokaggle status`: the campaign at a glance, read-only (never takes the lock, never
// repairs files; a torn state.json is read from its last good copy).
#pragma once

#include "orchestrator/results.hpp"
#include "orchestrator/state.hpp"

#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle {

struct StatusView {
    std::filesystem::path root;
    std::string competition, metric, direction;
    CampaignState state;
    std::vector<ResultRow> last_rows;  ///< the last N rows of results.tsv
    int total_rows = 0;
    int submissions_today = 0;
    int max_submissions_per_day = 0;
    double max_usd = 0, max_hours = 0;
    long long max_tokens = 0;
    int max_rounds = 0;                ///< the limit in force: the last run's, else budget.max_rounds
    std::optional<long> running_pid;   ///< a `run` holding the lock right now
    std::vector<std::string> warnings; ///< repairs the next `run` will make, unreadable config
};

struct Config;

/// The metric directions plugins declared for configs that state none, remembered by metric,
/// metric options and plugin folders: a reader that polls (the dashboard) loads the plugins
/// once, not at every reading.
class DeclaredDirections {
public:
    /// "higher" or "lower"; empty, with a warning, when no plugin makes the metric.
    std::string of(const Config& config, std::vector<std::string>& warnings);

private:
    std::map<std::string, std::string> known_;
};

/// Reads the workspace at `root` (config.json, state.json, results.tsv). `directions`: where
/// a direction the config leaves out is looked up (a fresh lookup when null).
StatusView read_status(const std::filesystem::path& root, int rows, DeclaredDirections* directions = nullptr);

std::string format_status_text(const StatusView& view);
boost::json::object format_status_json(const StatusView& view);

}  // namespace autokaggle
