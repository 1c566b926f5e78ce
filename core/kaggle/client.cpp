#include "kaggle/client.hpp"

#include "base/atomic_file.hpp"
#include "base/plugin_options.hpp"
#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace autokaggle::kaggle {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::string_view competitions_service = "competitions.CompetitionApiService/";
constexpr std::string_view kernels_service = "kernels.KernelsApiService/";

std::string method_name(std::string_view service_method) {
    auto slash = service_method.rfind('/');
    return std::string(slash == std::string_view::npos ? service_method : service_method.substr(slash + 1));
}

std::string read_small_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

std::string resolve_api_base(std::string_view configured) {
    std::string base;
    if (const char* env = std::getenv("KAGGLE_API_BASE_URL"); env && *env) {
        base = env;
    } else if (!configured.empty()) {
        base = configured;
    } else {
        base = default_api_base;
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0) base.resize(base.size() - 3);
    return base;
}

std::string competition_option(const json::object& options, std::string_view section, const HostServices& host) {
    std::string competition = string_option(options, section, "competition");
    if (competition.empty()) competition = host.competition().competition;
    if (competition.empty())
        throw ConfigError(std::string(section) +
                          ".competition: no competition slug (set \"competition\" in config.json)");
    return competition;
}

std::string classify_error(int status, std::string_view message) {
    std::string m = to_lower(message);
    if (contains(m, "quota") || contains(m, "submission limit") || contains(m, "too many submissions") ||
        (contains(m, "daily") && (contains(m, "limit") || contains(m, "exceed") || contains(m, "maximum") ||
                                  contains(m, "reached"))) ||
        contains(m, "max daily"))
        return "quota_exhausted";
    if (contains(m, "deadline") || contains(m, "has ended") || contains(m, "competition is closed") ||
        contains(m, "competition closed") || contains(m, "no longer accept") || contains(m, "submissions are disabled") ||
        contains(m, "not accepting"))
        return "competition_closed";
    if (contains(m, "rules") && (contains(m, "accept") || contains(m, "agree"))) return "rules_not_accepted";
    if (status == 401 || status == 403 || contains(m, "unauthenticated") || contains(m, "unauthorized"))
        return "unauthorized";
    if (status == 404) return "not_found";
    if (status == 400 && (contains(m, "invalid") || contains(m, "column") || contains(m, "row") ||
                          contains(m, "format") || contains(m, "parse") || contains(m, "csv") || contains(m, "header")))
        return "invalid_submission";
    return {};
}

Client::Client(Credentials credentials, ClientOptions options)
    : credentials_(std::move(credentials)),
      options_(std::move(options)),
      http_(http::ClientOptions{std::nullopt, std::nullopt, options_.user_agent}) {
    // Kaggle expects "<client>/<version>".
    if (options_.user_agent.find('/') == std::string::npos) options_.user_agent += "/" AUTOKAGGLE_VERSION;
}

http::Request Client::api_request(std::string_view service_method, const json::object& body) const {
    http::Request r;
    r.method = "POST";
    r.url = options_.api_base + "/v1/" + std::string(service_method);
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Accept", "application/json");
    r.headers.set("User-Agent", options_.user_agent);
    r.headers.set("Authorization", credentials_.authorization());
    r.body = json::serialize(body);
    r.connect_timeout = options_.connect_timeout;
    r.read_timeout = options_.read_timeout;
    return r;
}

void Client::rethrow(const ServiceError& e, std::string_view what) const {
    std::string message = e.what();
    std::string type = classify_error(e.status(), message);
    std::string hint;
    if (type == "unauthorized") {
        hint = "; Kaggle refused the " + credentials_.describe() +
               " - create a fresh token at kaggle.com > Settings > API (or fix KAGGLE_API_TOKEN / kaggle.json)";
    } else if (type == "rules_not_accepted") {
        hint = "; accept the competition's rules on its Kaggle page (Join Competition), then retry";
    } else if (type == "quota_exhausted") {
        hint = "; the daily submission quota is used up - it resets at 00:00 UTC";
    } else if (type == "competition_closed") {
        hint = "; the competition no longer accepts submissions";
    } else if (e.status() == 0) {
        hint = "; cannot reach " + options_.api_base + " (check the network, HTTPS_PROXY, or KAGGLE_API_BASE_URL / api_base)";
    }
    if (type.empty()) type = e.type();
    throw ServiceError(message + hint, e.status(), type, e.request_id());
}

http::Response Client::send(const http::Request& request, std::string_view what) const {
    http::RetryHooks hooks;
    hooks.cancelled = options_.cancelled;
    hooks.sleep = options_.sleep;
    if (options_.on_retry) {
        std::string label(what);
        hooks.on_retry = [this, label](int attempt, std::chrono::milliseconds delay, const std::string& reason) {
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(delay.count()) / 1000.0);
            options_.on_retry(label + ": " + reason + "; retry " + std::to_string(attempt) + " in " + seconds + " s");
        };
    }
    try {
        return http::send_with_retry(http_, request, options_.retry, what, hooks);
    } catch (const ServiceError& e) {
        rethrow(e, what);
    }
}

