// The round loop. What a round consists of is the phase table (phase_plan.hpp); the state and
// its saving belong to the StateJournal; submissions to the SubmissionDesk; results.tsv,
// experiments.json and LEARNINGS.md to the CampaignBooks. What is left here is the sequencing:
// running each due step of the table, an agent phase with its retries, the core's own steps,
// stops, and resume.
#include "orchestrator/campaign.hpp"

#include "base/atomic_file.hpp"
#include "metrics/target.hpp"
#include "orchestrator/campaign_host.hpp"
#include "orchestrator/checks.hpp"
#include "orchestrator/experiment_adapter.hpp"
#include "orchestrator/experiments.hpp"
#include "orchestrator/json_util.hpp"
#include "orchestrator/phase_plan.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/round_books.hpp"
#include "orchestrator/state_journal.hpp"
#include "orchestrator/submission_desk.hpp"
#include "orchestrator/workspace.hpp"
#include "runner/kill_gate.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>

namespace autokaggle {
namespace fs = std::filesystem;
namespace chr = std::chrono;

namespace {

const std::vector<std::string> kRoles{"researcher", "builder", "reviewer"};

/// A stop (signal, budget, deadline) with its reason; unwinds to Campaign::run.
class StopRequested : public Cancelled {
public:
    explicit StopRequested(std::string reason) : Cancelled("campaign stopping: " + reason), reason_(std::move(reason)) {}
    const std::string& reason() const { return reason_; }

private:
    std::string reason_;
};

std::string trim_copy(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

bool is_revise(const std::string& token) { return token.rfind("REVISE:", 0) == 0; }

std::optional<double> claimed_cv(const std::string& code_token) {
    const std::string value = code_token.substr(9);
    if (value == "crash") return std::nullopt;
    return std::strtod(value.c_str(), nullptr);
}

}  // namespace

std::string token_problem(Phase phase, const std::string& reply) {
    const std::string r = trim_copy(reply);
    auto bad = [&](const std::string& expected) {
        return "the reply '" + one_line(r.empty() ? std::string("(empty)") : r, 80) + "' is not a valid token for the " +
               std::string(to_string(phase)) + " phase; answer exactly " + expected;
    };
    if (r.find('\n') != std::string::npos) {
        switch (phase) {
            case Phase::review: case Phase::verify: return bad("one line: APPROVED or REVISE: <why>");
            case Phase::revise: return bad("one line: REVISED");
            case Phase::code: return bad("one line: CV_SCORE=<number> or CV_SCORE=crash");
            default: return bad("one line: DONE");
        }
    }
    switch (phase) {
        case Phase::eda: case Phase::research: case Phase::plan: case Phase::findings: case Phase::retro:
            return r == "DONE" ? std::string() : bad("DONE");
        case Phase::review: case Phase::verify:
            if (r == "APPROVED") return {};
            if (is_revise(r) && !trim_copy(r.substr(7)).empty()) return {};
            return bad("APPROVED or REVISE: <why>");
        case Phase::revise:
            return r == "REVISED" ? std::string() : bad("REVISED");
        case Phase::code: {
            if (r.rfind("CV_SCORE=", 0) != 0) return bad("CV_SCORE=<number> or CV_SCORE=crash");
            const std::string value = r.substr(9);
            if (value == "crash") return {};
            char* end = nullptr;
            const double v = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !std::isfinite(v)) return bad("CV_SCORE=<number> or CV_SCORE=crash");
            return {};
        }
    }
    return bad("a phase token");
}

struct Campaign::Impl {
    const Config& config;
    const PluginHost& plugins;
    Logger& logger;
    CampaignOptions options;
    WorkspacePaths paths;
    CampaignHost host;
    StateJournal journal;
    CampaignBooks books;
    ExperimentAdapter adapter;

