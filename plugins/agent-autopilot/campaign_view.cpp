// Reading the campaign's history from the workspace files.
#include "autopilot.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

namespace autokaggle::autopilot {

namespace json = boost::json;

bool supported_task(const std::string& task_type) {
    return task_type == "binary_classification" || task_type == "multiclass_classification" ||
           task_type == "regression";
}

bool is_classification(const std::string& task_type) { return task_type.find("classification") != std::string::npos; }

std::string read_text_or_empty(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}


namespace {

std::optional<double> parse_double(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, '\t')) out.push_back(cell);
    if (!line.empty() && line.back() == '\t') out.emplace_back();
    return out;
}

std::string string_field(const json::object& o, const char* key, const std::string& fallback = {}) {
    if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
    return fallback;
}

TaskFacts read_facts(const HostServices& host) {
    const auto& c = host.competition();
    TaskFacts f;
    f.task_type = c.task_type;
    f.metric = c.metric;
    f.direction = c.metric_direction.empty() ? "higher" : c.metric_direction;
    const auto text = read_text_or_empty(host.paths().agents / "builder" / "eda_facts.json");
    if (text.empty()) return f;
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return f;
    const auto& o = value.as_object();
    auto integer = [&](const char* key) -> int {
        auto* v = o.if_contains(key);
        return v && v->is_number() ? static_cast<int>(v->to_number<double>()) : 0;
    };
    auto boolean = [&](const char* key) {
        auto* v = o.if_contains(key);
        return v && v->is_bool() && v->as_bool();
    };
    f.rows = integer("rows");
    f.categorical = integer("categorical");
    f.imbalanced = boolean("imbalanced");
    f.skewed_target = boolean("skewed_target");
    f.nonnegative_target = boolean("target_nonnegative");
    f.missing_any = boolean("missing_any");
    return f;
}

/// results.tsv rows by round (header-driven, so extra or reordered columns are fine).
std::map<int, std::map<std::string, std::string>> read_results(const fs::path& file) {
    std::map<int, std::map<std::string, std::string>> rows;
    std::istringstream in(read_text_or_empty(file));
    std::string line;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto cells = split_tabs(line);
        if (header.empty()) {
            header = cells;
            continue;
        }
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
        auto round = parse_double(row["round"]);
        if (round) rows[static_cast<int>(*round)] = std::move(row);
    }
    return rows;
}

std::vector<std::string> suggested_from_brief(const std::string& brief) {
    // The Researcher writes "Suggested families: a, b" (see researcher.cpp).
    std::vector<std::string> out;
    std::istringstream in(brief);
    std::string line;
    const std::string prefix = "Suggested families:";
    while (std::getline(in, line)) {
        auto pos = line.find(prefix);
        if (pos == std::string::npos) continue;
        std::istringstream items(line.substr(pos + prefix.size()));
        std::string item;
        while (std::getline(items, item, ',')) {
            item.erase(0, item.find_first_not_of(" *`"));
            item.erase(item.find_last_not_of(" *`.") + 1);
            if (!item.empty() && item != "none") out.push_back(item);
        }
    }
    return out;
}

}  // namespace

boost::json::object ExperimentSpec::to_json() const {
    json::object o;
    o["family"] = family;
    o["variant"] = variant;
    o["encoding"] = encoding;
    o["log_target"] = log_target;
    o["class_weight"] = class_weight;
    o["params"] = params;
    json::array m;
    for (const auto& b : members)
        m.push_back(json::object{{"round", b.round}, {"family", b.family}, {"oof", b.oof.string()}, {"test", b.test.string()}});
    o["members"] = std::move(m);
    o["title"] = title;
    return o;
}

