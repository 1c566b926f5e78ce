// The "local" submitter: plays Kaggle's part offline. It scores a submission against held-out
// answers with the competition's metric, splits the test ids into a fixed public and private
// part (a seeded hash of each id, so the split never depends on row order), enforces a daily
// quota (UTC) and keeps a leaderboard file next to the answers. Both live outside the workspace
// (the constructor refuses anything inside it), so no agent can read the answers or the private
// scores. The public score is reported as the LB; the private score is recorded next to it for
// benchmarks (docs/autopilot.md).
#include "local_submitter.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/support/answers_scoring.hpp>
#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/plugin_options.hpp>
#include <autokaggle/support/utc_time.hpp>

#include <boost/json.hpp>

#include <algorithm>

namespace autokaggle::local_submitter {

namespace fs = std::filesystem;
namespace json = boost::json;

std::uint64_t split_hash(std::string_view id, std::uint64_t seed) {
    std::uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
    for (unsigned char c : id) {
        h ^= c;
        h *= 1099511628211ull;
    }
    // Final avalanche (splitmix64) so that consecutive ids spread evenly.
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
    return h;
}

bool is_public(std::string_view id, double public_share, std::uint64_t seed) {
    return static_cast<double>(split_hash(id, seed) % 1000000ull) < public_share * 1000000.0;
}

namespace {

std::string require_string(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

SubmissionInfo info_of(const json::object& e) {
    SubmissionInfo info;
    info.ref = require_string(e, "ref");
    info.description = require_string(e, "description");
    info.date = require_string(e, "date");
    info.message = require_string(e, "message");
    const auto state = require_string(e, "state");
    info.state = state == "error" ? SubmissionState::error : SubmissionState::complete;
    if (auto* p = e.if_contains("public_score"); p && p->is_number()) info.public_score = p->to_number<double>();
    return info;
}

}  // namespace

LocalSubmitter::LocalSubmitter(HostServices& host, const boost::json::object& given) : host_(host) {
    constexpr std::string_view section = "submitter.options";
    const json::object options = with_schema_defaults(kOptionsSchema, given);
    const auto& root = host.paths().root;
    const auto answers = string_option(options, section, "answers");
    if (answers.empty())
        throw ConfigError("config.json: submitter.options.answers: the local submitter needs the held-out answers "
                          "file (id and target columns), outside the workspace (e.g. \"../" +
                          root.filename().string() + "-heldout/answers.csv\")");
    answers_ = fs::path(answers).is_absolute() ? fs::path(answers) : root / answers;
    if (!fs::is_regular_file(answers_))
        throw ConfigError("config.json: submitter.options.answers: " + answers_.string() +
                          " does not exist; point it at the held-out answers CSV (id and target columns)");
    public_share_ = number_option(options, section, "public_share");
    if (!(public_share_ > 0.0 && public_share_ < 1.0))
        throw ConfigError("config.json: submitter.options.public_share: must be between 0 and 1 (exclusive), got " +
                          std::to_string(public_share_));
    split_seed_ = static_cast<std::uint64_t>(number_option(options, section, "split_seed"));
    const double per_day = number_option(options, section, "max_submissions_per_day");
    limit_ = per_day > 0 ? static_cast<int>(per_day) : host.competition().max_submissions_per_day;
    const auto board = string_option(options, section, "leaderboard");
    leaderboard_ = board.empty() ? answers_.parent_path() / "leaderboard.json"
                                 : fs::path(board).is_absolute() ? fs::path(board) : root / board;
    // Held-out data stays out of the agents' reach: nothing of it may live in the workspace.
    const fs::path workspace = fs::weakly_canonical(root);
    for (const auto& [key, file] : {std::pair<const char*, fs::path>{"answers", answers_}, {"leaderboard", leaderboard_}}) {
        const fs::path where = fs::weakly_canonical(file);
        auto [w, f] = std::mismatch(workspace.begin(), workspace.end(), where.begin(), where.end());
        if (w == workspace.end())
            throw ConfigError(std::string("config.json: submitter.options.") + key + ": " + file.string() +
                              " lies inside the workspace, where the agents could read the held-out " +
                              (std::string(key) == "answers" ? "answers" : "private scores") +
                              "; move it to a folder outside the workspace (e.g. " +
                              (workspace.parent_path() / (workspace.filename().string() + "-heldout")).string() +
                              ") and point the option there");
    }
}

LocalSubmitter::~LocalSubmitter() = default;

json::object LocalSubmitter::load_board() const {
    const auto text = read_file_if_exists(leaderboard_);
    if (!text) {
        const auto& c = host_.competition();
        return {{"competition", c.competition}, {"metric", c.metric}, {"public_share", public_share_},
                {"submissions", json::array()}};
    }
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    if (ec || !v.is_object() || !v.as_object().contains("submissions") || !v.as_object().at("submissions").is_array())
        throw Error(leaderboard_.string() + ": not a local leaderboard file (" +
                    (ec ? ec.message() : std::string("no \"submissions\" array")) +
                    "); move it away to start a fresh leaderboard");
    return v.as_object();
}

int LocalSubmitter::used_today(const json::object& board) const {
    const auto today = utc_date();
    int used = 0;
    for (const auto& e : board.at("submissions").as_array())
        if (e.is_object() && require_string(e.as_object(), "date").substr(0, 10) == today) ++used;
    return used;
}

Scores LocalSubmitter::score(const fs::path& submission) {
    // The campaign's metric, with config.json's metric_options.
    const auto parts = score_against_answers(host_.competition(), host_.metric(), submission, answers_,
                                             {"public part", "private part"}, [&](std::string_view id) -> std::size_t {
                                                 return is_public(id, public_share_, split_seed_) ? 0 : 1;
                                             });
    return Scores{parts[0].score, parts[1].score, parts[0].rows, parts[1].rows};
}

SubmissionInfo LocalSubmitter::submit(const SubmissionRequest& request) {
    if (limit_ == 0)
        throw ServiceError("local leaderboard: max_submissions_per_day is 0, which means no submissions; set it to a "
                           "daily limit to submit",
                           429, "quota");
    auto board = load_board();
    if (used_today(board) >= limit_)
        throw ServiceError("local leaderboard: the daily quota of " + std::to_string(limit_) +
                           " submissions (UTC day) is used up; try again after midnight UTC", 429, "quota");
    json::object entry;
    auto& list = board.at("submissions").as_array();
    entry["ref"] = "local-" + std::to_string(list.size() + 1);
    entry["date"] = utc_timestamp();
    entry["description"] = request.description;
    auto rel = request.file.lexically_relative(host_.paths().root).generic_string();
    entry["file"] = rel.empty() || rel.rfind("..", 0) == 0 ? request.file.string() : rel;
    try {
        const auto s = score(request.file);
        entry["state"] = "complete";
        entry["public_score"] = s.public_score;
        entry["private_score"] = s.private_score;
        entry["public_rows"] = s.public_rows;
        entry["private_rows"] = s.private_rows;
    } catch (const ServiceError& e) {
        entry["state"] = "error";
        entry["message"] = e.what();
    }
    list.push_back(entry);
    atomic_write(leaderboard_, json::serialize(board) + "\n");
    auto info = info_of(entry);
    host_.log(LogLevel::info, "submitter-local",
              info.state == SubmissionState::complete ? "scored " + info.ref + ": public " + std::to_string(*info.public_score)
                                                      : "rejected " + info.ref + ": " + info.message);
    return info;
}

SubmissionInfo LocalSubmitter::status(const std::string& ref) {
    const auto board = load_board();
    for (const auto& e : board.at("submissions").as_array())
        if (e.is_object() && require_string(e.as_object(), "ref") == ref) return info_of(e.as_object());
    throw ServiceError("local leaderboard " + leaderboard_.string() + " has no submission '" + ref + "'", 404);
}

std::vector<SubmissionInfo> LocalSubmitter::recent(int limit) {
    const auto board = load_board();
    const auto& list = board.at("submissions").as_array();
    std::vector<SubmissionInfo> out;
    for (auto it = list.rbegin(); it != list.rend() && static_cast<int>(out.size()) < limit; ++it)
        if (it->is_object()) out.push_back(info_of(it->as_object()));
    return out;
}

std::optional<Quota> LocalSubmitter::quota() {
    return Quota{used_today(load_board()), limit_};
}

}  // namespace autokaggle::local_submitter