    std::map<std::string, std::shared_ptr<Agent>> agents;  ///< filled before any agent runs, then fixed
    std::shared_ptr<Metric> metric;                        ///< created at start, then fixed
    std::shared_ptr<Submitter> submitter;
    std::shared_ptr<Scraper> scraper;
    std::optional<SubmissionDesk> desk;
    std::mutex gate_mutex;                                 ///< guards gate_target (agent threads)
    std::optional<metrics::TargetEncoding> gate_target;
    double seconds_at_start = 0;
    chr::steady_clock::time_point process_start = chr::steady_clock::now();

    Impl(const Config& c, const PluginHost& p, Logger& l, CampaignOptions o)
        : config(c), plugins(p), logger(l), options(std::move(o)), paths(workspace_paths(c)), host(c, paths, p, l),
          journal(paths.state, [this](CampaignState& s) { stamp(s); }),
          books(paths, [this](LogLevel level, const std::string& m) { logger.log(level, "orchestrator", m); }),
          adapter(c, p, host, [this](const std::string& label, const boost::json::object* record) { save_run_record(label, record); },
                  [this](const std::string& label) { return run_record(label); }, [this] { return kill_gate_context(); }) {
        host.set_stop_check([this] { return stop_reason(); });
        host.set_experiment_runner([this](const ExperimentRequest& r) {
            ExperimentResult result = adapter.run(r);
            journal.update([&](CampaignState& s) { s.current.run_status = std::string(to_string(result.status)); });
            return result;
        });
    }

    // ---- bookkeeping ------------------------------------------------------------------------
    void info(const std::string& m) { logger.log(LogLevel::info, "orchestrator", m); }
    void warn(const std::string& m) { logger.log(LogLevel::warn, "orchestrator", m); }
    fs::path rf(int n, std::string_view suffix) const { return round_file(paths, n, suffix); }
    fs::path output_of(const RoundStep& step, int n) const {
        return resolve_reference(step.output, n, paths, config.competition).at(0);
    }

    double seconds_spent() const {
        return seconds_at_start + chr::duration<double>(chr::steady_clock::now() - process_start).count();
    }

    /// What lives outside the state, stamped on every save.
    void stamp(CampaignState& s) {
        s.seconds_spent = seconds_spent();
        s.usage_by_role = host.usage_by_role();
        s.usage_by_round = host.usage_by_round();
        for (const auto& [role, agent] : agents) s.agents[role].session = agent->session_id();
    }

    void save_run_record(const std::string& label, const boost::json::object* record) {
        journal.update([&](CampaignState& s) {
            if (record) s.run_records[label] = *record;
            else s.run_records.erase(label);
        });
    }
    std::optional<boost::json::object> run_record(const std::string& label) const {
        const CampaignState s = journal.snapshot();
        auto it = s.run_records.find(label);
        if (it == s.run_records.end() || !it->value().is_object()) return std::nullopt;
        return it->value().get_object();
    }

    /// The fold-1 kill gate compares a new run with the best verified experiment so far.
    KillGateContext kill_gate_context() {
        KillGateContext gate;
        gate.higher_is_better = direction() == Direction::higher;
        const CampaignState s = journal.snapshot();
        gate.best_cv = s.best_cv;
        if (s.best_cv_round > 0 && non_empty_file(rf(s.best_cv_round, "oof.npy"))) gate.best_oof = rf(s.best_cv_round, "oof.npy");
        if (!metric) return gate;
        std::lock_guard lock(gate_mutex);
        try {
            if (!gate_target) gate_target = metrics::load_train_target(config.competition, metric->prediction_kind());
            gate.score_fold1 = partial_oof_scorer(*metric, *gate_target);
        } catch (const std::exception& e) {
            warn(std::string("the kill gate uses the printed fold-1 score: ") + e.what());
        }
        return gate;
    }

    std::optional<int> max_rounds() const {
        if (options.max_rounds) return options.max_rounds;
        if (config.budget.max_rounds > 0) return config.budget.max_rounds;
        if (config.competition.max_rounds > 0) return config.competition.max_rounds;
        return std::nullopt;
    }

