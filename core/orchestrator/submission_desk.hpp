// The submission desk: everything between a verified score and the leaderboard, kept apart from
// the round loop so that it can be tested against a fake submitter.
//   decide     the policy (policy.hpp) with the quota the submitter reports
//   submit     builds the file, records it as pending BEFORE the upload and as a submission
//              after it, so that a crash in between is reconciled and never sent twice; a
//              refusal (4xx) is final, any other failure keeps the upload pending
//   reconcile  asks the leaderboard whether a pending upload arrived (matched by description)
//   poll       waits (bounded, backing off) for the public score and applies it: best LB and
//              the CV/LB divergence flag
// Every change of state goes through the StateJournal; no lock is held across a plugin call.
#pragma once

#include "base/log.hpp"
#include "orchestrator/experiments.hpp"
#include "orchestrator/policy.hpp"
#include "orchestrator/state_journal.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/sdk/submitter.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace autokaggle {

struct DeskSettings {
    SubmissionPolicy policy;
    std::string deadline;                    ///< YYYY-MM-DD (end of that UTC day), empty: none
    Direction direction = Direction::higher;
    double first_poll_s = 1.0;               ///< the wait before the second status call, doubling...
    double max_poll_interval_s = 30.0;       ///< ...up to this
    double max_poll_s = 900.0;               ///< then the score is left for the next start to fetch
};

/// A round's submission decision with what it rests on (written to R{NN}_decision.md).
struct DeskDecision {
    SubmissionDecision decision;
    std::optional<Recommendation> recommendation;  ///< the Builder's, from its findings
    std::string followed;      ///< "yes", or why the decision differs from the recommendation
    std::optional<double> verified_cv;
    std::string day;          ///< the UTC day the quota counts
    int used_today = 0;       ///< max(our own count, the leaderboard's)
    std::string quota_note;   ///< what the leaderboard said about the quota, or why it is unknown
};

/// How the submit step ended; `token` is what state.json records for the step.
struct SubmitOutcome {
    std::string token;   ///< SUBMITTED, SKIPPED, REFUSED or FAILED
    std::string reason;  ///< why nothing new was sent (empty when submitted)
};

class SubmissionDesk {
public:
    /// The configured submitter, created on first use; nullptr when none is configured.
    using SubmitterSource = std::function<Submitter*()>;
    /// Non-empty once the campaign should stop (signal, budget, deadline).
    using StopReason = std::function<std::string()>;
    using Log = std::function<void(LogLevel, const std::string&)>;
    /// Writes the submission file (throws when it cannot be built or is not valid).
    using BuildFile = std::function<void(const std::filesystem::path& file)>;

    SubmissionDesk(SubmitterSource submitter, StateJournal& journal, WorkspacePaths paths, DeskSettings settings,
                   StopReason stop_reason, Log log);

    /// The decision for the round in progress, from the journal (verified CV, the Reviewer's
    /// verify token, the best submitted CV, today's count) and the submitter's quota, compared
    /// with the Builder's recommendation. Changes nothing.
    DeskDecision decide(std::chrono::system_clock::time_point now, std::optional<Recommendation> recommendation = {}) const;

    /// Sends the round's submission unless it is already recorded: reconciles a pending upload
    /// first (holding back while the leaderboard cannot say whether it arrived), builds `file`,
    /// uploads it and polls its score. A failure is recorded as the round's decision (with the
    /// reason) and returned, never thrown; only a stop (autokaggle::Cancelled) propagates.
    SubmitOutcome submit(int round, const BuildFile& build, const std::filesystem::path& file,
                         const std::string& description);

    /// Settles a pending upload with Submitter::recent(): found means it arrived (recorded),
    /// not found means it never left (cleared, so it can be sent again). Throws when the
    /// leaderboard cannot be asked (the record stays pending).
    void reconcile();

    /// Polls the round's submission until the leaderboard scored it (bounded; a stop or the
    /// time limit leaves it pending for the next start).
    void poll(int round);
    /// Polls every submission still pending.
    void poll_pending();

    /// Applies what the leaderboard reports about one recorded submission: its state, LB and
    /// message, the best LB, and the CV/LB divergence flag (a better CV than the best-LB
    /// submission that scores worse on the LB). Returns the divergence note when it was raised.
    static std::optional<std::string> apply_status(CampaignState& state, SubmissionRecord& record,
                                                   const SubmissionInfo& info, Direction direction);

private:
    SubmitOutcome decline(int round, const std::string& reason, const std::string& token, bool keep_pending);
    void stop_if_requested() const;
    void info(const std::string& message) const { log_(LogLevel::info, message); }
    void warn(const std::string& message) const { log_(LogLevel::warn, message); }

    SubmitterSource submitter_;
    StateJournal& journal_;
    WorkspacePaths paths_;
    DeskSettings settings_;
    StopReason stop_reason_;
    Log log_;
};

/// R{NN}_decision.md: the decision under the heading "## Submission decision".
std::string decision_markdown(int round, const DeskDecision& decision);

}  // namespace autokaggle