void Client::check_body_error(const json::value& body, std::string_view what) const {
    const auto error = body_error(body);
    if (!error) return;
    // A code past int (no HTTP status) is still an error, reported with its number as sent.
    const int status = error->code > 599 ? 500 : static_cast<int>(error->code);
    rethrow(ServiceError(std::string(what) + " failed (code " + std::to_string(error->code) + "): " + error->message, status),
            what);
}

json::value Client::call(std::string_view service_method, const json::object& body) const {
    std::string what = "Kaggle API " + method_name(service_method);
    auto response = send(api_request(service_method, body), what);
    if (response.status >= 300)
        throw ServiceError(what + ": unexpected HTTP " + std::to_string(response.status) + " from " + options_.api_base,
                           response.status);
    json::value answer = json::object();
    if (!response.body.empty()) {
        boost::system::error_code ec;
        answer = json::parse(response.body, ec);
        if (ec)
            throw ServiceError(what + ": the answer is not JSON (" + ec.message() + "); is api_base / KAGGLE_API_BASE_URL (" +
                                   options_.api_base + ") the Kaggle API?",
                               response.status, "bad_response");
    }
    check_body_error(answer, what);
    return answer;
}

std::vector<Competition> Client::list_competitions(std::string_view search, int page_size) const {
    json::object body;
    put_string(body, "search", search);
    put_int(body, "pageSize", page_size);
    auto answer = call(std::string(competitions_service) + "ListCompetitions", body);
    return parse_list<Competition>(list_in(answer, "competitions"), parse_competition);
}

Competition Client::find_competition(std::string_view slug) const {
    auto found = list_competitions(slug, 50);
    for (auto& c : found)
        if (iequals(c.slug, slug)) return c;
    std::string seen;
    for (const auto& c : found) seen += (seen.empty() ? "" : ", ") + c.slug;
    throw ServiceError("competition '" + std::string(slug) + "' not found on Kaggle" +
                           (seen.empty() ? std::string() : " (the search found: " + seen + ")") +
                           "; use the slug from the competition's URL, kaggle.com/competitions/<slug>",
                       404, "not_found");
}

std::vector<DataFile> Client::list_data_files(std::string_view competition) const {
    std::vector<DataFile> files;
    std::string token;
    do {
        json::object body;
        put_string(body, "competitionName", competition);
        put_int(body, "pageSize", 200);
        put_string(body, "pageToken", token);
        auto answer = call(std::string(competitions_service) + "ListDataFiles", body);
        auto page = parse_list<DataFile>(list_in(answer, "files"), parse_data_file);
        files.insert(files.end(), page.begin(), page.end());
        token = answer.is_object() ? json_read::string(answer.as_object(), "nextPageToken") : "";
        if (page.empty()) break;
    } while (!token.empty());
    return files;
}

void Client::download_data_files(std::string_view competition, const fs::path& destination) const {
    json::object body;
    put_string(body, "competitionName", competition);
    const std::string what = "Kaggle API DownloadDataFiles";
    auto request = api_request(std::string(competitions_service) + "DownloadDataFiles", body);
    request.download_to = destination;
    auto response = send(request, what);

    std::string location;
    if (response.status >= 300 && response.status < 400) {
        location = response.header("Location");
        if (location.empty())
            throw ServiceError(what + ": HTTP " + std::to_string(response.status) + " without a Location header",
                               response.status, "bad_response");
    } else if (to_lower(response.header("Content-Type")).find("json") != std::string::npos) {
        // Some servers answer {"url": "..."} instead of redirecting.
        std::string text = read_small_file(destination);
        fs::remove(destination);
        boost::system::error_code ec;
        auto answer = json::parse(text, ec);
        if (!ec) check_body_error(answer, what);
        if (!ec && answer.is_object()) location = json_read::string(answer.as_object(), "url");
        if (location.empty()) throw ServiceError(what + ": expected a zip or a redirect, got JSON without a url", response.status, "bad_response");
    } else {
        return;  // the zip itself, already at `destination`
    }

    // The signed storage URL: a plain GET on another host, never with Kaggle's credentials.
    http::Request get;
    get.method = "GET";
    get.url = http::Url::parse(request.url).resolve(location).str();
    get.headers.set("User-Agent", options_.user_agent);
    get.follow_redirects = true;
    get.download_to = destination;
    get.connect_timeout = options_.connect_timeout;
    get.read_timeout = options_.read_timeout;
    auto data = send(get, "Kaggle data download from storage");
    if (data.status < 200 || data.status >= 300)
        throw ServiceError("Kaggle data download from storage: HTTP " + std::to_string(data.status), data.status);
}

std::vector<LeaderboardEntry> Client::leaderboard(std::string_view competition, int page_size) const {
    json::object body;
    put_string(body, "competitionName", competition);
    put_int(body, "pageSize", page_size);
    auto answer = call(std::string(competitions_service) + "GetLeaderboard", body);
    return parse_list<LeaderboardEntry>(list_in(answer, "submissions"), parse_leaderboard_entry);
}