    /// Thread-safe: called through HostServices::cancel_requested from any thread.
    std::string stop_reason() const {
        if (options.external_stop) {
            if (auto r = options.external_stop(); !r.empty()) return r;
        }
        const auto& b = config.budget;
        if (b.max_hours > 0 && seconds_spent() >= b.max_hours * 3600.0) return "max_hours";
        const Usage total = host.total_usage();
        if (b.max_usd > 0 && total.usd >= b.max_usd) return "max_usd";
        if (b.max_tokens > 0 && total.input_tokens + total.output_tokens >= b.max_tokens) return "max_tokens";
        if (auto end = deadline_end(config.competition.deadline); end && chr::system_clock::now() >= *end) return "deadline";
        return {};
    }
    void check_stop() const {
        if (auto r = stop_reason(); !r.empty()) throw StopRequested(r);
    }

    Direction direction() const {
        if (metric) return metric->direction();
        return config.competition.metric_direction == "lower" ? Direction::lower : Direction::higher;
    }

    // ---- plugins ----------------------------------------------------------------------------
    PluginContext context(std::string instance, const boost::json::object& options_) {
        PluginContext c;
        c.instance = std::move(instance);
        c.options = options_;
        c.host = &host;
        return c;
    }

    void create_agents() {
        for (const auto& role : kRoles) {
            auto sel = config.agents.find(role);
            if (sel == config.agents.end() || sel->second.plugin.empty()) {
                throw ConfigError("config.json: agents." + role + ": no agent plugin configured; add \"agents\": {\"" + role +
                                  "\": {\"plugin\": \"autopilot\"}}");
            }
            agents[role] = plugins.create_agent(sel->second.plugin, context(role, sel->second.options));
        }
        journal.update([&](CampaignState& s) {
            for (const auto& role : kRoles) {
                auto& rec = s.agents[role];
                const std::string& plugin = config.agents.at(role).plugin;
                if (rec.plugin == plugin) continue;
                if (!rec.plugin.empty()) info(role + " changed plugin " + rec.plugin + " -> " + plugin);
                rec.plugin = plugin;
                rec.spawn_round = s.round;
            }
        });
    }

    void create_metric() {
        const auto* found = plugins.find_metric(config.competition.metric);
        if (!found) return;
        std::vector<Diagnostic> diags;
        auto opts = plugins.validate_options(*found, {}, "metric", diags);
        metric = plugins.create_metric(config.competition.metric, context(config.competition.metric, opts));
    }

    Submitter* submitter_plugin() {
        if (!submitter && !config.submitter.plugin.empty())
            submitter = plugins.create_submitter(config.submitter.plugin, context("", config.submitter.options));
        return submitter.get();
    }

    Scraper* scraper_plugin() {
        if (!scraper && !config.scraper.plugin.empty())
            scraper = plugins.create_scraper(config.scraper.plugin, context("", config.scraper.options));
        return scraper.get();
    }

    void open_desk() {
        DeskSettings settings;
        settings.policy.enabled = config.orchestrator.submit;
        settings.policy.min_improvement = config.orchestrator.min_improvement;
        settings.policy.endgame_days = config.orchestrator.endgame_days;
        settings.policy.endgame_min_improvement = config.orchestrator.endgame_min_improvement;
        settings.policy.max_submissions_per_day = config.competition.max_submissions_per_day;
        settings.deadline = config.competition.deadline;
        settings.direction = direction();
        desk.emplace([this] { return submitter_plugin(); }, journal, paths, settings, [this] { return stop_reason(); },
                     [this](LogLevel level, const std::string& m) { logger.log(level, "orchestrator", m); });
    }

    // ---- steps ------------------------------------------------------------------------------
    bool done(const std::string& key) const { return journal.snapshot().current.done.count(key) > 0; }
    bool failed() const { return journal.snapshot().current.failure.has_value(); }

    void mark_done(const std::string& key, const std::string& token, const fs::path& output) {
        journal.update([&](CampaignState& s) {
            s.current.done[key] = PhaseRecord{token, workspace_relative(paths, output), utc_now_iso()};
        });
    }

    void set_phase(const std::string& key) {
        if (journal.snapshot().phase == key) return;
        journal.update([&](CampaignState& s) { s.phase = key; });
    }

