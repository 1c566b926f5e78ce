#include "orchestrator/status.hpp"

#include "base/config.hpp"
#include "base/configured_metric.hpp"
#include "base/plugin_host.hpp"
#include "base/utc_time.hpp"
#include "orchestrator/policy.hpp"
#include "orchestrator/workspace.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace autokaggle {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {
std::string score_or(const std::optional<double>& v, int round, const char* none) {
    if (!v) return none;
    return format_score(*v) + " (" + round_tag(round) + ")";
}

std::string usd(double v) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(2) << "$" << v;
    return os.str();
}
}  // namespace

std::string DeclaredDirections::of(const Config& c, std::vector<std::string>& warnings) {
    std::string key = c.competition.metric + "\n";
    if (const auto* options = c.raw.if_contains("metric_options")) key += json::serialize(*options);
    for (const auto& dir : c.plugin_dirs) key += "\n" + dir.string();
    if (auto it = known_.find(key); it != known_.end()) return it->second;
    try {
        PluginHost plugins(PluginHost::search_path(c.plugin_dirs));
        StandaloneHost host(plugins, c.competition, c.raw);
        return known_[key] = direction_name(host.metric().direction());
    } catch (const std::exception& e) {  // not remembered: a plugin installed later is found
        warnings.push_back(std::string("the metric's direction is unknown: ") + e.what());
        return {};
    }
}

StatusView read_status(const fs::path& root_in, int rows, DeclaredDirections* directions) {
    StatusView v;
    v.root = fs::absolute(root_in).lexically_normal();
    WorkspacePaths paths;
    paths.root = v.root;
    paths.state = v.root / "state.json";
    paths.results = v.root / "results.tsv";
    const fs::path config_file = v.root / "config.json";
    if (!fs::exists(config_file)) {
        throw ConfigError(config_file.string() + " not found: " + v.root.string() +
                          " is not a campaign workspace (create one with `autokaggle init DIR`)");
    }
    auto loaded = load_config(config_file, nullptr);
    if (loaded.ok()) {
        const Config& c = *loaded.config;
        paths = workspace_paths(c);
        v.competition = c.competition.competition;
        v.metric = c.competition.metric;
        DeclaredDirections fresh;
        v.direction = !c.competition.metric_direction.empty() ? c.competition.metric_direction
                                                              : (directions ? *directions : fresh).of(c, v.warnings);
        v.max_submissions_per_day = c.competition.max_submissions_per_day;
        v.max_usd = c.budget.max_usd;
        v.max_hours = c.budget.max_hours;
        v.max_tokens = c.budget.max_tokens;
        v.max_rounds = c.budget.max_rounds;
    } else {
        for (const auto& d : loaded.diagnostics)
            if (d.severity == Diagnostic::Severity::error) v.warnings.push_back(d.format());
    }
    const auto warn = [&](const std::string& m) { v.warnings.push_back(m); };
    v.state = StateStore(paths.state).peek(warn);
    if (v.state.max_rounds) v.max_rounds = *v.state.max_rounds;  // the limit the last run held to
    auto results = read_results(paths.results, warn);
    v.total_rows = static_cast<int>(results.rows.size());
    const std::size_t n = static_cast<std::size_t>(std::max(0, rows));
    const std::size_t from = results.rows.size() > n ? results.rows.size() - n : 0;
    v.last_rows.assign(results.rows.begin() + static_cast<long>(from), results.rows.end());
    const auto today = v.state.submissions_per_day.find(utc_date());
    v.submissions_today = today == v.state.submissions_per_day.end() ? 0 : today->second;
    if (const auto h = WorkspaceLock::holder(v.root); h && h->command != "submit") v.running_pid = h->pid;
    return v;
}

