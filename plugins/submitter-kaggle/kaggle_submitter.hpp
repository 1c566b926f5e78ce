// The "kaggle" submitter: sends a submission in Kaggle's three steps (StartSubmissionUpload,
// PUT the bytes to the upload URL, CreateSubmission with the description), reads its status
// and score back (GetSubmission), lists recent submissions for crash reconciliation
// (ListSubmissions) and counts today's (UTC) submissions against the competition's
// maxDailySubmissions.
#pragma once

#include <autokaggle/support/kaggle_client.hpp>

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/submitter.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace autokaggle::kaggle_submitter {

inline constexpr const char* options_schema = R"json({
  "api_base": {"type": "string", "default": "https://api.kaggle.com",
               "doc": "Kaggle API base URL; the environment variable KAGGLE_API_BASE_URL overrides it"},
  "competition": {"type": "string", "default": "", "doc": "competition slug; empty = config.json competition"},
  "poll_timeout_s": {"type": "number", "default": 600,
                     "doc": "how long `autokaggle submit` waits for the public score"},
  "max_retries": {"type": "integer", "default": 4, "doc": "retries of a failed API call (429, 5xx, dropped connections)"},
  "timeout_s": {"type": "number", "default": 300, "doc": "longest silence tolerated on one HTTP exchange"}
})json";

struct Options {
    std::string api_base;
    std::string competition;
    double poll_timeout_s = 600;
    int max_retries = 4;
    double timeout_s = 300;
    /// Delay before the first retry (tests shorten it).
    std::chrono::milliseconds initial_backoff{1000};

    /// From the plugin's validated options, the competition defaulting to the host's.
    static Options from_json(const boost::json::object& options, const HostServices& host);
};

/// Client options for a plugin: retries logged through the host, cancellation polled.
kaggle::ClientOptions client_options(const Options& options, HostServices& host);

class KaggleSubmitter final : public Submitter {
public:
    KaggleSubmitter(Options options, HostServices& host, kaggle::Client client);
    /// Resolves the credentials from the environment; throws ConfigError when there are none.
    KaggleSubmitter(Options options, HostServices& host);

    SubmissionInfo submit(const SubmissionRequest& request) override;
    SubmissionInfo status(const std::string& ref) override;
    std::vector<SubmissionInfo> recent(int limit) override;
    std::optional<Quota> quota() override;

    const kaggle::Client& client() const { return client_; }

private:
    int daily_limit();

    Options options_;
    HostServices& host_;
    kaggle::Client client_;
    std::optional<int> daily_limit_;  ///< maxDailySubmissions, fetched once
};

/// One line, as sent to Kaggle: line breaks become spaces, surrounding blanks go.
std::string normalise_description(std::string_view description);

/// ApiSubmission -> SubmissionInfo.
SubmissionInfo to_info(const kaggle::ApiSubmission& s);

}  // namespace autokaggle::kaggle_submitter
