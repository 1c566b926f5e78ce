// Submitter plugins send a submission file to a leaderboard (Kaggle, or the local one that
// scores against held-out answers) and report its status, score and the daily quota.
//
// Ownership: the host owns the submitter. Thread-safety: one call at a time.
#pragma once

#include <autokaggle/sdk/abi.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

enum class SubmissionState { pending, complete, error };

inline std::string_view to_string(SubmissionState s) {
    switch (s) {
        case SubmissionState::pending: return "pending";
        case SubmissionState::complete: return "complete";
        case SubmissionState::error: return "error";
    }
    return "pending";
}

struct SubmissionRequest {
    std::filesystem::path file;   ///< a validated CSV
    std::string description;      ///< names the round and the experiment ("R07 xgb depth 6")
};

struct SubmissionInfo {
    std::string ref;                      ///< the leaderboard's id for it
    SubmissionState state = SubmissionState::pending;
    std::optional<double> public_score;
    std::string description;
    std::string date;                     ///< ISO-8601 UTC
    std::string message;                  ///< error text when state == error
};

struct Quota {
    int used_today = 0;  ///< submissions counted for the current UTC day
    int limit = 0;       ///< per UTC day
};

class AUTOKAGGLE_SDK_VISIBLE Submitter {
public:
    virtual ~Submitter() = default;
    /// Uploads and creates the submission; returns at once (state may be pending). Throws
    /// autokaggle::ServiceError for refusals (quota exhausted, invalid file, competition closed).
    virtual SubmissionInfo submit(const SubmissionRequest& request) = 0;
    /// The current state of one submission (poll until complete or error).
    virtual SubmissionInfo status(const std::string& ref) = 0;
    /// The newest submissions first; used to reconcile after a crash between upload and record.
    virtual std::vector<SubmissionInfo> recent(int limit) = 0;
    /// Today's quota when the leaderboard tells it; nullopt when unknown.
    virtual std::optional<Quota> quota() = 0;
};

}  // namespace autokaggle
