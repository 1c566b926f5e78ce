// A fake Kaggle over loopback speaking the current API's wire format
// (POST /v1/<package>.<Service>/<Method>, JSON bodies, camelCase, defaults omitted), plus a
// second server standing for Kaggle's storage host: signed download URLs and upload URLs live
// there, so tests can check that no credentials travel to it.
//
// State lives behind a mutex: handlers run on the servers' threads, tests read from theirs.
#pragma once

#include "support/fake_server.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <vector>

namespace autokaggle::test {

struct FakeSubmission {
    std::int64_t ref = 0;
    std::string date;         ///< ISO-8601 UTC
    std::string description;
    std::string file_name;
    std::string content;      ///< the uploaded bytes
    std::string status = "PENDING";
    std::string public_score;
    std::string error;
    int polls_until_complete = 0;  ///< GetSubmission calls still answered PENDING
};

struct FakeKernel {
    std::string ref;  ///< "author/slug"
    std::string title;
    std::string author;
    int votes = 0;
    std::string created;  ///< ISO, for the DATE_CREATED order
    int version = 1;
    std::string source;
};

class FakeKaggle {
public:
    /// Requests must carry exactly this Authorization value, else 401.
    explicit FakeKaggle(std::string expected_authorization);

    std::string api_base() const { return api_.base_url(); }
    std::string storage_base() const { return storage_.base_url(); }
    FakeServer& api() { return api_; }
    FakeServer& storage() { return storage_; }

    // --- what the fake knows (set before use) --------------------------------------------------
    void set_competition(boost::json::object competition);  ///< an ApiCompetition ("ref" required)
    void set_data_zip(std::string bytes);
    void add_submission(FakeSubmission s);
    void add_kernel(FakeKernel k);
    /// Discussion topics as the API would send them; none = the route answers 404.
    void set_discussions(boost::json::array topics);
    /// GetSubmission answers PENDING this many times for new submissions, then COMPLETE with
    /// `score`.
    void set_scoring(int pending_polls, std::string score);
    /// Replies to use (in order) before the normal behaviour of a route: "ListSubmissions",
    /// "upload" (the storage PUT), "download" (the storage GET).
    void script(const std::string& route, std::vector<FakeResponse> replies);

    // --- what happened ---------------------------------------------------------------------------
    std::vector<FakeSubmission> submissions() const;
    /// Every request either server received, in arrival order per server.
    std::vector<RecordedRequest> api_requests() const { return api_.requests(); }
    std::vector<RecordedRequest> storage_requests() const { return storage_.requests(); }

private:
    FakeResponse handle(const std::string& method, const RecordedRequest& request);
    std::optional<FakeResponse> scripted(const std::string& route);
    FakeResponse list_competitions(const boost::json::object& body);
    FakeResponse create_submission(const boost::json::object& body);
    FakeResponse get_submission(const boost::json::object& body);
    FakeResponse list_submissions(const boost::json::object& body);
    FakeResponse list_kernels(const boost::json::object& body);
    FakeResponse get_kernel(const boost::json::object& body);

    std::string expected_authorization_;
    mutable std::mutex mutex_;
    boost::json::object competition_;
    std::string data_zip_;
    std::vector<FakeSubmission> submissions_;
    std::vector<FakeKernel> kernels_;
    std::optional<boost::json::array> discussions_;
    std::map<std::string, std::string> uploads_;  ///< token -> bytes
    std::map<std::string, std::deque<FakeResponse>> scripts_;
    int pending_polls_ = 1;
    std::string score_ = "0.81234";
    std::int64_t next_ref_ = 41000;
    FakeServer api_;
    FakeServer storage_;
};

/// Today (UTC) as YYYY-MM-DD and a timestamp on it.
std::string today_utc();
std::string now_utc_iso();

}  // namespace autokaggle::test
