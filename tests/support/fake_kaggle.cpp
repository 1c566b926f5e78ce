#include "support/fake_kaggle.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace autokaggle::test {

namespace json = boost::json;

namespace {

std::string format_now(const char* format) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

FakeResponse kaggle_error(int status, const std::string& message) {
    json::object body{{"code", status}, {"message", message}};
    return FakeResponse::json(status, json::serialize(body));
}

FakeResponse ok(const json::value& body) { return FakeResponse::json(200, json::serialize(body)); }

std::string str(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t num(const json::object& o, const char* key, std::int64_t fallback = 0) {
    const auto* v = o.if_contains(key);
    if (!v) return fallback;
    if (v->is_int64()) return v->as_int64();
    if (v->is_string()) return std::stoll(std::string(v->as_string()));
    return fallback;
}

json::object submission_json(const FakeSubmission& s) {
    // As Kaggle sends it: int64 ref as a string, defaults omitted, scores as strings.
    json::object o{{"ref", std::to_string(s.ref)}, {"date", s.date}, {"description", s.description},
                   {"fileName", s.file_name}, {"totalBytes", static_cast<std::int64_t>(s.content.size())}};
    if (s.status != "PENDING") o["status"] = s.status;
    if (!s.public_score.empty()) o["publicScore"] = s.public_score;
    if (!s.error.empty()) o["errorDescription"] = s.error;
    return o;
}

json::object kernel_json(const FakeKernel& k) {
    auto slash = k.ref.find('/');
    return json::object{{"ref", k.ref},           {"title", k.title},         {"author", k.author},
                        {"slug", k.ref.substr(slash + 1)}, {"totalVotes", k.votes}, {"lastRunTime", k.created},
                        {"language", "python"},   {"kernelType", "notebook"}, {"currentVersionNumber", k.version}};
}

}  // namespace

std::string today_utc() { return format_now("%Y-%m-%d"); }
std::string now_utc_iso() { return format_now("%Y-%m-%dT%H:%M:%S.000Z"); }

FakeKaggle::FakeKaggle(std::string expected_authorization) : expected_authorization_(std::move(expected_authorization)) {
    api_.fallback([this](const RecordedRequest& r) {
        auto slash = r.path().rfind('/');
        return handle(r.path().substr(slash + 1), r);
    });
    storage_.fallback([this](const RecordedRequest& r) -> FakeResponse {
        std::lock_guard lock(mutex_);
        if (r.method == "GET" && r.path().rfind("/storage/data/", 0) == 0) {
            if (auto s = scripted("download")) return *s;
            FakeResponse z;
            z.status = 200;
            z.headers.set("Content-Type", "application/zip");
            z.body = data_zip_;
            return z;
        }
        if (r.method == "PUT" && r.path().rfind("/upload/", 0) == 0) {
            if (auto s = scripted("upload")) return *s;
            uploads_[r.path().substr(8)] = r.body;
            return FakeResponse::text(200, "");
        }
        return FakeResponse::text(404, "no such object");
    });
}

void FakeKaggle::set_competition(json::object competition) {
    std::lock_guard lock(mutex_);
    competition_ = std::move(competition);
}
void FakeKaggle::set_data_zip(std::string bytes) {
    std::lock_guard lock(mutex_);
    data_zip_ = std::move(bytes);
}
void FakeKaggle::add_submission(FakeSubmission s) {
    std::lock_guard lock(mutex_);
    if (s.ref == 0) s.ref = next_ref_++;
    submissions_.insert(submissions_.begin(), std::move(s));
}
void FakeKaggle::add_kernel(FakeKernel k) {
    std::lock_guard lock(mutex_);
    kernels_.push_back(std::move(k));
}
void FakeKaggle::set_discussions(json::array topics) {
    std::lock_guard lock(mutex_);
    discussions_ = std::move(topics);
}
void FakeKaggle::set_scoring(int pending_polls, std::string score) {
    std::lock_guard lock(mutex_);
    pending_polls_ = pending_polls;
    score_ = std::move(score);
}
void FakeKaggle::script(const std::string& route, std::vector<FakeResponse> replies) {
    std::lock_guard lock(mutex_);
    auto& q = scripts_[route];
    q.insert(q.end(), replies.begin(), replies.end());
}
std::vector<FakeSubmission> FakeKaggle::submissions() const {
    std::lock_guard lock(mutex_);
    return submissions_;
}

std::optional<FakeResponse> FakeKaggle::scripted(const std::string& route) {
    auto it = scripts_.find(route);
    if (it == scripts_.end() || it->second.empty()) return std::nullopt;
    FakeResponse r = it->second.front();
    it->second.pop_front();
    return r;
}

FakeResponse FakeKaggle::handle(const std::string& method, const RecordedRequest& request) {
    std::lock_guard lock(mutex_);
    if (request.method != "POST") return kaggle_error(405, "use POST");
    if (request.headers.get("Authorization").value_or("") != expected_authorization_)
        return kaggle_error(401, "Unauthenticated: the request does not have valid authentication credentials");
    if (auto s = scripted(method)) return *s;
    boost::system::error_code ec;
    auto parsed = json::parse(request.body, ec);
    if (ec || !parsed.is_object()) return kaggle_error(400, "request body must be a JSON object");
    const auto& body = parsed.as_object();
    const std::string slug = str(competition_, "ref").substr(str(competition_, "ref").rfind('/') + 1);

    if (method == "ListCompetitions") return list_competitions(body);
    if (method == "DownloadDataFiles") {
        if (str(body, "competitionName") != slug) return kaggle_error(404, "Competition not found");
        FakeResponse redirect;
        redirect.status = 302;
        redirect.headers.set("Location", storage_base() + "/storage/data/" + slug + ".zip?X-Goog-Signature=fake");
        return redirect;
    }
    if (method == "GetLeaderboard") {
        json::array rows;
        for (int i = 0; i < 3; ++i)
            rows.push_back(json::object{{"teamId", 100 + i}, {"teamName", "team " + std::to_string(i + 1)},
                                        {"submissionDate", now_utc_iso()}, {"score", "0.9" + std::to_string(5 - i)}});
        return ok(json::object{{"submissions", rows}});
    }
    if (method == "StartSubmissionUpload") {
        if (str(body, "competitionName") != slug) return kaggle_error(404, "Competition not found");
        if (num(body, "contentLength") <= 0) return kaggle_error(400, "contentLength is required");
        std::string token = "blob-" + std::to_string(next_ref_);
        return ok(json::object{{"token", token}, {"createUrl", storage_base() + "/upload/" + token + "?upload_id=fake"}});
    }
    if (method == "CreateSubmission") return create_submission(body);
    if (method == "ListSubmissions") return list_submissions(body);
    if (method == "GetSubmission") return get_submission(body);
    if (method == "ListKernels") return list_kernels(body);
    if (method == "GetKernel") return get_kernel(body);
    if (method == "ListCompetitionTopics" && discussions_) return ok(json::object{{"topics", *discussions_}});
    return kaggle_error(404, "Method not found: " + method);
}

FakeResponse FakeKaggle::list_competitions(const json::object& body) {
    json::array list;
    std::string search = str(body, "search");
    if (!competition_.empty() && str(competition_, "ref").find(search) != std::string::npos) list.push_back(competition_);
    return ok(json::object{{"competitions", list}});
}

FakeResponse FakeKaggle::create_submission(const json::object& body) {
    auto upload = uploads_.find(str(body, "blobFileTokens"));
    if (upload == uploads_.end()) return kaggle_error(400, "Invalid blob token: the file was not uploaded");
    const auto* disabled = competition_.if_contains("submissionsDisabled");
    if (disabled && disabled->is_bool() && disabled->as_bool())
        return kaggle_error(400, "Competition has ended and no longer accepts submissions");
    std::string today = today_utc();
    auto used = std::count_if(submissions_.begin(), submissions_.end(), [&](const FakeSubmission& s) {
        return s.date.substr(0, 10) == today && s.status != "ERROR";
    });
    if (used >= num(competition_, "maxDailySubmissions", 5))
        return kaggle_error(400, "Submission limit reached: you have used all " + std::to_string(used) +
                                     " of your daily submissions. Try again after 00:00 UTC.");
    FakeSubmission s;
    s.ref = next_ref_++;
    s.date = now_utc_iso();
    s.description = str(body, "submissionDescription");
    s.file_name = "submission.csv";
    s.content = upload->second;
    s.polls_until_complete = pending_polls_;
    submissions_.insert(submissions_.begin(), s);
    return ok(json::object{{"message", "Successfully submitted"}, {"ref", s.ref}});
}

FakeResponse FakeKaggle::get_submission(const json::object& body) {
    std::int64_t ref = num(body, "ref");
    for (auto& s : submissions_) {
        if (s.ref != ref) continue;
        if (s.status == "PENDING") {
            if (s.polls_until_complete > 0) {
                --s.polls_until_complete;
            } else {
                s.status = "COMPLETE";
                s.public_score = score_;
            }
        }
        return ok(submission_json(s));
    }
    return kaggle_error(404, "Submission not found");
}

FakeResponse FakeKaggle::list_submissions(const json::object& body) {
    std::int64_t page = std::max<std::int64_t>(1, num(body, "page", 1));
    std::int64_t size = std::max<std::int64_t>(1, num(body, "pageSize", 20));
    json::array list;
    for (std::int64_t i = (page - 1) * size; i < page * size && i < static_cast<std::int64_t>(submissions_.size()); ++i)
        list.push_back(submission_json(submissions_[static_cast<std::size_t>(i)]));
    return ok(json::object{{"submissions", list}});
}

FakeResponse FakeKaggle::list_kernels(const json::object& body) {
    auto kernels = kernels_;
    std::string sort = str(body, "sortBy");
    if (sort == "VOTE_COUNT")
        std::stable_sort(kernels.begin(), kernels.end(), [](const auto& a, const auto& b) { return a.votes > b.votes; });
    else
        std::stable_sort(kernels.begin(), kernels.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
    json::array list;
    for (std::int64_t i = 0; i < num(body, "pageSize", 20) && i < static_cast<std::int64_t>(kernels.size()); ++i)
        list.push_back(kernel_json(kernels[static_cast<std::size_t>(i)]));
    return ok(json::object{{"kernels", list}});
}

FakeResponse FakeKaggle::get_kernel(const json::object& body) {
    std::string ref = str(body, "userName") + "/" + str(body, "kernelSlug");
    for (const auto& k : kernels_)
        if (k.ref == ref)
            return ok(json::object{{"metadata", kernel_json(k)},
                                   {"blob", json::object{{"source", k.source}, {"language", "python"}, {"kernelType", "notebook"}}}});
    return kaggle_error(404, "Kernel not found");
}

}  // namespace autokaggle::test
