// The Kaggle API's JSON, mapped to plain structs (shared/reference/wire-formats.md).
//
// Reading is lenient, as the wire format asks: a missing field is its default, enums compare
// case-insensitively (with or without their type prefix), numbers may arrive as JSON numbers or
// as strings (protobuf JSON writes 64-bit integers as strings), unknown fields are ignored.
// Writing omits fields at their default value.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::kaggle {

struct Competition {
    std::string ref;                  ///< as sent ("slug" or "https://www.kaggle.com/competitions/slug")
    std::string slug;                 ///< the last path segment of ref
    std::string title;
    std::string url;
    std::string category;
    std::string deadline;             ///< ISO-8601
    std::string evaluation_metric;    ///< Kaggle's name ("Area Under Receiver Operating Characteristic Curve")
    int max_daily_submissions = 0;    ///< 0 = not told
    int max_team_size = 0;
    bool user_has_entered = false;
    bool submissions_disabled = false;
};

struct DataFile {
    std::string name;
    std::int64_t total_bytes = 0;
    std::string url;
    std::string creation_date;
};

enum class SubmissionStatus { pending, complete, error };

struct ApiSubmission {
    std::int64_t ref = 0;
    std::string date;                 ///< ISO-8601 UTC
    std::string description;
    std::string error_description;
    std::string file_name;
    std::string public_score;         ///< as sent (a string); empty when not scored yet
    std::string private_score;
    SubmissionStatus status = SubmissionStatus::pending;
    std::int64_t total_bytes = 0;
};

struct LeaderboardEntry {
    std::int64_t team_id = 0;
    std::string team_name;
    std::string submission_date;
    std::string score;
};

struct UploadTicket {
    std::string token;
    std::string create_url;
};

struct CreatedSubmission {
    std::string message;
    std::int64_t ref = 0;
};

struct KernelMetadata {
    std::int64_t id = 0;
    std::string ref;                  ///< "author/slug"
    std::string title;
    std::string author;
    std::string slug;
    std::string last_run_time;        ///< ISO-8601
    std::string language;
    std::string kernel_type;
    int total_votes = 0;
    int current_version_number = 0;
};

struct KernelSource {
    KernelMetadata metadata;
    std::string source;               ///< a script, or a notebook's .ipynb JSON
    std::string language;
    std::string kernel_type;
};

/// A discussion topic (the shape is not confirmed by public docs: read leniently).
struct DiscussionTopic {
    std::string id;
    std::string title;
    std::string author;
    std::string date;
    std::string url;
    int votes = 0;
    int comments = 0;
};

// --- lenient readers -----------------------------------------------------------------------------
namespace json_read {
std::string string(const boost::json::object& o, std::string_view key);
std::int64_t integer(const boost::json::object& o, std::string_view key);
bool boolean(const boost::json::object& o, std::string_view key);
/// The array under `key`, or an empty one.
const boost::json::array& array(const boost::json::object& o, std::string_view key);
/// The object under `key`, or an empty one.
const boost::json::object& object(const boost::json::object& o, std::string_view key);
}  // namespace json_read

/// True when the enum value `wire` names `name`: "COMPLETE", "complete", "SUBMISSION_STATUS_COMPLETE".
bool enum_is(std::string_view wire, std::string_view name);

/// The slug in a competition ref ("https://www.kaggle.com/competitions/titanic" -> "titanic").
std::string slug_of(std::string_view ref);

Competition parse_competition(const boost::json::object& o);
DataFile parse_data_file(const boost::json::object& o);
ApiSubmission parse_submission(const boost::json::object& o);
LeaderboardEntry parse_leaderboard_entry(const boost::json::object& o);
UploadTicket parse_upload_ticket(const boost::json::object& o);
CreatedSubmission parse_created_submission(const boost::json::object& o);
KernelMetadata parse_kernel_metadata(const boost::json::object& o);
KernelSource parse_kernel_source(const boost::json::object& o);
DiscussionTopic parse_discussion_topic(const boost::json::object& o);

/// The list under `key` in an answer, or the answer itself when an older server sends a bare
/// array; empty otherwise.
const boost::json::array& list_in(const boost::json::value& answer, std::string_view key);

/// Every object of `items` read by `parse`; items that are not objects are skipped.
template <class T, class Parse>
std::vector<T> parse_list(const boost::json::array& items, Parse parse) {
    std::vector<T> out;
    out.reserve(items.size());
    for (const auto& item : items)
        if (item.is_object()) out.push_back(parse(item.as_object()));
    return out;
}

/// A Kaggle error sent with HTTP 200: {"code": 400 or more, "message": "..."}.
struct BodyError {
    std::int64_t code = 0;
    std::string message;
};
std::optional<BodyError> body_error(const boost::json::value& answer);

SubmissionStatus parse_submission_status(std::string_view wire);
std::string_view to_string(SubmissionStatus s);

/// Adds key=value to a request body unless the value is its default ("" / 0 / false), as
/// Kaggle's own client does.
void put_string(boost::json::object& o, std::string_view key, std::string_view value);
void put_int(boost::json::object& o, std::string_view key, std::int64_t value);
void put_bool(boost::json::object& o, std::string_view key, bool value);

/// The score as a number, or nullopt when empty or not a number.
std::optional<double> parse_score(std::string_view score);

/// "2026-04-30T23:59:00Z" -> "2026-04-30"; "" stays "".
std::string date_part(std::string_view iso);

/// "YYYY-MM-DD" of a time point in UTC (Kaggle's submission day).
std::string utc_date(std::chrono::system_clock::time_point t);
/// "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_timestamp(std::chrono::system_clock::time_point t);

}  // namespace autokaggle::kaggle
