// The Kaggle API client: POST {base}/v1/<package>.<Service>/<Method> with a JSON body, the
// credentials' Authorization header, retries with backoff honouring Retry-After, and errors
// turned into autokaggle::ServiceError messages that say what failed and what to do.
//
// Downloads follow Kaggle's redirect to signed storage URLs by hand, sending no credentials
// there; uploads PUT the bytes to the createUrl without Kaggle auth (retrying 503).
//
// Thread-safety: immutable after construction; calls may run concurrently.
#pragma once

#include <autokaggle/support/http_client.hpp>
#include <autokaggle/support/kaggle_api.hpp>
#include <autokaggle/support/kaggle_credentials.hpp>

#include <autokaggle/sdk/host.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::kaggle {

inline constexpr std::string_view default_api_base = "https://api.kaggle.com";

/// The API base to use: KAGGLE_API_BASE_URL when set, else `configured`, else the real one;
/// without a trailing slash or "/v1".
std::string resolve_api_base(std::string_view configured = {});

/// The competition a Kaggle plugin works on: its "competition" option (`options` already filled
/// from the plugin's schema), else config.json's. Throws ConfigError naming
/// "<section>.competition" when neither names one.
std::string competition_option(const boost::json::object& options, std::string_view section,
                               const HostServices& host);

struct ClientOptions {
    std::string api_base = std::string(default_api_base);  ///< already resolved
    http::RetryPolicy retry{4, std::chrono::milliseconds(1000), std::chrono::milliseconds(30'000),
                            std::chrono::milliseconds(120'000), 0.25};
    std::chrono::milliseconds connect_timeout{30'000};
    std::chrono::milliseconds read_timeout{300'000};
    std::string user_agent = "autokaggle";
    /// Polled during retry waits; true ends the call with autokaggle::Cancelled.
    std::function<bool()> cancelled;
    /// Told about each retry ("Kaggle API ListSubmissions: HTTP 429, retrying in 2.0 s").
    std::function<void(const std::string&)> on_retry;
    /// Test hook: replaces the sleep between retries.
    std::function<void(std::chrono::milliseconds)> sleep;
};

enum class KernelSort { hotness, vote_count, date_created };

class Client {
public:
    Client(Credentials credentials, ClientOptions options);

    const Credentials& credentials() const noexcept { return credentials_; }
    const std::string& api_base() const noexcept { return options_.api_base; }

    /// One call: `service_method` is "competitions.CompetitionApiService/ListSubmissions".
    /// Returns the answer's JSON (an empty object for an empty body). Throws ServiceError.
    boost::json::value call(std::string_view service_method, const boost::json::object& body) const;

    // competitions.CompetitionApiService
    std::vector<Competition> list_competitions(std::string_view search, int page_size = 20) const;
    /// The competition with this slug (searched by name); ServiceError "not found" otherwise.
    Competition find_competition(std::string_view slug) const;
    std::vector<DataFile> list_data_files(std::string_view competition) const;
    /// Downloads the competition's zip to `destination` (through name.part).
    void download_data_files(std::string_view competition, const std::filesystem::path& destination) const;
    std::vector<LeaderboardEntry> leaderboard(std::string_view competition, int page_size = 20) const;
    UploadTicket start_submission_upload(std::string_view competition, const std::filesystem::path& file) const;
    /// PUT the file to the upload URL without Kaggle credentials; 503 and other 5xx are retried.
    void upload_blob(const UploadTicket& ticket, const std::filesystem::path& file) const;
    CreatedSubmission create_submission(std::string_view competition, const UploadTicket& ticket,
                                        std::string_view description) const;
    /// Newest first; `page` is 1-based.
    std::vector<ApiSubmission> list_submissions(std::string_view competition, int page_size, int page = 1) const;
    ApiSubmission get_submission(std::int64_t ref) const;

    // kernels.KernelsApiService
    std::vector<KernelMetadata> list_kernels(std::string_view competition, KernelSort sort, int page_size) const;
    KernelSource get_kernel(std::string_view user, std::string_view slug) const;

    // Discussions (lenient; see docs/kaggle.md). Throws ServiceError when the API has no such route.
    std::vector<DiscussionTopic> list_discussions(std::string_view competition, int page_size) const;

private:
    http::Request api_request(std::string_view service_method, const boost::json::object& body) const;
    http::Response send(const http::Request& request, std::string_view what) const;
    [[noreturn]] void rethrow(const ServiceError& e, std::string_view what) const;
    /// A Kaggle error body on HTTP 200 ({"code" >= 400, "message"}) becomes a ServiceError.
    void check_body_error(const boost::json::value& body, std::string_view what) const;

    Credentials credentials_;
    ClientOptions options_;
    http::Client http_;
};

/// The kind of refusal a Kaggle error message describes, as ServiceError::type():
/// "quota_exhausted", "invalid_submission", "competition_closed", "unauthorized",
/// "rules_not_accepted", "not_found" or "" when unknown.
std::string classify_error(int status, std::string_view message);

/// A Client built from the process environment (credentials, KAGGLE_API_BASE_URL) and the
/// configured api_base. Throws ConfigError when there are no credentials.
Client make_client(std::string_view configured_api_base = {}, ClientOptions options = {});

}  // namespace autokaggle::kaggle
