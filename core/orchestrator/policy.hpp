// The submission policy (docs/orchestrator.md): decided by the core, never by an agent.
#pragma once

#include <autokaggle/sdk/metric.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace autokaggle {

struct SubmissionPolicy {
    bool enabled = true;                 ///< orchestrator.submit
    double min_improvement = 0.0;
    int endgame_days = 3;
    double endgame_min_improvement = 0.001;
    int max_submissions_per_day = 5;
};

struct SubmissionInputs {
    std::optional<double> verified_cv;   ///< nullopt: the CV could not be verified
    std::string unverified_reason;       ///< why, when not verified
    bool reviewer_approved = true;       ///< the Reviewer's verify phase said APPROVED
    std::optional<double> best_submitted_cv;
    int best_submitted_round = -1;
    Direction direction = Direction::higher;
    int used_today = 0;                  ///< max(our own count, the submitter's)
    std::optional<int> limit_today;      ///< the submitter's limit when it knows one
    std::string deadline;                ///< YYYY-MM-DD (end of that UTC day), empty: none
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

struct SubmissionDecision {
    bool submit = false;
    std::string reason;    ///< one sentence with the numbers
    double margin = 0.0;   ///< the margin that applied
    bool endgame = false;
};

SubmissionDecision decide_submission(const SubmissionPolicy& policy, const SubmissionInputs& in);

/// The end of the deadline day (next midnight UTC), or nullopt for an empty deadline. Throws
/// ConfigError for a value that is not YYYY-MM-DD.
std::optional<std::chrono::system_clock::time_point> deadline_end(const std::string& deadline);

/// The UTC day (YYYY-MM-DD) of a time point.
std::string utc_day(std::chrono::system_clock::time_point t);

}  // namespace autokaggle
