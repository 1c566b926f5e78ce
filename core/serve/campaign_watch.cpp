#include "serve/campaign_watch.hpp"

#include "base/config.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "orchestrator/experiments.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/status.hpp"
#include "orchestrator/workspace.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace autokaggle::serve {
namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kFollowChunk = 1 << 20;  ///< at most this much new log per update
constexpr std::size_t kPhaseLogBytes = 16 << 10;
constexpr std::size_t kPhaseLogLines = 40;
constexpr std::size_t kRunTailLines = 15;

/// The files whose change means the summary must be read again.
constexpr std::array kSummaryFiles{"config.json", "results.tsv", "experiments.json", "blends/blend.json"};

/// Round documents in the order a reader goes through a round.
constexpr std::array kRoundFileOrder{"eda.md",          "retro.md",    "research_brief.md", "plan.md",
                                     "review.md",       "experiment.py", "run.log",         "run.log.partial",
                                     "verification.md", "verify.md",   "decision.md",       "findings.md"};

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<double> number(const std::string& text) {
    if (text.empty()) return std::nullopt;
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::vector<std::string> last_lines(const std::string& text, std::size_t n) {
    auto lines = split(text, '\n');
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<long>(n));
    return lines;
}

json::array to_array(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& s : items) out.emplace_back(s);
    return out;
}

/// "size:mtime" of a workspace file, "-" when missing: enough to tell that it changed.
std::string file_stamp(const fs::path& file) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return "-";
    const auto time = fs::last_write_time(file, ec);
    return std::to_string(size) + ":" + std::to_string(time.time_since_epoch().count());
}

/// The round number in a run label "R07_experiment", or nullopt.
std::optional<int> label_round(std::string_view label) {
    if (label.size() < 2 || label[0] != 'R') return std::nullopt;
    int round = 0;
    const auto [end, ec] = std::from_chars(label.data() + 1, label.data() + label.size(), round);
    if (ec != std::errc() || end == label.data() + 1 || round < 0) return std::nullopt;
    return round;
}

const json::value* member(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

/// The blend the core built (blends/blend.json), reduced to what the page shows.
json::value read_blend(const WorkspaceFiles& files, std::vector<std::string>& warnings) {
    const auto read = files.read("blends/blend.json", WorkspaceFiles::kMaxWholeBytes, false);
    if (!read.ok()) return nullptr;
    boost::system::error_code ec;
    auto doc = json::parse(read.text, ec);
    if (ec || !doc.is_object()) {
        warnings.push_back("blends/blend.json is not a JSON object; the blend is not shown");
        return nullptr;
    }
    json::object out;
    for (const char* key : {"metric", "blend_cv", "best_single", "rank_average", "models", "excluded"})
        if (const auto* v = member(doc.as_object(), key)) out[key] = *v;
    return out;
}

/// The registry, reduced to what the page shows (ids, families, scores, correlations).
void add_experiments(const fs::path& file, json::object& doc, std::vector<std::string>& warnings) {
    json::array list;
    json::object correlations;
    try {
        const auto registry = read_experiments(file);
        for (const auto& e : registry.experiments) {
            list.push_back(json::object{{"id", e.id},
                                        {"round", e.round},
                                        {"family", e.family},
                                        {"cv", e.cv ? json::value(*e.cv) : json::value(nullptr)},
                                        {"lb", e.lb ? json::value(*e.lb) : json::value(nullptr)},
                                        {"status", e.status},
                                        {"features", e.features.size()},
                                        {"params", e.params}});
        }
        correlations = registry.correlations;
    } catch (const std::exception& e) {
        warnings.push_back(e.what());
    }
    doc["experiments"] = std::move(list);
    doc["correlations"] = std::move(correlations);
}

/// results.tsv rows with the family of their experiment and the round's spend.
json::array rounds_table(const WorkspaceFiles& files, const StatusView& view, const json::array& experiments,
                         std::vector<std::string>& warnings) {
    const auto read = files.read("results.tsv", 16u << 20, false);
    json::array rows = read.ok() ? parse_results_table(read.text, warnings) : json::array{};
    for (auto& row : rows) {
        auto& r = row.as_object();
        const auto round = number(std::string(r["round"].is_string() ? r["round"].as_string() : ""));
        if (!round) continue;
        const int n = static_cast<int>(*round);
        r["round"] = n;
        for (const auto& e : experiments) {
            const auto& eo = e.as_object();
            if (eo.at("round").to_number<int>() == n) r["family"] = eo.at("family");
        }
        if (const auto it = view.state.usage_by_round.find(n); it != view.state.usage_by_round.end()) {
            r["usd"] = it->second.usd;
            r["tokens"] = it->second.input_tokens + it->second.output_tokens;
        }
    }
    return rows;
}

}  // namespace