    bool due(const RoundStep& step, int n) const {
        switch (step.when) {
            case StepWhen::round_zero: return n == 0;
            case StepWhen::later_rounds: return n > 0;
            case StepWhen::retro_rounds: {
                const int every = config.orchestrator.retro_every;
                return n > 0 && every > 0 && n % every == 0;
            }
            case StepWhen::after_revise: {
                const auto s = journal.snapshot();
                const auto it = s.current.done.find("review");
                return it != s.current.done.end() && is_revise(it->second.token);
            }
            case StepWhen::every_round: return true;
        }
        return false;
    }

    void run_step(const RoundStep& step, int n) {
        switch (step.kind) {
            case StepKind::agent: agent_phase(n, step); break;
            case StepKind::respawn: maybe_respawn(n, step); break;
            case StepKind::scrape: scrape(n, step); break;
            case StepKind::core_verify: core_verify(n, step); break;
            case StepKind::decision: decide(n, step); break;
            case StepKind::submit: submit(n, step); break;
            case StepKind::record: record_round(n); break;
        }
    }

    TriggerContext trigger_context() const {
        TriggerContext t;
        const auto s = journal.snapshot();
        if (auto it = s.current.done.find("review"); it != s.current.done.end() && is_revise(it->second.token))
            t.revise_reason = one_line(trim_copy(it->second.token.substr(7)), 200);
        return t;
    }

    /// Runs one agent phase unless state.json records it done with its output in place.
    /// Returns the token, or nullopt after the retries failed (the reason is in the state).
    std::optional<std::string> agent_phase(int n, const RoundStep& step) {
        const PhaseRequest base = phase_request(step, n, paths, config.competition, trigger_context());
        const std::string key(step.key), role(step.who), output = workspace_relative(paths, base.output);
        if (auto s = journal.snapshot(); s.current.done.count(key)) {
            if (non_empty_file(base.output)) return s.current.done.at(key).token;
            warn(round_tag(n) + " " + key + ": recorded as done but " + output + " is missing or empty; running the phase again");
            journal.update([&](CampaignState& st) { st.current.done.erase(key); });
        }
        set_phase(key);
        Agent& agent = *agents.at(role);
        std::string problem;
        const int attempts = 1 + std::max(0, config.orchestrator.phase_retries);
        for (int attempt = 0; attempt < attempts; ++attempt) {
            check_stop();
            PhaseRequest request = base;
            request.problem = problem;
            info(round_tag(n) + " " + key + " (" + role + (attempt ? ", retry" : "") + ")");
            std::string reply;
            try {
                reply = trim_copy(agent.run_phase(request));
            } catch (const Cancelled&) {
                check_stop();
                throw StopRequested("cancelled by the " + role + " agent");
            } catch (const std::exception& e) {
                problem = "the previous attempt failed: " + one_line(e.what(), 400);
                warn(round_tag(n) + " " + key + ": " + problem);
                continue;
            }
            problem = token_problem(*step.phase, reply);
            if (problem.empty() && !non_empty_file(base.output))
                problem = "the output file " + output + " is missing or empty; write it before answering";
            if (problem.empty()) {
                mark_done(key, reply, base.output);
                return reply;
            }
            warn(round_tag(n) + " " + key + ": " + problem);
        }
        journal.update([&](CampaignState& s) { s.current.failure = key + ": " + problem; });
        return std::nullopt;
    }

    void scrape(int n, const RoundStep& step) {
        if (done("scrape")) return;
        set_phase("scrape");
        std::string note;
        try {
            if (Scraper* s = scraper_plugin()) {
                check_stop();
                const auto result = s->scrape(ScrapeRequest{n, output_of(step, n), paths.agents / "scraper"});
                note = std::to_string(result.new_items) + " new item(s): " + one_line(result.summary);
            } else {
                note = "no scraper configured";
            }
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            note = "scraper failed: " + one_line(e.what(), 300);
            warn(round_tag(n) + " " + note + " (the Researcher works from what it has)");
        }
        journal.update([&](CampaignState& s) {
            s.current.scrape_note = note;
            s.current.done["scrape"] = PhaseRecord{"", "", utc_now_iso()};
        });
    }