std::string format_status_text(const StatusView& v) {
    const auto& s = v.state;
    std::ostringstream os;
    os << "campaign   " << v.root.string() << (v.competition.empty() ? "" : "  (" + v.competition + ")") << "\n";
    if (!v.metric.empty()) os << "metric     " << v.metric << " (" << v.direction << " is better)\n";
    os << "round      " << round_tag(s.round) << ", phase " << s.phase;
    if (v.max_rounds > 0) os << " (stops after " << round_tag(v.max_rounds) << ")";
    os << "\n";
    os << "cv regime  " << s.regime.number << " (since " << round_tag(s.regime.since_round) << ")\n";
    if (v.running_pid) os << "running    yes (pid " << *v.running_pid << ")\n";
    else if (!s.stop_reason.empty()) os << "stopped    " << s.stopped_at << ": " << s.stop_reason << "\n";
    os << "best CV    " << score_or(s.best_cv, s.best_cv_round, "none yet") << "\n";
    os << "best LB    " << score_or(s.best_lb, s.best_lb_round, "none yet") << "\n";
    if (s.cv_lb_divergence) os << "warning    CV/LB divergence: " << s.divergence_note << "\n";
    const int left = std::max(0, v.max_submissions_per_day - v.submissions_today);
    os << "submit     " << v.submissions_today << " today, " << left << " of " << v.max_submissions_per_day
       << " left (UTC " << utc_date() << "), " << s.submissions.size() << " in all\n";
    if (s.pending_submission) os << "pending    submission of " << round_tag(s.pending_submission->round) << " in flight\n";
    const Usage total = total_usage(s);
    os << "spent      " << usd(total.usd) << (v.max_usd > 0 ? " of " + usd(v.max_usd) : "") << ", "
       << (total.input_tokens + total.output_tokens) << " tokens"
       << (v.max_tokens > 0 ? " of " + std::to_string(v.max_tokens) : "") << ", " << std::fixed << std::setprecision(2)
       << s.seconds_spent / 3600.0 << " h" << (v.max_hours > 0 ? " of " + std::to_string(v.max_hours).substr(0, 5) + " h" : "")
       << "\n";
    for (const auto& [role, u] : s.usage_by_role) {
        os << "           " << role << ": " << usd(u.usd) << ", " << (u.input_tokens + u.output_tokens) << " tokens\n";
    }
    os << "agents\n";
    for (const auto& [role, a] : s.agents) {
        os << "  " << std::left << std::setw(11) << role << a.plugin << ", spawned at " << round_tag(a.spawn_round)
           << (a.session.empty() ? "" : ", session " + a.session) << "\n";
    }
    os << "results (last " << v.last_rows.size() << " of " << v.total_rows << ")\n";
    const std::vector<std::string> header{"round", "cv_score", "lb", "status", "submitted", "description"};
    std::vector<std::vector<std::string>> table{header};
    for (const auto& r : v.last_rows) table.push_back({round_tag(r.round), r.cv_score, r.lb, r.status, r.submitted, r.description});
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& row : table)
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : table) {
        os << " ";
        for (std::size_t i = 0; i < row.size(); ++i) {
            os << " " << row[i];
            if (i + 1 < row.size()) os << std::string(width[i] - row[i].size(), ' ');
        }
        os << "\n";
    }
    for (const auto& w : v.warnings) os << "warning    " << w << "\n";
    return os.str();
}

json::object format_status_json(const StatusView& v) {
    json::array rows;
    for (const auto& r : v.last_rows) {
        rows.push_back(json::object{{"round", r.round},       {"script", r.script},       {"cv_score", r.cv_score},
                                    {"lb", r.lb},             {"status", r.status},       {"submitted", r.submitted},
                                    {"timestamp", r.timestamp}, {"description", r.description}});
    }
    json::array warnings;
    for (const auto& w : v.warnings) warnings.push_back(json::value(w));
    const json::value state = to_json(v.state);
    const auto& so = state.get_object();
    return json::object{
        {"workspace", v.root.string()},
        {"competition", v.competition},
        {"metric", v.metric},
        {"direction", v.direction},
        {"round", v.state.round},
        {"phase", v.state.phase},
        {"regime", so.at("regime")},
        {"running_pid", v.running_pid ? json::value(*v.running_pid) : json::value(nullptr)},
        {"stop", so.at("stop")},
        {"best", so.at("best")},
        {"cv_lb_divergence", so.at("cv_lb_divergence")},
        {"submissions", json::object{{"today", v.submissions_today},
                                     {"limit_per_day", v.max_submissions_per_day},
                                     {"left_today", std::max(0, v.max_submissions_per_day - v.submissions_today)},
                                     {"total", v.state.submissions.size()},
                                     {"pending", so.at("pending_submission")}}},
        {"budget_spent", so.at("budget_spent")},
        {"budget", json::object{{"max_usd", v.max_usd}, {"max_tokens", v.max_tokens}, {"max_hours", v.max_hours},
                                {"max_rounds", v.max_rounds}}},
        {"agents", so.at("agents")},
        {"results", std::move(rows)},
        {"results_total", v.total_rows},
        {"warnings", std::move(warnings)},
    };
}

}  // namespace autokaggle