UploadTicket Client::start_submission_upload(std::string_view competition, const fs::path& file) const {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec) throw Error("cannot read the submission file " + file.string() + ": " + ec.message());
    auto mtime = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::file_clock::to_sys(fs::last_write_time(file)).time_since_epoch())
                     .count();
    json::object body;
    put_string(body, "competitionName", competition);
    put_string(body, "fileName", file.filename().string());
    put_int(body, "contentLength", static_cast<std::int64_t>(size));
    put_int(body, "lastModifiedEpochSeconds", mtime);
    auto answer = call(std::string(competitions_service) + "StartSubmissionUpload", body);
    auto ticket = answer.is_object() ? parse_upload_ticket(answer.as_object()) : UploadTicket{};
    if (ticket.create_url.empty() || ticket.token.empty())
        throw ServiceError("Kaggle API StartSubmissionUpload: the answer has no token/createUrl", 200, "bad_response");
    return ticket;
}

void Client::upload_blob(const UploadTicket& ticket, const fs::path& file) const {
    http::Request put;
    put.method = "PUT";
    put.url = http::Url::parse(options_.api_base + "/").resolve(ticket.create_url).str();
    put.headers.set("User-Agent", options_.user_agent);
    put.body = read_file(file);
    put.connect_timeout = options_.connect_timeout;
    put.read_timeout = options_.read_timeout;
    auto response = send(put, "Kaggle submission upload");
    if (response.status != 200 && response.status != 201)
        throw ServiceError("Kaggle submission upload: HTTP " + std::to_string(response.status) + " from the upload URL",
                           response.status);
}

CreatedSubmission Client::create_submission(std::string_view competition, const UploadTicket& ticket,
                                            std::string_view description) const {
    json::object body;
    put_string(body, "competitionName", competition);
    put_string(body, "blobFileTokens", ticket.token);
    put_string(body, "submissionDescription", description);
    auto answer = call(std::string(competitions_service) + "CreateSubmission", body);
    return answer.is_object() ? parse_created_submission(answer.as_object()) : CreatedSubmission{};
}

std::vector<ApiSubmission> Client::list_submissions(std::string_view competition, int page_size, int page) const {
    json::object body;
    put_string(body, "competitionName", competition);
    put_string(body, "sortBy", "SUBMISSION_SORT_BY_DATE");
    put_string(body, "group", "SUBMISSION_GROUP_ALL");
    put_int(body, "page", page);
    put_int(body, "pageSize", page_size);
    auto answer = call(std::string(competitions_service) + "ListSubmissions", body);
    auto list = parse_list<ApiSubmission>(list_in(answer, "submissions"), parse_submission);
    std::stable_sort(list.begin(), list.end(), [](const ApiSubmission& a, const ApiSubmission& b) { return a.date > b.date; });
    return list;
}

ApiSubmission Client::get_submission(std::int64_t ref) const {
    json::object body;
    put_int(body, "ref", ref);
    auto answer = call(std::string(competitions_service) + "GetSubmission", body);
    if (!answer.is_object()) throw ServiceError("Kaggle API GetSubmission: the answer is not an object", 200, "bad_response");
    const auto& o = answer.as_object();
    const auto& wrapped = json_read::object(o, "submission");
    return parse_submission(wrapped.empty() ? o : wrapped);
}

std::vector<KernelMetadata> Client::list_kernels(std::string_view competition, KernelSort sort, int page_size) const {
    json::object body;
    put_string(body, "competition", competition);
    if (sort == KernelSort::vote_count) put_string(body, "sortBy", "VOTE_COUNT");
    if (sort == KernelSort::date_created) put_string(body, "sortBy", "DATE_CREATED");
    put_int(body, "page", 1);
    put_int(body, "pageSize", page_size);
    auto answer = call(std::string(kernels_service) + "ListKernels", body);
    return parse_list<KernelMetadata>(list_in(answer, "kernels"), parse_kernel_metadata);
}

KernelSource Client::get_kernel(std::string_view user, std::string_view slug) const {
    json::object body;
    put_string(body, "userName", user);
    put_string(body, "kernelSlug", slug);
    auto answer = call(std::string(kernels_service) + "GetKernel", body);
    if (!answer.is_object()) return {};
    return parse_kernel_source(answer.as_object());
}

std::vector<DiscussionTopic> Client::list_discussions(std::string_view competition, int page_size) const {
    json::object body;
    put_string(body, "competitionName", competition);
    put_int(body, "pageSize", page_size);
    auto answer = call("discussions.DiscussionsApiService/ListCompetitionTopics", body);
    for (std::string_view key : {"topics", "forumTopics", "discussions", "documents"}) {
        const auto& items = list_in(answer, key);
        if (!items.empty()) return parse_list<DiscussionTopic>(items, parse_discussion_topic);
    }
    return {};
}

Client make_client(std::string_view configured_api_base, ClientOptions options) {
    options.api_base = resolve_api_base(configured_api_base);
    return Client(resolve_credentials(), std::move(options));
}

}  // namespace autokaggle::kaggle