    void core_verify(int n, const RoundStep& step) {
        const fs::path report = output_of(step, n);
        if (done("core_verify") && non_empty_file(report)) return;
        set_phase("core_verify");
        const auto claimed = claimed_cv(journal.snapshot().current.done.at("code").token);
        CvCheck check;
        if (!claimed) check.message = "the experiment reported CV_SCORE=crash";
        else if (metric) check = verify_outputs(config.competition, *metric, config.verify.cv_tolerance, claimed, rf(n, "oof.npy"), rf(n, "test.npy"));
        else check.message = "no metric plugin provides '" + config.competition.metric + "'";
        atomic_write(report, verification_markdown(n, claimed, check));
        journal.update([&](CampaignState& s) {
            s.current.claimed_cv = claimed ? std::optional(json_util::canonical(*claimed)) : std::nullopt;
            s.current.code_crashed = !claimed;
            s.current.verified_cv = check.verified_cv ? std::optional(json_util::canonical(*check.verified_cv)) : std::nullopt;
            s.current.verify_message = check.message;
            s.current.done["core_verify"] =
                PhaseRecord{check.verified_cv ? "VERIFIED" : "UNVERIFIED", workspace_relative(paths, report), utc_now_iso()};
        });
        info(round_tag(n) + " core verify: " + (check.verified_cv ? "verified " + format_score(*check.verified_cv) : "not verified") +
             " - " + check.message);
    }

    void decide(int n, const RoundStep& step) {
        const fs::path file = output_of(step, n);
        if (done("decision") && non_empty_file(file)) return;
        set_phase("decision");
        const DeskDecision d = desk->decide(chr::system_clock::now());
        atomic_write(file, decision_markdown(n, d));
        journal.update([&](CampaignState& s) {
            s.current.decision = DecisionRecord{d.decision.submit, d.decision.reason};
            s.current.done["decision"] = PhaseRecord{d.decision.submit ? "SUBMIT" : "NO", workspace_relative(paths, file), utc_now_iso()};
        });
        info(round_tag(n) + " decision: " + (d.decision.submit ? "submit - " : "no submission - ") + d.decision.reason);
    }

    std::string submission_description(int n, const std::optional<double>& cv) const {
        std::string title = one_line(summarize_plan(read_file_if_exists(rf(n, "plan.md")).value_or("")).title, 60);
        const std::string tag = round_tag(n);
        if (title.rfind(tag, 0) == 0) title = trim_copy(title.substr(tag.size()));
        return one_line(tag + " " + title + " cv=" + (cv ? format_score(*cv) : std::string("?")), 120);
    }

    void submit(int n, const RoundStep& step) {
        if (done("submit")) return;
        set_phase("submit");
        const CampaignState s = journal.snapshot();
        if (!s.current.decision || !s.current.decision->submit) return mark_done("submit", "SKIPPED", {});
        const auto build = [&](const fs::path& file) {
            if (!metric) throw Error("no metric plugin provides '" + config.competition.metric + "'");
            write_submission_file(config.competition, *metric, rf(n, "test.npy"), file);
        };
        const SubmitOutcome outcome = desk->submit(n, build, output_of(step, n), submission_description(n, s.current.verified_cv));
        mark_done("submit", outcome.token, {});
    }

    void record_round(int n) {
        set_phase("record");
        const ResultRow row = books.record(n, journal.snapshot());
        const Direction dir = direction();
        journal.update([&](CampaignState& s) {
            const auto& cv = s.current.verified_cv;
            if (cv && (!s.best_cv || improves(dir, *cv, *s.best_cv))) {
                s.best_cv = cv;
                s.best_cv_round = n;
            }
            s.round = n + 1;
            s.current = RoundProgress{};
            s.phase = "start";
        });
        info(round_tag(n) + " recorded: " + row.status + (row.cv_score.empty() ? "" : " cv " + row.cv_score) +
             (row.submitted == "yes" ? " (submitted)" : ""));
    }

