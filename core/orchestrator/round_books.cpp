#include "orchestrator/round_books.hpp"

#include "base/atomic_file.hpp"
#include "base/utc_time.hpp"
#include "metrics/blend.hpp"
#include "metrics/target.hpp"
#include "metrics/verify.hpp"
#include "orchestrator/checks.hpp"
#include "orchestrator/json_util.hpp"
#include "orchestrator/workspace.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {
/// The cv_score cell of a run without a score: "crash", or how the runner ended it ("killed" by
/// the fold-1 gate, "timeout", "oom"): a stopped idea never reads as a broken script.
std::string no_score_cell(const std::string& status) {
    if (status == "killed_fold1") return "killed";
    if (status == "crash" || status == "failed") return "crash";
    return status;
}
}  // namespace

CampaignBooks::CampaignBooks(WorkspacePaths paths, Log log) : paths_(std::move(paths)), log_(std::move(log)) {}

void CampaignBooks::load() {
    auto file = read_results(paths_.results, [this](const std::string& m) { log_(LogLevel::warn, m); });
    results_ = std::move(file.rows);
    if (file.repaired) write_results(paths_.results, results_);
    registry_ = read_experiments(paths_.experiments);
}

std::string CampaignBooks::round_status(int round, const RoundProgress& c) {
    if (c.failure) return "failed";
    if (round == 0) return "eda";
    // A run the Builder reported as crashed keeps the runner's own word for how it ended
    // (killed_fold1, timeout, oom) so results.tsv tells a stopped idea from a broken script.
    if (c.code_crashed) return c.run_status.empty() || c.run_status == "ok" ? "crash" : c.run_status;
    return c.verified_cv ? "ok" : "unverified";
}

void CampaignBooks::record_experiment(int n, const CampaignState& state, const std::string& status,
                                      const std::optional<double>& lb) {
    if (n == 0 || !state.current.done.count("code")) return;
    const auto plan = summarize_plan(read_file_if_exists(round_file(paths_, n, "plan.md")).value_or(""));
    Experiment e;
    e.id = round_tag(n);
    e.round = n;
    e.family = plan.family;
    e.features = plan.features;
    e.params = plan.params;
    e.cv = state.current.verified_cv;
    e.lb = lb;
    if (non_empty_file(round_file(paths_, n, "oof.npy"))) e.oof = workspace_relative(paths_, round_file(paths_, n, "oof.npy"));
    if (non_empty_file(round_file(paths_, n, "test.npy"))) e.test = workspace_relative(paths_, round_file(paths_, n, "test.npy"));
    e.status = status;
    e.regime = state.regime.number;
    if (e.cv && !e.oof.empty()) {
        for (const auto& other : registry_.experiments) {
            if (other.id == e.id || !other.cv || other.oof.empty() || other.regime != e.regime) continue;
            const fs::path other_oof = fs::path(other.oof).is_absolute() ? fs::path(other.oof) : paths_.root / other.oof;
            if (auto r = prediction_correlation(paths_.root / e.oof, other_oof)) {
                const std::string key = other.id < e.id ? other.id + "|" + e.id : e.id + "|" + other.id;
                registry_.correlations[key] = json_util::canonical(std::round(*r * 1e6) / 1e6);
            }
        }
    }
    upsert_experiment(registry_, std::move(e));
    write_experiments(paths_.experiments, registry_);
}

ResultRow CampaignBooks::record(int n, const CampaignState& state) {
    const auto& c = state.current;
    const std::string status = round_status(n, c);
    const SubmissionRecord* sub = nullptr;
    for (const auto& s : state.submissions)
        if (s.round == n) sub = &s;
    ResultRow row;
    row.round = n;
    if (n > 0 && non_empty_file(round_file(paths_, n, "experiment.py")))
        row.script = workspace_relative(paths_, round_file(paths_, n, "experiment.py"));
    row.cv_score = c.verified_cv ? format_score(*c.verified_cv) : c.code_crashed ? no_score_cell(status) : "";
    row.regime = state.regime.number;
    row.lb = sub ? (sub->lb ? format_score(*sub->lb) : sub->state) : "";
    row.status = status;
    row.submitted = sub ? "yes" : "no";
    row.timestamp = utc_timestamp();
    if (c.failure) {
        row.description = "failed at " + *c.failure;
    } else if (n == 0) {
        row.description = "exploratory data analysis";
    } else {
        row.description = summarize_plan(read_file_if_exists(round_file(paths_, n, "plan.md")).value_or("")).title;
        if (!c.verified_cv && !c.verify_message.empty()) row.description += " [" + c.verify_message + "]";
    }
    row.description = one_line(row.description, 200);
    upsert_result(results_, row);
    write_results(paths_.results, results_);
    record_experiment(n, state, status, sub ? sub->lb : std::nullopt);
    const fs::path findings = round_file(paths_, n, "findings.md");
    if (non_empty_file(findings) && c.done.count("findings"))
        update_learnings(paths_.learnings, n, extract_learnings(read_file(findings)));
    return row;
}