ExperimentSpec ExperimentSpec::from_json(const boost::json::object& o) {
    ExperimentSpec s;
    s.family = string_field(o, "family", "unknown");
    s.variant = string_field(o, "variant", "base");
    s.encoding = string_field(o, "encoding", "ordinal");
    s.title = string_field(o, "title");
    if (auto* v = o.if_contains("log_target"); v && v->is_bool()) s.log_target = v->as_bool();
    if (auto* v = o.if_contains("class_weight"); v && v->is_bool()) s.class_weight = v->as_bool();
    if (auto* v = o.if_contains("params"); v && v->is_object()) s.params = v->as_object();
    if (auto* v = o.if_contains("members"); v && v->is_array()) {
        for (const auto& m : v->as_array()) {
            if (!m.is_object()) continue;
            const auto& mo = m.as_object();
            BlendMember b;
            if (auto* r = mo.if_contains("round"); r && r->is_number()) b.round = static_cast<int>(r->to_number<double>());
            b.family = string_field(mo, "family");
            b.oof = string_field(mo, "oof");
            b.test = string_field(mo, "test");
            s.members.push_back(std::move(b));
        }
    }
    return s;
}

std::optional<ExperimentSpec> read_plan_spec(const fs::path& plan_file) {
    const auto text = read_text_or_empty(plan_file);
    const std::string open = "```json";
    auto start = text.find(open);
    if (start == std::string::npos) return std::nullopt;
    start += open.size();
    auto end = text.find("```", start);
    if (end == std::string::npos) return std::nullopt;
    boost::system::error_code ec;
    auto value = json::parse(text.substr(start, end - start), ec);
    if (ec || !value.is_object()) return std::nullopt;
    return ExperimentSpec::from_json(value.as_object());
}

RoundScores scores_in_log(const std::string& log) {
    RoundScores out;
    static const std::regex fold(R"(^FOLD\s+\d+\s+SCORE=([-+0-9.eE]+))");
    static const std::regex cv(R"(CV_SCORE=([-+0-9.eE]+))");
    std::istringstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, fold)) {
            if (auto v = parse_double(m[1].str())) out.folds.push_back(*v);
        } else if (std::regex_search(line, m, cv)) {
            if (auto v = parse_double(m[1].str()); v && std::isfinite(*v)) out.cv = v;
        }
    }
    return out;
}

RoundScores round_scores(const fs::path& rounds_dir, int round) {
    boost::system::error_code ec;
    const auto value = json::parse(read_text_or_empty(round_file(rounds_dir, round, "scores.json")), ec);
    const json::object* scores = !ec && value.is_object() ? &value.as_object() : nullptr;
    const json::value* cv = scores ? scores->if_contains("cv") : nullptr;
    if (!cv || !cv->is_number()) return scores_in_log(read_text_or_empty(round_file(rounds_dir, round, "run.log")));
    RoundScores out;
    out.cv = cv->to_number<double>();
    if (const json::value* folds = scores->if_contains("fold_scores"); folds && folds->is_array())
        for (const auto& f : folds->as_array())
            if (f.is_number()) out.folds.push_back(f.to_number<double>());
    return out;
}