    void maybe_respawn(int n, const RoundStep& step) {
        const int every = config.orchestrator.respawn_every;
        if (every <= 0 || n <= 0 || n % every != 0) return;
        const fs::path summary = output_of(step, n);
        for (const auto& role : kRoles) {
            if (journal.snapshot().agents[role].spawn_round >= n) continue;
            set_phase("respawn");
            if (!non_empty_file(summary)) atomic_write(summary, books.summary(n, config.competition, journal.snapshot()));
            check_stop();
            agents.at(role)->respawn(summary);
            journal.update([&](CampaignState& s) { s.agents[role].spawn_round = n; });
            info(round_tag(n) + " re-spawned the " + role + " with " + workspace_relative(paths, summary));
        }
    }

    // ---- the round --------------------------------------------------------------------------
    void run_round(int n) {
        host.set_round(n);
        for (const RoundStep& step : round_steps())
            if (due(step, n) && (step.kind == StepKind::record || !failed())) run_step(step, n);
    }

    /// Temporary files of atomic writes cut short by a crash (we hold the lock: nobody else
    /// is writing them).
    void remove_stale_temporaries() {
        for (const auto& dir : {paths.root, paths.rounds}) {
            std::error_code ec;
            for (const auto& e : fs::directory_iterator(dir, ec)) {
                if (e.path().extension() != ".tmp" || !e.is_regular_file()) continue;
                fs::remove(e.path(), ec);
                logger.log(LogLevel::debug, "orchestrator", "removed " + e.path().string() + " left by an interrupted write");
            }
        }
    }

    void load() {
        ensure_workspace_folders(paths);
        remove_stale_temporaries();
        journal.load([this](const std::string& m) { warn(m); });
        const CampaignState s = journal.snapshot();
        seconds_at_start = s.seconds_spent;
        process_start = chr::steady_clock::now();
        host.restore_usage(s.usage_by_role, s.usage_by_round);
        host.set_round(s.round);
        books.load();
    }

    void register_existing() {
        if (!config.competition.existing_oof_dir) return;
        if (!metric) return warn("existing_oof_dir is set but no metric plugin provides '" + config.competition.metric + "' to score it");
        books.register_existing(config.competition, *metric);
    }

    CampaignOutcome run() {
        load();
        CampaignOutcome out;
        try {
            journal.update([](CampaignState& s) {
                if (s.started_at.empty()) s.started_at = utc_now_iso();
                s.stop_reason.clear();
                s.stopped_at.clear();
            });
            create_metric();
            create_agents();
            register_existing();
            open_desk();
            try {
                desk->reconcile();
            } catch (const Cancelled&) {
                throw;
            } catch (const std::exception& e) {
                warn("could not ask the leaderboard about the submission in flight (" + one_line(e.what(), 300) +
                     "); nothing is submitted until it answers");
            }
            desk->poll_pending();
            while (true) {
                const int round = journal.snapshot().round;
                if (auto max = max_rounds(); max && round > *max) {
                    out.stop_reason = "max_rounds";
                    break;
                }
                check_stop();
                run_round(round);
                ++out.rounds_finished;
            }
        } catch (const StopRequested& s) {
            out.stop_reason = s.reason();
        } catch (const Cancelled& c) {
            const auto r = stop_reason();
            out.stop_reason = r.empty() ? std::string("cancelled: ") + c.what() : r;
        }
        const CampaignState s = journal.snapshot();
        out.stopped_at = round_tag(s.round) + " " + s.phase;
        journal.update([&](CampaignState& st) {
            st.stop_reason = out.stop_reason;
            st.stopped_at = out.stopped_at;
        });
        info("stopped at " + out.stopped_at + ": " + out.stop_reason);
        return out;
    }
};

Campaign::Campaign(const Config& config, const PluginHost& plugins, Logger& logger, CampaignOptions options)
    : impl_(std::make_unique<Impl>(config, plugins, logger, std::move(options))) {}
Campaign::~Campaign() = default;
CampaignOutcome Campaign::run() { return impl_->run(); }

}  // namespace autokaggle
