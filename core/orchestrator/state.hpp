// state.json: everything the orchestrator must remember across processes (docs/state.md).
// Written only through StateStore::save (atomic write, then the same bytes to state.json.bak,
// the last good copy); a torn, empty or unparsable state.json is repaired from the copy.
#pragma once

#include <autokaggle/sdk/host.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle {

inline constexpr int kStateSchemaVersion = 1;

/// One phase of the current round that finished, with the token it answered.
struct PhaseRecord {
    std::string token;
    std::string output;      ///< workspace-relative
    std::string finished_at; ///< ISO-8601 UTC
};

struct AgentRecord {
    std::string plugin;
    std::string session;     ///< Agent::session_id()
    int spawn_round = 0;     ///< round at which the current session started
};

/// The core's submission decision for the current round.
struct DecisionRecord {
    bool submit = false;
    std::string reason;
    std::string recommendation;  ///< the Builder's, from its findings: "submit", "do not submit", "" (none)
    std::string followed;        ///< "yes", or why the core decided otherwise ("" when there was none)
};

/// The progress of the round being worked on; cleared when the round is recorded.
struct RoundProgress {
    std::map<std::string, PhaseRecord> done;  ///< phase key -> record
    std::optional<std::string> failure;       ///< "plan: reply 'x' is not a valid token (...)"
    std::optional<double> claimed_cv;
    bool code_crashed = false;
    std::string run_status;                   ///< outcome of the round's last experiment run ("ok", "killed_fold1", ...)
    std::optional<double> verified_cv;
    std::string verify_message;
    std::optional<DecisionRecord> decision;
    std::string scrape_note;
};

struct SubmissionRecord {
    int round = 0;
    int regime = 1;           ///< the CV regime its CV belongs to
    std::string ref;
    std::string description;
    std::string file;         ///< workspace-relative
    std::string day;          ///< UTC day it counted against (YYYY-MM-DD)
    std::string state;        ///< pending | complete | error
    std::optional<double> cv;
    std::optional<double> lb;
    std::string message;
};

/// Written before Submitter::submit() and cleared after the result is recorded, so that a crash
/// between the two is reconciled with Submitter::recent() (matched by description).
struct PendingSubmission {
    int round = 0;
    std::string description;
    std::string file;         ///< workspace-relative
    std::string started_at;
    std::optional<double> cv;
};

/// A CV regime: the rounds whose CVs are comparable because the fingerprint (fingerprint.hpp)
/// stayed the same. `run --rebaseline` starts the next one.
struct CvRegime {
    int number = 1;
    int since_round = 0;
    std::string started_at;
    std::map<std::string, std::string> fingerprint;  ///< empty until first recorded
};

struct CampaignState {
    int schema_version = kStateSchemaVersion;
    int round = 0;
    std::string phase = "start";
    std::optional<int> max_rounds;  ///< the round limit in force (--max-rounds, else budget.max_rounds)
    RoundProgress current;
    CvRegime regime;
    std::map<std::string, std::string> free_settings;  ///< the rest of config.json, to log changes
    std::optional<double> best_cv;
    int best_cv_round = -1;
    std::optional<double> best_lb;
    int best_lb_round = -1;
    std::optional<double> best_submitted_cv;  ///< the margin of the submission policy is against this
    int best_submitted_round = -1;
    std::map<std::string, AgentRecord> agents;  ///< role -> record
    std::map<std::string, int> submissions_per_day;  ///< UTC day -> count
    std::vector<SubmissionRecord> submissions;
    std::optional<PendingSubmission> pending_submission;
    std::map<std::string, Usage> usage_by_role;
    std::map<int, Usage> usage_by_round;
    double seconds_spent = 0;   ///< wall-clock of all runs of this campaign
    boost::json::object run_records;  ///< runner label -> RunHandle::record()
    bool cv_lb_divergence = false;
    std::string divergence_note;
    std::string stop_reason;
    std::string stopped_at;     ///< "R05 plan"
    std::string started_at;
    std::string updated_at;
};

boost::json::value to_json(const CampaignState& state);
/// Throws autokaggle::Error naming `source` and the field when the document does not fit.
CampaignState state_from_json(const boost::json::value& json, const std::string& source);

Usage usage_from_json(const boost::json::value& json);
boost::json::value to_json(const Usage& usage);
Usage total_usage(const CampaignState& state);

/// Loads and saves state.json and its last good copy state.json.bak.
class StateStore {
public:
    using Warn = std::function<void(const std::string&)>;
    explicit StateStore(std::filesystem::path state_file);

    /// The stored state; a fresh one when neither file exists. A missing, empty or unparsable
    /// state.json next to a good .bak is repaired from it (reported through `warn`). Throws
    /// Error naming both files when neither can be read.
    CampaignState load(const Warn& warn) const;
    /// Like load() but never writes (for `status`).
    CampaignState peek(const Warn& warn) const;
    /// Atomically writes state.json, then the same content to state.json.bak.
    void save(const CampaignState& state) const;

    const std::filesystem::path& file() const { return file_; }
    std::filesystem::path backup_file() const;

private:
    CampaignState read(const Warn& warn, bool repair) const;
    std::filesystem::path file_;
};

}  // namespace autokaggle