void CampaignBooks::set_regime(int regime) {
    if (registry_.regime == regime) return;
    registry_.regime = regime;
    write_experiments(paths_.experiments, registry_);
}

void CampaignBooks::register_existing(const CompetitionInfo& competition, const Metric& metric) {
    if (!competition.existing_oof_dir) return;
    const auto target = metrics::load_train_target(competition, metric.prediction_kind());
    const auto scan = metrics::scan_existing_oof(*competition.existing_oof_dir, metric, target,
                                                 metrics::count_test_rows(competition), paths_.root);
    for (const auto& why : scan.rejected) log_(LogLevel::warn, "existing experiment not registered: " + why);
    bool changed = false;
    for (const auto& rec : scan.accepted) {
        const bool known = std::any_of(registry_.experiments.begin(), registry_.experiments.end(),
                                       [&](const Experiment& e) { return e.id == rec.id; });
        if (known) continue;
        Experiment e;
        e.id = rec.id;
        e.family = rec.family;
        e.cv = rec.cv ? std::optional(json_util::canonical(*rec.cv)) : std::nullopt;
        e.oof = rec.oof.generic_string();
        e.test = rec.test.generic_string();
        e.status = "existing";
        e.regime = registry_.regime;
        upsert_experiment(registry_, std::move(e));
        changed = true;
        log_(LogLevel::info,
             "registered the existing experiment " + rec.id + (rec.cv ? " (cv " + format_score(*rec.cv) + ")" : ""));
    }
    if (changed) write_experiments(paths_.experiments, registry_);
}

std::string CampaignBooks::summary(int n, const CompetitionInfo& competition, const CampaignState& state) const {
    std::ostringstream os;
    os << "# Campaign summary at " << round_tag(n) << "\n\n"
       << "- competition: " << competition.competition << "\n"
       << "- round limit: "
       << (state.max_rounds ? "the campaign stops after " + round_tag(*state.max_rounds) : std::string("none")) << "\n"
       << "- CV regime: " << state.regime.number << " (since " << round_tag(state.regime.since_round)
       << "; earlier regimes' scores are not comparable)\n"
       << "- metric: " << competition.metric << " (" << competition.metric_direction << " is better)\n"
       << "- best CV: " << (state.best_cv ? format_score(*state.best_cv) + " (" + round_tag(state.best_cv_round) + ")" : "none")
       << "\n"
       << "- best LB: " << (state.best_lb ? format_score(*state.best_lb) + " (" + round_tag(state.best_lb_round) + ")" : "none")
       << "\n- submissions: " << state.submissions.size() << "\n\n## Results\n\n"
       << "| round | cv | lb | status | submitted | description |\n|---|---|---|---|---|---|\n";
    const std::size_t from = results_.size() > 30 ? results_.size() - 30 : 0;
    for (std::size_t i = from; i < results_.size(); ++i) {
        const auto& r = results_[i];
        os << "| " << round_tag(r.round) << " | " << r.cv_score << " | " << r.lb << " | " << r.status << " | " << r.submitted
           << " | " << r.description << " |\n";
    }
    std::string learnings = read_file_if_exists(paths_.learnings).value_or("");
    if (learnings.size() > 6000) learnings = "...\n" + learnings.substr(learnings.size() - 6000);
    os << "\n## Learnings\n\n" << (learnings.empty() ? "(none yet)\n" : learnings);
    return os.str();
}

}  // namespace autokaggle