/// results.tsv's columns before later versions appended theirs (round ... description).
constexpr std::size_t kFirstResultsColumns = 8;

json::array parse_results_table(std::string_view text, std::vector<std::string>& warnings) {
    std::vector<std::string> lines = split(text, '\n');
    if (!lines.empty() && lines.back().empty()) {
        lines.pop_back();
    } else if (!lines.empty()) {
        warnings.push_back("results.tsv: the last line has no line end yet (being written): not shown");
        lines.pop_back();
    }
    std::vector<std::string> columns = split(kResultsHeader, '\t');
    std::size_t first = 0;
    if (!lines.empty() && lines[0].rfind("round\t", 0) == 0) {
        columns = split(lines[0], '\t');
        first = 1;
    }
    json::array rows;
    for (std::size_t i = first; i < lines.size(); ++i) {
        if (lines[i].empty()) continue;
        auto fields = split(lines[i], '\t');
        // Rows written before a column was appended (regime) have the first eight only.
        if (fields.size() >= kFirstResultsColumns && fields.size() < columns.size()) fields.resize(columns.size());
        if (fields.size() != columns.size()) {
            warnings.push_back("results.tsv line " + std::to_string(i + 1) + ": " + std::to_string(fields.size()) +
                               " fields where the header has " + std::to_string(columns.size()) + ": not shown");
            continue;
        }
        json::object row;
        for (std::size_t c = 0; c < columns.size(); ++c) row[columns[c]] = fields[c];
        rows.push_back(std::move(row));
    }
    return rows;
}

RunLogFollower::RunLogFollower(std::string run_key, std::string log)
    : run_key_(std::move(run_key)), log_(std::move(log)), parser_(std::make_unique<ScoreLineParser>()) {}

void RunLogFollower::update(const WorkspaceFiles& files, const std::string& log) {
    log_ = log;
    auto read = files.read_from(log, offset_, kFollowChunk);
    if (!read.ok()) return;
    if (read.inode != inode_ || read.size < offset_) {  // a new file, or the same one started again
        parser_ = std::make_unique<ScoreLineParser>();
        inode_ = read.inode;
        offset_ = read.size > kFollowChunk ? read.size - kFollowChunk : 0;
        read = files.read_from(log, offset_, kFollowChunk);
        if (!read.ok()) return;
    }
    parser_->feed(read.text);
    offset_ += read.text.size();
}

CampaignWatch::CampaignWatch(std::string id, const fs::path& root) : id_(std::move(id)), files_(root) {}

CampaignWatch::Snapshot CampaignWatch::refresh(std::chrono::milliseconds max_age) {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    if (!read_once_ || now - read_at_ >= max_age) {
        read_locked();
        read_at_ = now;
        read_once_ = true;
    }
    return snapshot_;
}

void CampaignWatch::read_locked() {
    std::vector<std::string> warnings;
    std::optional<StatusView> view;
    try {
        view = read_status(files_.root(), 0, &directions_);
    } catch (const std::exception& e) {
        warnings.push_back(std::string("cannot read the campaign (showing the last good reading): ") + e.what());
    }
    json::object live;
    if (view) {
        for (const auto& w : view->warnings) warnings.push_back(w);
        status_ = format_status_json(*view);
        std::string stamp = json::serialize(status_);
        for (const char* name : kSummaryFiles) stamp += "|" + file_stamp(files_.root() / name);
        if (stamp != fingerprint_ || summary_doc_.empty()) {
            fingerprint_ = stamp;
            summary_doc_ = build_summary(*view);
        }
        live = build_live(*view);
    } else if (!snapshot_.live.empty()) {
        live = json::parse(snapshot_.live).as_object();
    }
    json::object summary = summary_doc_;
    // Warnings that depend only on the files read for the summary were kept in the document.
    if (auto* kept = summary.if_contains("read_warnings"); kept && kept->is_array())
        for (const auto& w : kept->as_array()) warnings.emplace_back(w.as_string());
    summary.erase("read_warnings");
    summary["warnings"] = to_array(warnings);
    const std::string summary_text = redact(strict_json(summary));
    if (summary_text != snapshot_.summary) {
        snapshot_.summary = summary_text;
        ++snapshot_.summary_version;
    }
    const std::string live_text = redact(strict_json(live));
    if (live_text != snapshot_.live) {
        snapshot_.live = live_text;
        ++snapshot_.live_version;
    }
}

