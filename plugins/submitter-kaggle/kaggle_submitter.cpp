#include "kaggle_submitter.hpp"

#include <autokaggle/support/plugin_options.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <charconv>
#include <filesystem>

namespace autokaggle::kaggle_submitter {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::string_view source = "submitter-kaggle";

std::int64_t parse_ref(const std::string& ref) {
    std::int64_t n = 0;
    auto [ptr, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), n);
    if (ref.empty() || ec != std::errc() || ptr != ref.data() + ref.size())
        throw Error("submitter kaggle: '" + ref + "' is not a Kaggle submission ref (a number)");
    return n;
}

}  // namespace

Options Options::from_json(const json::object& options, const HostServices& host) {
    constexpr std::string_view section = "submitter.options";  // where the options stand in config.json
    const json::object o = with_schema_defaults(options_schema, options);
    Options opt;
    opt.api_base = string_option(o, section, "api_base");
    opt.competition = kaggle::competition_option(o, section, host);
    opt.poll_timeout_s = number_option(o, section, "poll_timeout_s");
    opt.max_retries = static_cast<int>(number_option(o, section, "max_retries"));
    opt.timeout_s = number_option(o, section, "timeout_s");
    return opt;
}

kaggle::ClientOptions client_options(const Options& options, HostServices& host) {
    kaggle::ClientOptions c;
    c.api_base = kaggle::resolve_api_base(options.api_base);
    c.retry.max_retries = options.max_retries;
    c.retry.initial_backoff = options.initial_backoff;
    c.read_timeout = std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000));
    c.cancelled = [&host] { return host.cancel_requested(); };
    c.on_retry = [&host](const std::string& line) { host.log(LogLevel::warn, source, line); };
    return c;
}

std::string normalise_description(std::string_view description) {
    std::string out(description);
    for (auto& c : out)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    auto b = out.find_first_not_of(' ');
    if (b == std::string::npos) return {};
    return out.substr(b, out.find_last_not_of(' ') - b + 1);
}

SubmissionInfo to_info(const kaggle::ApiSubmission& s) {
    SubmissionInfo info;
    info.ref = std::to_string(s.ref);
    switch (s.status) {
        case kaggle::SubmissionStatus::pending: info.state = SubmissionState::pending; break;
        case kaggle::SubmissionStatus::complete: info.state = SubmissionState::complete; break;
        case kaggle::SubmissionStatus::error: info.state = SubmissionState::error; break;
    }
    info.public_score = kaggle::parse_score(s.public_score);
    info.description = s.description;
    info.date = s.date;
    info.message = s.error_description;
    return info;
}

KaggleSubmitter::KaggleSubmitter(Options options, HostServices& host, kaggle::Client client)
    : options_(std::move(options)), host_(host), client_(std::move(client)) {
    for (const auto& warning : client_.credentials().warnings()) host_.log(LogLevel::warn, source, warning);
}

KaggleSubmitter::KaggleSubmitter(Options options, HostServices& host)
    : KaggleSubmitter(options, host, kaggle::Client(kaggle::resolve_credentials(), client_options(options, host))) {}

SubmissionInfo KaggleSubmitter::submit(const SubmissionRequest& request) {
    std::error_code ec;
    auto size = fs::file_size(request.file, ec);
    if (ec) throw Error("submitter kaggle: cannot read " + request.file.string() + ": " + ec.message());
    if (size == 0) throw Error("submitter kaggle: " + request.file.string() + " is empty");
    std::string description = normalise_description(request.description);

    auto ticket = client_.start_submission_upload(options_.competition, request.file);
    client_.upload_blob(ticket, request.file);
    auto created = client_.create_submission(options_.competition, ticket, description);

    SubmissionInfo info;
    info.state = SubmissionState::pending;
    info.description = description;
    info.date = kaggle::utc_timestamp(std::chrono::system_clock::now());
    if (created.ref != 0) {
        info.ref = std::to_string(created.ref);
    } else {
        // Older servers answer with a message only: the newest submission with our description is it.
        for (const auto& s : recent(5))
            if (s.description == description) {
                info = s;
                break;
            }
    }
    host_.log(LogLevel::info, source,
              "submitted " + request.file.filename().string() + " to " + options_.competition +
                  (info.ref.empty() ? std::string(" (ref not reported yet)") : " as ref " + info.ref) +
                  (created.message.empty() ? std::string() : ": " + created.message));
    return info;
}

SubmissionInfo KaggleSubmitter::status(const std::string& ref) {
    return to_info(client_.get_submission(parse_ref(ref)));
}

std::vector<SubmissionInfo> KaggleSubmitter::recent(int limit) {
    std::vector<SubmissionInfo> out;
    for (const auto& s : client_.list_submissions(options_.competition, limit > 0 ? limit : 20)) {
        out.push_back(to_info(s));
        if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
    }
    return out;
}

int KaggleSubmitter::daily_limit() {
    if (!daily_limit_) {
        int limit = client_.find_competition(options_.competition).max_daily_submissions;
        // Kaggle omits the field when it is 0/unknown: the configured cap is the best guess then.
        daily_limit_ = limit > 0 ? limit : host_.competition().max_submissions_per_day;
    }
    return *daily_limit_;
}

std::optional<Quota> KaggleSubmitter::quota() {
    const int limit = daily_limit();
    const std::string today = kaggle::utc_date(std::chrono::system_clock::now());
    constexpr int page_size = 100;
    int used = 0;
    for (int page = 1; page <= 10; ++page) {
        auto list = client_.list_submissions(options_.competition, page_size, page);
        bool older_seen = false;
        for (const auto& s : list) {
            if (kaggle::date_part(s.date) != today) {
                older_seen = true;
                continue;
            }
            // Kaggle does not count submissions that failed scoring against the daily cap.
            if (s.status != kaggle::SubmissionStatus::error) ++used;
        }
        if (older_seen || static_cast<int>(list.size()) < page_size) break;
    }
    return Quota{used, limit};
}

}  // namespace autokaggle::kaggle_submitter
