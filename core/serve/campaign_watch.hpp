// One campaign as the dashboard sees it: the files the orchestrator writes, read-only and
// tolerantly (results.tsv by column name, unknown keys and columns ignored, a torn state.json
// read from its last good copy like `status` does), turned into two JSON documents for the page:
//   summary  header facts, rounds, experiments, correlations, blend, warnings (changes when a
//            file changes)
//   live     round and phase, the running experiment's folds, its log tail, the campaign log
//            tail (changes while a run works)
// Each carries a version that grows when its text changes, so event streams send only news.
// Every text passes through redact() before it leaves this class.
#pragma once

#include "orchestrator/status.hpp"
#include "runner/score_lines.hpp"
#include "serve/workspace_files.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>


namespace autokaggle::serve {

/// results.tsv rows as JSON objects keyed by the header's column names (values as text; a file
/// without a header is read with the documented columns). Rows whose field count does not match
/// the header, and a last line without its line end, are skipped and reported in `warnings`.
boost::json::array parse_results_table(std::string_view text, std::vector<std::string>& warnings);

/// What the page shows of an experiment run: folds parsed from its log as the log grows (only
/// new bytes are read), and when it started.
class RunLogFollower {
public:
    /// Follows `log` (workspace-relative) for the run identified by `run_key`.
    RunLogFollower(std::string run_key, std::string log);
    const std::string& run_key() const { return run_key_; }
    /// Reads what was appended since the last call (a file replaced or cut starts over).
    void update(const WorkspaceFiles& files, const std::string& log);
    const ScoreLineParser& parser() const { return *parser_; }
    const std::string& log() const { return log_; }

private:
    std::string run_key_, log_;
    std::uint64_t inode_ = 0;
    std::uintmax_t offset_ = 0;
    std::unique_ptr<ScoreLineParser> parser_;
};

class CampaignWatch {
public:
    struct Snapshot {
        std::string summary;            ///< JSON text
        std::uint64_t summary_version = 0;
        std::string live;               ///< JSON text
        std::uint64_t live_version = 0;
    };

    /// `id`: the campaign's name in URLs. Throws autokaggle::Error when `root` cannot be opened.
    CampaignWatch(std::string id, const std::filesystem::path& root);

    const std::string& id() const { return id_; }
    const std::filesystem::path& root() const { return files_.root(); }
    const WorkspaceFiles& files() const { return files_; }

    /// Reads the workspace again when the last reading is older than `max_age`; never throws
    /// (what cannot be read becomes a warning, the last good reading stays). Thread-safe.
    Snapshot refresh(std::chrono::milliseconds max_age = std::chrono::milliseconds(400));

    /// The files of round `round` the page can open, in reading order, as JSON text.
    std::string round_files(int round) const;

    /// One line for the campaign list: id, folder, competition, round, phase, running, best CV.
    boost::json::object list_entry();

private:
    void read_locked();
    boost::json::object build_summary(const StatusView& view);
    boost::json::object build_live(const StatusView& view);
    /// The experiment running now (from state.json's run_records), or null.
    boost::json::value live_run(const boost::json::object& run_records);

    std::string id_;
    WorkspaceFiles files_;
    std::mutex mutex_;
    DeclaredDirections directions_;     ///< for a config.json without metric_direction
    std::chrono::steady_clock::time_point read_at_{};
    bool read_once_ = false;
    std::string fingerprint_;           ///< sizes and times of the summary's files
    boost::json::object status_;        ///< format_status_json of the last good reading
    boost::json::object summary_doc_;   ///< the last summary, before warnings are added
    int cv_folds_ = 0;
    std::optional<RunLogFollower> follower_;
    std::optional<double> run_started_;
    Snapshot snapshot_;
};

}  // namespace autokaggle::serve