json::object CampaignWatch::build_summary(const StatusView& view) {
    std::vector<std::string> warnings;
    json::object doc = status_;
    doc.erase("results");
    doc.erase("warnings");
    doc["id"] = id_;
    doc["name"] = files_.root().filename().string();
    const auto loaded = load_config(files_.root() / "config.json", nullptr);
    if (loaded.ok()) {
        const auto& c = loaded.config->competition;
        doc["deadline"] = c.deadline;
        doc["cv_folds"] = c.cv_folds;
        doc["cv_strategy"] = c.cv_strategy;
        doc["task_type"] = c.task_type;
        cv_folds_ = c.cv_folds;
    }
    const json::value state = to_json(view.state);
    const auto& so = state.as_object();
    for (const char* key : {"current", "started_at", "updated_at"})
        if (const auto* v = so.if_contains(key)) doc[key] = *v;
    add_experiments(files_.root() / "experiments.json", doc, warnings);
    doc["rounds"] = rounds_table(files_, view, doc["experiments"].as_array(), warnings);
    doc["blend"] = read_blend(files_, warnings);
    doc["read_warnings"] = to_array(warnings);
    return doc;
}

json::object CampaignWatch::build_live(const StatusView& view) {
    const auto& s = view.state;
    std::string phase_since;
    for (const auto& [phase, record] : s.current.done) phase_since = std::max(phase_since, record.finished_at);
    json::object live{{"round", s.round},
                      {"phase", s.phase},
                      {"running_pid", view.running_pid ? json::value(*view.running_pid) : json::value(nullptr)},
                      {"stop", json::object{{"reason", s.stop_reason}, {"at", s.stopped_at}}},
                      {"updated_at", s.updated_at},
                      {"phase_since", phase_since}};
    live["run"] = live_run(s.run_records);
    const auto log = files_.read("logs/autokaggle.log", kPhaseLogBytes, true);
    live["phase_log"] = to_array(log.ok() ? last_lines(log.text, kPhaseLogLines) : std::vector<std::string>{});
    return live;
}

json::value CampaignWatch::live_run(const json::object& run_records) {
    for (const auto& [label, record] : run_records) {
        const auto round = label_round(label);
        if (!round) continue;
        const std::string tag = round_tag(*round);
        std::string log = "rounds/" + tag + "_run.log.partial";
        if (!files_.read_from(log, 0, 0).ok()) log = "rounds/" + tag + "_run.log";
        const std::string key = std::string(label) + " " + json::serialize(record);
        if (!follower_ || follower_->run_key() != key) {
            // The same label with another record is the run started again (after a restart): it
            // starts now. Otherwise the log's creation is the best account of the start.
            const bool restarted = follower_ && follower_->run_key().rfind(std::string(label) + " ", 0) == 0;
            follower_.emplace(key, log);
            run_started_ = restarted ? std::optional<double>(epoch_now()) : files_.birth_time(log);
            if (!run_started_) run_started_ = epoch_now();
        }
        follower_->update(files_, log);
        const auto& parser = follower_->parser();
        json::array folds;
        for (const auto& [fold, score] : parser.folds()) folds.push_back(json::object{{"fold", fold}, {"score", score}});
        return json::object{{"label", label},
                            {"round", *round},
                            {"log", log},
                            {"folds_done", parser.folds().size()},
                            {"folds_total", cv_folds_},
                            {"fold_scores", std::move(folds)},
                            {"cv", parser.cv_score() ? json::value(*parser.cv_score()) : json::value(nullptr)},
                            {"started_at", *run_started_},
                            {"tail", to_array(last_lines(parser.tail(), kRunTailLines))}};
    }
    follower_.reset();
    return nullptr;
}

std::string CampaignWatch::round_files(int round) const {
    const std::string prefix = round_tag(round) + "_";
    const auto names = files_.list("rounds", prefix);
    json::array out;
    for (const char* suffix : kRoundFileOrder) {
        const std::string name = prefix + suffix;
        if (std::find(names.begin(), names.end(), name) == names.end()) continue;
        if (std::string_view(suffix) == "run.log.partial" &&
            std::find(names.begin(), names.end(), prefix + "run.log") != names.end())
            continue;
        const std::string path = "rounds/" + name;
        if (!served_path(path)) continue;
        const std::string_view ext = suffix;
        const char* kind = ext.ends_with(".md") ? "markdown" : ext.ends_with(".py") ? "python" : "log";
        out.push_back(json::object{{"path", path}, {"name", suffix}, {"kind", kind}});
    }
    return strict_json(json::object{{"round", round}, {"files", std::move(out)}});
}

json::object CampaignWatch::list_entry() {
    const auto snap = refresh();
    boost::system::error_code ec;
    const auto doc = json::parse(snap.summary, ec);
    json::object entry{{"id", id_}, {"name", files_.root().filename().string()}};
    if (ec || !doc.is_object()) return entry;
    const auto& o = doc.as_object();
    for (const char* key : {"workspace", "competition", "metric", "direction", "round", "phase", "running_pid", "stop", "best"})
        if (const auto* v = o.if_contains(key)) entry[key] = *v;
    return entry;
}

}  // namespace autokaggle::serve
