#include "kaggle/api.hpp"

#include "base/text.hpp"
#include "base/utc_time.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace autokaggle::kaggle {

namespace json = boost::json;

namespace json_read {

std::string string(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    if (v->is_double()) {
        std::string s = json::serialize(*v);
        return s;
    }
    if (v->is_bool()) return v->as_bool() ? "true" : "false";
    return {};
}

std::int64_t integer(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return 0;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double()) return static_cast<std::int64_t>(std::llround(v->as_double()));
    if (v->is_string()) {
        std::string_view s = v->as_string();
        std::int64_t n = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec == std::errc() && ptr == s.data() + s.size()) return n;
    }
    return 0;
}

bool boolean(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return false;
    if (v->is_bool()) return v->as_bool();
    if (v->is_string()) return enum_is(v->as_string(), "true");
    return false;
}

const json::array& array(const json::object& o, std::string_view key) {
    static const json::array empty;
    const auto* v = o.if_contains(key);
    return v && v->is_array() ? v->as_array() : empty;
}

const json::object& object(const json::object& o, std::string_view key) {
    static const json::object empty;
    const auto* v = o.if_contains(key);
    return v && v->is_object() ? v->as_object() : empty;
}

}  // namespace json_read

bool enum_is(std::string_view wire, std::string_view name) {
    if (iequals(wire, name)) return true;
    // "SUBMISSION_STATUS_COMPLETE" names COMPLETE: the part after a '_' boundary must match.
    if (wire.size() > name.size() && wire[wire.size() - name.size() - 1] == '_')
        return iequals(wire.substr(wire.size() - name.size()), name);
    return false;
}

std::string slug_of(std::string_view ref) {
    while (!ref.empty() && ref.back() == '/') ref.remove_suffix(1);
    auto slash = ref.rfind('/');
    return std::string(slash == std::string_view::npos ? ref : ref.substr(slash + 1));
}

Competition parse_competition(const json::object& o) {
    using namespace json_read;
    Competition c;
    c.ref = string(o, "ref");
    c.slug = slug_of(c.ref);
    c.title = string(o, "title");
    c.url = string(o, "url");
    c.category = string(o, "category");
    c.deadline = string(o, "deadline");
    c.evaluation_metric = string(o, "evaluationMetric");
    c.max_daily_submissions = static_cast<int>(integer(o, "maxDailySubmissions"));
    c.max_team_size = static_cast<int>(integer(o, "maxTeamSize"));
    c.user_has_entered = boolean(o, "userHasEntered");
    c.submissions_disabled = boolean(o, "submissionsDisabled");
    return c;
}

DataFile parse_data_file(const json::object& o) {
    using namespace json_read;
    return DataFile{string(o, "name"), integer(o, "totalBytes"), string(o, "url"), string(o, "creationDate")};
}

const json::array& list_in(const json::value& answer, std::string_view key) {
    static const json::array empty;
    if (answer.is_array()) return answer.as_array();
    if (answer.is_object()) return json_read::array(answer.as_object(), key);
    return empty;
}

std::optional<BodyError> body_error(const json::value& answer) {
    if (!answer.is_object()) return std::nullopt;
    const auto& o = answer.as_object();
    const std::int64_t code = json_read::integer(o, "code");
    if (code < 400) return std::nullopt;
    return BodyError{code, json_read::string(o, "message")};
}

SubmissionStatus parse_submission_status(std::string_view wire) {
    if (enum_is(wire, "COMPLETE")) return SubmissionStatus::complete;
    if (enum_is(wire, "ERROR")) return SubmissionStatus::error;
    return SubmissionStatus::pending;  // PENDING, absent (the default) or anything new
}

std::string_view to_string(SubmissionStatus s) {
    switch (s) {
        case SubmissionStatus::pending: return "PENDING";
        case SubmissionStatus::complete: return "COMPLETE";
        case SubmissionStatus::error: return "ERROR";
    }
    return "PENDING";
}

