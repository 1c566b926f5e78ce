// The "local" submitter (docs/autopilot.md, "Local leaderboard").
#pragma once

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/sdk/submitter.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace autokaggle::local_submitter {

/// The plugin's options, each default stated here once.
inline constexpr const char* kOptionsSchema = R"json({
 "answers": {"type": "string", "default": "", "doc": "held-out answers CSV (id and target), outside the workspace; relative paths start at the workspace"},
 "public_share": {"type": "number", "default": 0.3, "doc": "share of test ids on the public leaderboard"},
 "split_seed": {"type": "integer", "default": 2026, "doc": "seed of the fixed public/private split"},
 "max_submissions_per_day": {"type": "integer", "default": 0, "doc": "daily quota (UTC); 0 = config.json max_submissions_per_day"},
 "leaderboard": {"type": "string", "default": "", "doc": "leaderboard file with the private scores, outside the workspace; empty = leaderboard.json next to the answers"}})json";

/// The seeded hash that places a test id on the public or the private leaderboard.
std::uint64_t split_hash(std::string_view id, std::uint64_t seed);
bool is_public(std::string_view id, double public_share, std::uint64_t seed);

struct Scores {
    double public_score = 0, private_score = 0;
    std::size_t public_rows = 0, private_rows = 0;
};

class LocalSubmitter final : public Submitter {
public:
    LocalSubmitter(HostServices& host, const boost::json::object& options);
    ~LocalSubmitter() override;
    SubmissionInfo submit(const SubmissionRequest& request) override;
    SubmissionInfo status(const std::string& ref) override;
    std::vector<SubmissionInfo> recent(int limit) override;
    std::optional<Quota> quota() override;

    /// Public and private scores of a submission file (nothing recorded).
    Scores score(const std::filesystem::path& submission);

private:
    boost::json::object load_board() const;
    int used_today(const boost::json::object& board) const;

    HostServices& host_;
    std::filesystem::path answers_, leaderboard_;
    double public_share_ = 0.3;
    std::uint64_t split_seed_ = 2026;
    int limit_ = 0;
};

}  // namespace autokaggle::local_submitter