CampaignView read_campaign(const HostServices& host, int round) {
    CampaignView view;
    const auto& paths = host.paths();
    const auto& competition = host.competition();
    view.facts = read_facts(host);
    view.round = round;
    view.max_rounds = competition.max_rounds;
    view.rounds_dir = paths.rounds;
    view.best_pipeline_script = competition.best_pipeline_script;

    const auto results = read_results(paths.results);
    for (int r = 1; r < round; ++r) {
        RoundRecord rec;
        rec.round = r;
        rec.spec = read_plan_spec(round_file(paths.rounds, r, "plan.md"));
        auto it = results.find(r);
        if (it != results.end()) {
            auto row = it->second;
            rec.status = row["status"];
            rec.cv = parse_double(row["cv_score"]);
            rec.lb = parse_double(row["lb"]);
            rec.submitted = row["submitted"] == "yes";
            rec.description = row["description"];
        } else if (rec.spec) {
            // Not recorded by the core (yet): fall back to the script's own claim in its log.
            const auto log = read_text_or_empty(round_file(paths.rounds, r, "run.log"));
            auto pos = log.rfind("CV_SCORE=");
            if (pos != std::string::npos) rec.cv = parse_double(log.substr(pos + 9, log.find('\n', pos) - pos - 9));
            rec.status = rec.cv ? "ok" : "crash";
        }
        if (rec.spec || it != results.end()) view.history.push_back(std::move(rec));
    }

    // The imported section's rules carry a confidence and are judged by it (view.rules); every
    // other line is this campaign's or the user's own word.
    const auto learnings_text = read_text_or_empty(paths.learnings);
    view.rules = learnings::rules_in_learnings(learnings_text);
    std::istringstream learnings(learnings_text);
    std::string line;
    bool imported = false;
    while (std::getline(learnings, line)) {
        if (!line.empty() && line[0] == '#') imported = line == learnings::kImportedHeading;
        else if (!line.empty() && !imported) view.learnings.push_back(line);
    }

    for (int r = round; r >= 1; --r) {
        const auto brief = read_text_or_empty(round_file(paths.rounds, r, "research_brief.md"));
        if (brief.empty()) continue;
        view.suggested_families = suggested_from_brief(brief);
        break;
    }

    const auto registry = read_text_or_empty(paths.experiments);
    if (!registry.empty()) {
        boost::system::error_code ec;
        auto value = json::parse(registry, ec);
        if (!ec && value.is_object())
            if (auto* c = value.as_object().if_contains("correlations"); c && c->is_object())
                for (const auto& [k, v] : c->as_object())
                    if (v.is_number()) view.correlations[std::string(k)] = v.to_number<double>();
    }
    return view;
}

int CampaignView::rounds_left() const { return max_rounds > 0 ? std::max(0, max_rounds - round) : 1000; }

bool CampaignView::better(double a, double b) const { return facts.higher_is_better() ? a > b : a < b; }

const RoundRecord* CampaignView::best() const {
    const RoundRecord* best = nullptr;
    for (const auto& r : history)
        if (r.ok() && (!best || better(*r.cv, *best->cv))) best = &r;
    return best;
}

const RoundRecord* CampaignView::best_of_family(const std::string& family) const {
    const RoundRecord* best = nullptr;
    for (const auto& r : history)
        if (r.ok() && r.family() == family && (!best || better(*r.cv, *best->cv))) best = &r;
    return best;
}

std::vector<std::string> CampaignView::ranked_families() const {
    std::vector<const RoundRecord*> bests;
    for (const auto& r : history) {
        if (!r.ok() || r.family() == "blend" || r.family() == "unknown") continue;
        auto it = std::find_if(bests.begin(), bests.end(), [&](auto* b) { return b->family() == r.family(); });
        if (it == bests.end()) bests.push_back(&r);
        else if (better(*r.cv, *(*it)->cv)) *it = &r;
    }
    std::stable_sort(bests.begin(), bests.end(), [&](auto* a, auto* b) { return better(*a->cv, *b->cv); });
    std::vector<std::string> out;
    for (auto* b : bests) out.push_back(b->family());
    return out;
}

std::set<std::string> CampaignView::tried_keys() const {
    std::set<std::string> out;
    for (const auto& r : history)
        if (r.spec) out.insert(r.spec->key());
    return out;
}

std::set<std::string> CampaignView::tried_families() const {
    std::set<std::string> out;
    for (const auto& r : history)
        if (r.spec) out.insert(r.spec->family);
    return out;
}

double CampaignView::fold_noise() const {
    const auto* b = best();
    if (!b) return 0;
    if (auto spread = fold_spread(b->round)) return *spread / std::sqrt(5.0);
    return 0.001 * std::fabs(*b->cv);
}

std::optional<double> CampaignView::fold_spread(int r) const {
    const auto scores = round_scores(rounds_dir, r).folds;
    if (scores.size() < 2) return std::nullopt;
    double mean = 0;
    for (double s : scores) mean += s;
    mean /= static_cast<double>(scores.size());
    double var = 0;
    for (double s : scores) var += (s - mean) * (s - mean);
    return std::sqrt(var / static_cast<double>(scores.size() - 1));
}

}  // namespace autokaggle::autopilot