ApiSubmission parse_submission(const json::object& o) {
    using namespace json_read;
    ApiSubmission s;
    s.ref = integer(o, "ref");
    s.date = string(o, "date");
    s.description = string(o, "description");
    s.error_description = string(o, "errorDescription");
    s.file_name = string(o, "fileName");
    s.public_score = string(o, "publicScore");
    s.private_score = string(o, "privateScore");
    s.status = parse_submission_status(string(o, "status"));
    s.total_bytes = integer(o, "totalBytes");
    return s;
}

LeaderboardEntry parse_leaderboard_entry(const json::object& o) {
    using namespace json_read;
    return LeaderboardEntry{integer(o, "teamId"), string(o, "teamName"), string(o, "submissionDate"), string(o, "score")};
}

UploadTicket parse_upload_ticket(const json::object& o) {
    using namespace json_read;
    return UploadTicket{string(o, "token"), string(o, "createUrl")};
}

CreatedSubmission parse_created_submission(const json::object& o) {
    using namespace json_read;
    return CreatedSubmission{string(o, "message"), integer(o, "ref")};
}

KernelMetadata parse_kernel_metadata(const json::object& o) {
    using namespace json_read;
    KernelMetadata k;
    k.id = integer(o, "id");
    k.ref = string(o, "ref");
    k.title = string(o, "title");
    k.author = string(o, "author");
    k.slug = string(o, "slug");
    k.last_run_time = string(o, "lastRunTime");
    k.language = string(o, "language");
    k.kernel_type = string(o, "kernelType");
    k.total_votes = static_cast<int>(integer(o, "totalVotes"));
    k.current_version_number = static_cast<int>(integer(o, "currentVersionNumber"));
    if (k.ref.empty() && !k.author.empty() && !k.slug.empty()) k.ref = k.author + "/" + slug_of(k.slug);
    return k;
}

KernelSource parse_kernel_source(const json::object& o) {
    using namespace json_read;
    KernelSource k;
    k.metadata = parse_kernel_metadata(object(o, "metadata"));
    const auto& blob = object(o, "blob");
    k.source = string(blob, "source");
    k.language = string(blob, "language");
    k.kernel_type = string(blob, "kernelType");
    return k;
}

DiscussionTopic parse_discussion_topic(const json::object& o) {
    using namespace json_read;
    auto first = [&](std::initializer_list<std::string_view> keys) {
        for (auto k : keys)
            if (auto v = string(o, k); !v.empty()) return v;
        return std::string();
    };
    auto first_int = [&](std::initializer_list<std::string_view> keys) {
        for (auto k : keys)
            if (auto v = integer(o, k); v != 0) return static_cast<int>(v);
        return 0;
    };
    DiscussionTopic t;
    t.id = first({"id", "ref", "topicId"});
    t.title = first({"title", "name"});
    std::string author = first({"author", "authorName", "ownerName"});
    if (author.empty()) {
        const auto& owner = object(o, "ownerUser");
        author = string(owner, "displayName");
        if (author.empty()) author = string(owner, "userName");
    }
    t.author = author;
    t.date = first({"createTime", "dateCreated", "postDate", "creationDate", "date"});
    t.url = first({"url", "topicUrl"});
    t.votes = first_int({"votes", "totalVotes", "voteCount"});
    t.comments = first_int({"commentCount", "totalComments", "comments"});
    return t;
}

void put_string(json::object& o, std::string_view key, std::string_view value) {
    if (!value.empty()) o[key] = value;
}

void put_int(json::object& o, std::string_view key, std::int64_t value) {
    if (value != 0) o[key] = value;
}

void put_bool(json::object& o, std::string_view key, bool value) {
    if (value) o[key] = true;
}

std::optional<double> parse_score(std::string_view score) {
    std::string s(score);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::string date_part(std::string_view iso) {
    if (iso.size() >= 10 && iso[4] == '-' && iso[7] == '-') return std::string(iso.substr(0, 10));
    return std::string(iso);
}

std::string utc_date(std::chrono::system_clock::time_point t) { return autokaggle::utc_date(t); }
std::string utc_timestamp(std::chrono::system_clock::time_point t) { return autokaggle::utc_timestamp(t); }

}  // namespace autokaggle::kaggle
