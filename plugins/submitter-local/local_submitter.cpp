// The "local" submitter: plays Kaggle's part offline. It scores a submission against held-out
// answers with the competition's metric, splits the test ids into a fixed public and private
// part (a seeded hash of each id, so the split never depends on row order), enforces a daily
// quota (UTC) and keeps a leaderboard file next to the answers. Both live outside the workspace
// (the constructor refuses anything inside it), so no agent can read the answers or the private
// scores. The public score is reported as the LB; the private score is recorded next to it for
// benchmarks (docs/autopilot.md).
#include "local_submitter.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/support/atomic_file.hpp>

#include "metrics/csv.hpp"
#include "metrics/target.hpp"
#include "metrics/verify.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <unordered_map>

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

std::string utc_now_iso() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

/// Predictions of a submission aligned to the answers' rows.
metrics::NpyArray submission_predictions(const metrics::CsvTable& sub, const std::vector<std::size_t>& sub_rows,
                                         const metrics::TargetEncoding& target, const std::string& target_column,
                                         const Metric& metric) {
    const std::size_t n = sub_rows.size();
    const auto& header = sub.header();
    auto has = [&](const std::string& c) { return std::find(header.begin(), header.end(), c) != header.end(); };
    if (target.classification && target.num_classes() > 2 && !has(target_column)) {
        // One column per class, named as the classes.
        std::vector<double> values(n * target.num_classes());
        for (std::size_t k = 0; k < target.num_classes(); ++k) {
            const auto& name = target.class_names[k];
            if (!has(name))
                throw ServiceError("submission " + sub.path().string() + " has no column '" + name +
                                   "' (one probability column per class is expected, as in sample_submission.csv)", 400);
            const auto col = sub.numbers(name);
            for (std::size_t i = 0; i < n; ++i) values[i * target.num_classes() + k] = col[sub_rows[i]];
        }
        return metrics::NpyArray::matrix(std::move(values), n, target.num_classes());
    }
    if (!has(target_column))
        throw ServiceError("submission " + sub.path().string() + " has no column '" + target_column + "'", 400);
    if (sub.is_numeric(target_column)) {
        const auto col = sub.numbers(target_column);
        std::vector<double> values(n);
        for (std::size_t i = 0; i < n; ++i) values[i] = col[sub_rows[i]];
        return metrics::NpyArray::vector(std::move(values));
    }
    if (!target.classification)
        throw ServiceError("submission " + sub.path().string() + " column '" + target_column + "' is not numeric", 400);
    // Class labels: one label per row (label metrics), or space-separated ranked labels (map@k),
    // which become scores 1/rank per class so that the metric ranks them in the same order.
    const auto& col = sub.column(target_column);
    const std::size_t k = target.num_classes();
    const bool ranked = metric.prediction_kind() != PredictionKind::label;
    std::vector<double> values(ranked ? n * k : n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        std::string cell(col[sub_rows[i]]);
        std::size_t rank = 0, pos = 0;
        while (pos < cell.size()) {
            auto end = cell.find(' ', pos);
            auto label = cell.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
            pos = end == std::string::npos ? cell.size() : end + 1;
            if (label.empty()) continue;
            auto index = target.class_index(label);
            if (!index)
                throw ServiceError(sub.where(sub_rows[i], target_column) + ": '" + label + "' is not a class of the training data", 400);
            if (!ranked) {
                values[i] = static_cast<double>(*index);
                break;
            }
            ++rank;
            if (values[i * k + *index] == 0.0) values[i * k + *index] = 1.0 / static_cast<double>(rank);
        }
    }
    return ranked ? metrics::NpyArray::matrix(std::move(values), n, k) : metrics::NpyArray::vector(std::move(values));
}

metrics::NpyArray take_rows(const metrics::NpyArray& a, const std::vector<std::size_t>& rows) {
    std::vector<double> values;
    values.reserve(rows.size() * a.cols);
    for (auto r : rows)
        for (std::size_t c = 0; c < a.cols; ++c) values.push_back(a.at(r, c));
    if (a.one_dimensional) return metrics::NpyArray::vector(std::move(values));
    return metrics::NpyArray::matrix(std::move(values), rows.size(), a.cols);
}

metrics::TargetEncoding take_rows(const metrics::TargetEncoding& t, const std::vector<std::size_t>& rows) {
    metrics::TargetEncoding out = t;
    out.values.clear();
    for (auto r : rows) out.values.push_back(t.values[r]);
    return out;
}

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

LocalSubmitter::LocalSubmitter(HostServices& host, const boost::json::object& options) : host_(host) {
    auto text = [&](const char* key, const std::string& fallback) {
        auto* v = options.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : fallback;
    };
    auto number = [&](const char* key, double fallback) {
        auto* v = options.if_contains(key);
        return v && v->is_number() ? v->to_number<double>() : fallback;
    };
    const auto& root = host.paths().root;
    const auto answers = text("answers", "");
    if (answers.empty())
        throw ConfigError("config.json: submitter.options.answers: the local submitter needs the held-out answers "
                          "file (id and target columns), outside the workspace (e.g. \"../" +
                          root.filename().string() + "-heldout/answers.csv\")");
    answers_ = fs::path(answers).is_absolute() ? fs::path(answers) : root / answers;
    if (!fs::is_regular_file(answers_))
        throw ConfigError("config.json: submitter.options.answers: " + answers_.string() +
                          " does not exist; point it at the held-out answers CSV (id and target columns)");
    public_share_ = number("public_share", 0.3);
    if (!(public_share_ > 0.0 && public_share_ < 1.0))
        throw ConfigError("config.json: submitter.options.public_share: must be between 0 and 1 (exclusive), got " +
                          std::to_string(public_share_));
    split_seed_ = static_cast<std::uint64_t>(number("split_seed", 2026));
    const double per_day = number("max_submissions_per_day", 0);
    limit_ = per_day > 0 ? static_cast<int>(per_day) : host.competition().max_submissions_per_day;
    const auto board = text("leaderboard", "");
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
    const auto today = utc_now_iso().substr(0, 10);
    int used = 0;
    for (const auto& e : board.at("submissions").as_array())
        if (e.is_object() && require_string(e.as_object(), "date").substr(0, 10) == today) ++used;
    return used;
}

Scores LocalSubmitter::score(const fs::path& submission) {
    const auto& c = host_.competition();
    const auto& m = host_.metric();  // the campaign's, with config.json's metric_options
    const auto kind = metrics::target_kind(c.task_type, m.prediction_kind());
    const auto train_target = metrics::load_train_target(c, m.prediction_kind());
    const auto answers = metrics::read_csv(answers_, {c.id_column, c.target_column});
    metrics::TargetEncoding truth = train_target;
    if (kind == metrics::TargetKind::classification) {
        truth.values = metrics::encode_labels(answers, c.target_column, train_target.class_names);
    } else {
        truth.values = answers.numbers(c.target_column);
    }
    truth.source = answers_.filename().string() + " column '" + c.target_column + "'";

    const auto sub = metrics::read_csv(submission);
    if (!sub.has_column(c.id_column))
        throw ServiceError("submission " + submission.string() + " has no id column '" + c.id_column + "'", 400);
    const auto& sub_ids = sub.column(c.id_column);
    std::unordered_map<std::string, std::size_t> sub_row;
    for (std::size_t i = 0; i < sub_ids.size(); ++i)
        if (!sub_row.emplace(std::string(sub_ids[i]), i).second)
            throw ServiceError(sub.where(i, c.id_column) + ": duplicate id '" + std::string(sub_ids[i]) + "'", 400);
    const auto& ids = answers.column(c.id_column);
    if (sub_ids.size() != ids.size())
        throw ServiceError("submission " + submission.string() + " has " + std::to_string(sub_ids.size()) +
                           " rows, the answers have " + std::to_string(ids.size()), 400);
    std::vector<std::size_t> aligned(ids.size());
    std::vector<std::size_t> pub, priv;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto it = sub_row.find(std::string(ids[i]));
        if (it == sub_row.end())
            throw ServiceError("submission " + submission.string() + " lacks id '" + std::string(ids[i]) + "'", 400);
        aligned[i] = it->second;
        (is_public(ids[i], public_share_, split_seed_) ? pub : priv).push_back(i);
    }
    const auto pred = submission_predictions(sub, aligned, truth, c.target_column, m);
    Scores s;
    s.public_rows = pub.size();
    s.private_rows = priv.size();
    try {
        s.public_score = metrics::score_predictions(m, take_rows(truth, pub), take_rows(pred, pub), "public part");
        s.private_score = metrics::score_predictions(m, take_rows(truth, priv), take_rows(pred, priv), "private part");
    } catch (const MetricError& e) {
        throw ServiceError("submission " + submission.string() + " cannot be scored: " + e.what(), 400);
    }
    return s;
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
    entry["date"] = utc_now_iso();
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
