#include "orchestrator/campaign.hpp"

#include "base/atomic_file.hpp"
#include "learnings/workspace_learnings.hpp"
#include "orchestrator/campaign_host.hpp"
#include "orchestrator/checks.hpp"
#include "orchestrator/experiment_adapter.hpp"
#include "orchestrator/experiments.hpp"
#include "orchestrator/json_util.hpp"
#include "orchestrator/policy.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/workspace.hpp"
#include "metrics/blend.hpp"
#include "metrics/target.hpp"
#include "runner/kill_gate.hpp"
#include "metrics/verify.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

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

std::string one_line(std::string s, std::size_t max = 160) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (s.size() > max) s = s.substr(0, max - 3) + "...";
    return s;
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

struct PhaseSpec {
    std::string key;  ///< state.json's name of the step
    Phase phase;
    std::string role;
    fs::path output;
    std::vector<fs::path> inputs;
    std::string trigger;
};

struct Campaign::Impl {
    const Config& config;
    const PluginHost& plugins;
    Logger& logger;
    CampaignOptions options;
    WorkspacePaths paths;
    CampaignHost host;
    StateStore store;
    ExperimentAdapter adapter;

    std::mutex state_mutex;  ///< state and its saving (run records arrive from agent threads)
    CampaignState state;
    std::vector<ResultRow> results;
    ExperimentRegistry registry;
    std::map<std::string, std::shared_ptr<Agent>> agents;
    std::shared_ptr<Submitter> submitter;
    std::shared_ptr<Scraper> scraper;
    std::shared_ptr<Metric> metric;
    std::optional<metrics::TargetEncoding> gate_target;  ///< train target for the kill gate, loaded once
    double seconds_at_start = 0;
    chr::steady_clock::time_point process_start = chr::steady_clock::now();

    Impl(const Config& c, const PluginHost& p, Logger& l, CampaignOptions o)
        : config(c), plugins(p), logger(l), options(std::move(o)), paths(workspace_paths(c)), host(c, paths, p, l),
          store(paths.state),
          adapter(c, p, host,
                  [this](const std::string& label, const boost::json::object* record) { save_run_record(label, record); },
                  [this](const std::string& label) { return run_record(label); },
                  [this] { return kill_gate_context(); }) {
        host.set_stop_check([this] { return stop_reason(); });
        host.set_experiment_runner([this](const ExperimentRequest& r) {
            ExperimentResult result = adapter.run(r);
            std::lock_guard lock(state_mutex);
            state.current.run_status = std::string(to_string(result.status));
            return result;
        });
    }

    // ---- bookkeeping ------------------------------------------------------------------------
    void info(const std::string& m) { logger.log(LogLevel::info, "orchestrator", m); }
    void warn(const std::string& m) { logger.log(LogLevel::warn, "orchestrator", m); }

    double seconds_spent() const {
        return seconds_at_start + chr::duration<double>(chr::steady_clock::now() - process_start).count();
    }

    /// Saves state.json (and .bak); the caller holds state_mutex or runs on the loop thread
    /// while no agent call is active.
    void save_locked() {
        state.seconds_spent = seconds_spent();
        state.usage_by_role = host.usage_by_role();
        state.usage_by_round = host.usage_by_round();
        for (const auto& [role, agent] : agents) state.agents[role].session = agent->session_id();
        state.updated_at = utc_now_iso();
        store.save(state);
    }
    void save() {
        std::lock_guard lock(state_mutex);
        save_locked();
    }

    void save_run_record(const std::string& label, const boost::json::object* record) {
        std::lock_guard lock(state_mutex);
        if (record) state.run_records[label] = *record;
        else state.run_records.erase(label);
        save_locked();
    }
    std::optional<boost::json::object> run_record(const std::string& label) {
        std::lock_guard lock(state_mutex);
        auto it = state.run_records.find(label);
        if (it == state.run_records.end() || !it->value().is_object()) return std::nullopt;
        return it->value().get_object();
    }

    /// The fold-1 kill gate compares a new run with the best verified experiment so far.
    KillGateContext kill_gate_context() {
        KillGateContext gate;
        gate.higher_is_better = direction() == Direction::higher;
        Metric* m = metric_plugin();
        std::lock_guard lock(state_mutex);
        gate.best_cv = state.best_cv;
        if (state.best_cv_round > 0) {
            const fs::path oof = rf(state.best_cv_round, "oof.npy");
            if (non_empty_file(oof)) gate.best_oof = oof;
        }
        if (m) {
            try {
                if (!gate_target) gate_target = metrics::load_train_target(config.competition, m->prediction_kind());
                gate.score_fold1 = partial_oof_scorer(*m, *gate_target);
            } catch (const std::exception& e) {
                warn(std::string("the kill gate uses the printed fold-1 score: ") + e.what());
            }
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
    void check_stop() {
        if (auto r = stop_reason(); !r.empty()) throw StopRequested(r);
    }

    Direction direction() {
        if (auto* m = metric_plugin()) return m->direction();
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
            auto& rec = state.agents[role];
            if (rec.plugin != sel->second.plugin) {
                if (!rec.plugin.empty()) info(role + " changed plugin " + rec.plugin + " -> " + sel->second.plugin);
                rec.plugin = sel->second.plugin;
                rec.spawn_round = state.round;
            }
        }
    }

    Metric* metric_plugin() {
        if (!metric) {
            const auto* info_ = plugins.find_metric(config.competition.metric);
            if (!info_) return nullptr;
            std::vector<Diagnostic> diags;
            auto opts = plugins.validate_options(*info_, {}, "metric", diags);
            metric = plugins.create_metric(config.competition.metric, context(config.competition.metric, opts));
        }
        return metric.get();
    }

    Submitter* submitter_plugin() {
        if (!submitter && !config.submitter.plugin.empty()) {
            submitter = plugins.create_submitter(config.submitter.plugin, context("", config.submitter.options));
        }
        return submitter.get();
    }

    Scraper* scraper_plugin() {
        if (!scraper && !config.scraper.plugin.empty()) {
            scraper = plugins.create_scraper(config.scraper.plugin, context("", config.scraper.options));
        }
        return scraper.get();
    }

    // ---- phases -----------------------------------------------------------------------------
    bool done(const std::string& key) const { return state.current.done.count(key) > 0; }

    void mark_done(const std::string& key, const std::string& token, const fs::path& output) {
        std::lock_guard lock(state_mutex);
        state.current.done[key] = PhaseRecord{token, workspace_relative(paths, output), utc_now_iso()};
        save_locked();
    }

    void set_phase(const std::string& key) {
        std::lock_guard lock(state_mutex);
        if (state.phase == key) return;
        state.phase = key;
        save_locked();
    }

    std::vector<fs::path> existing(std::initializer_list<fs::path> files) const {
        std::vector<fs::path> out;
        for (const auto& f : files)
            if (non_empty_file(f)) out.push_back(f);
        return out;
    }

    fs::path rf(int n, std::string_view suffix) const { return round_file(paths, n, suffix); }

    /// Runs one agent phase unless state.json records it done with its output in place.
    /// Returns the token, or nullopt after the retries failed (the reason is in state).
    std::optional<std::string> agent_phase(int n, const PhaseSpec& spec) {
        if (auto it = state.current.done.find(spec.key); it != state.current.done.end()) {
            if (non_empty_file(spec.output)) return it->second.token;
            warn(round_tag(n) + " " + spec.key + ": recorded as done but " + workspace_relative(paths, spec.output) +
                 " is missing or empty; running the phase again");
            std::lock_guard lock(state_mutex);
            state.current.done.erase(spec.key);
        }
        set_phase(spec.key);
        Agent& agent = *agents.at(spec.role);
        std::string problem;
        const int attempts = 1 + std::max(0, config.orchestrator.phase_retries);
        for (int attempt = 0; attempt < attempts; ++attempt) {
            check_stop();
            PhaseRequest request;
            request.round = n;
            request.phase = spec.phase;
            request.trigger = spec.trigger;
            request.output = spec.output;
            request.inputs = spec.inputs;
            request.problem = problem;
            info(round_tag(n) + " " + spec.key + " (" + spec.role + (attempt ? ", retry" : "") + ")");
            std::string reply;
            try {
                reply = trim_copy(agent.run_phase(request));
            } catch (const Cancelled&) {
                check_stop();
                throw StopRequested("cancelled by the " + spec.role + " agent");
            } catch (const std::exception& e) {
                problem = "the previous attempt failed: " + one_line(e.what(), 400);
                warn(round_tag(n) + " " + spec.key + ": " + problem);
                continue;
            }
            problem = token_problem(spec.phase, reply);
            if (problem.empty() && !non_empty_file(spec.output)) {
                problem = "the output file " + workspace_relative(paths, spec.output) +
                          " is missing or empty; write it before answering";
            }
            if (problem.empty()) {
                mark_done(spec.key, reply, spec.output);
                return reply;
            }
            warn(round_tag(n) + " " + spec.key + ": " + problem);
        }
        std::lock_guard lock(state_mutex);
        state.current.failure = spec.key + ": " + problem;
        save_locked();
        return std::nullopt;
    }

    PhaseSpec spec(int n, Phase phase) const {
        const std::string tag = round_tag(n);
        const fs::path results_file = paths.results, learnings = paths.learnings;
        PhaseSpec s;
        s.phase = phase;
        s.key = std::string(to_string(phase));
        switch (phase) {
            case Phase::eda:
                s.role = "builder";
                s.output = rf(n, "eda.md");
                s.inputs = existing({config.competition.train_csv, config.competition.test_csv,
                                     config.competition.sample_submission_csv, learnings});
                for (const auto& k : config.competition.knowledge_files)
                    if (non_empty_file(k)) s.inputs.push_back(k);
                s.trigger = tag + ": explore the data and write the EDA.";
                break;
            case Phase::retro:
                s.role = "reviewer";
                s.output = rf(n, "retro.md");
                s.inputs = existing({results_file, paths.experiments, learnings, rf(n - 1, "findings.md")});
                s.trigger = tag + ": retrospective of the campaign so far; list the top 5 next experiments.";
                break;
            case Phase::research:
                s.role = "researcher";
                s.output = rf(n, "research_brief.md");
                s.inputs = existing({rf(n, "research_raw.md"), rf(0, "eda.md"), results_file, learnings,
                                     rf(n - 1, "findings.md")});
                for (const auto& k : config.competition.knowledge_files)
                    if (non_empty_file(k)) s.inputs.push_back(k);
                s.trigger = tag + ": research what to try next and write the brief.";
                break;
            case Phase::plan: {
                const bool retro = non_empty_file(rf(n, "retro.md"));
                s.role = "builder";
                s.output = rf(n, "plan.md");
                s.inputs = existing({rf(n, "retro.md"), rf(n, "research_brief.md"), rf(0, "eda.md"), results_file,
                                     learnings, rf(n - 1, "findings.md")});
                s.trigger = tag + ": plan one experiment" +
                            (retro ? " starting from the retrospective " + tag + "_retro.md." : std::string("."));
                break;
            }
            case Phase::review:
                s.role = "reviewer";
                s.output = rf(n, "review.md");
                s.inputs = existing({rf(n, "plan.md"), rf(n, "research_brief.md"), results_file, learnings});
                s.trigger = tag + ": review the plan; answer APPROVED or REVISE: <why>.";
                break;
            case Phase::revise: {
                s.role = "builder";
                s.output = rf(n, "plan.md");
                s.inputs = existing({rf(n, "plan.md"), rf(n, "review.md")});
                const auto it = state.current.done.find("review");
                const std::string why = it == state.current.done.end() ? "" : trim_copy(it->second.token.substr(7));
                s.trigger = tag + ": revise the plan as the review asks: " + one_line(why, 200);
                break;
            }
            case Phase::code:
                s.role = "builder";
                s.output = rf(n, "experiment.py");
                s.inputs = existing({rf(n, "plan.md"), rf(n, "review.md"), rf(0, "eda.md")});
                s.trigger = tag + ": write the experiment script and run it; answer CV_SCORE=<number> or CV_SCORE=crash.";
                break;
            case Phase::verify:
                s.role = "reviewer";
                s.output = rf(n, "verify.md");
                s.inputs = existing({rf(n, "verification.md"), rf(n, "experiment.py"), rf(n, "run.log"), rf(n, "plan.md")});
                s.trigger = tag + ": check the experiment and the core's verification; answer APPROVED or REVISE: <why>.";
                break;
            case Phase::findings:
                s.role = "builder";
                s.output = rf(n, "findings.md");
                s.inputs = existing({rf(n, "plan.md"), rf(n, "review.md"), rf(n, "verification.md"), rf(n, "verify.md"),
                                     rf(n, "decision.md"), rf(n, "run.log")});
                s.trigger = tag + ": write the findings, with a '## Learnings' section of general rules.";
                break;
        }
        return s;
    }

    // ---- core steps -------------------------------------------------------------------------
    void scrape(int n) {
        if (done("scrape")) return;
        set_phase("scrape");
        std::string note;
        try {
            if (Scraper* s = scraper_plugin()) {
                check_stop();
                ScrapeRequest req{n, rf(n, "research_raw.md"), paths.agents / "scraper"};
                const auto result = s->scrape(req);
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
        {
            std::lock_guard lock(state_mutex);
            state.current.scrape_note = note;
        }
        mark_done("scrape", "", {});
    }

    void core_verify(int n) {
        if (done("core_verify") && non_empty_file(rf(n, "verification.md"))) return;
        set_phase("core_verify");
        const std::string token = state.current.done.at("code").token;
        const auto claimed = claimed_cv(token);
        CvCheck check;
        if (!claimed) {
            check.message = "the experiment reported CV_SCORE=crash";
        } else if (Metric* m = metric_plugin()) {
            check = verify_outputs(config.competition, *m, config.verify.cv_tolerance, claimed, rf(n, "oof.npy"),
                                   rf(n, "test.npy"));
        } else {
            check.message = "no metric plugin provides '" + config.competition.metric + "'";
        }
        std::ostringstream md;
        md << "# " << round_tag(n) << " verification (by the core)\n\n"
           << "- claimed CV: " << (claimed ? format_score(*claimed) : std::string("crash")) << "\n"
           << "- verified CV: " << (check.verified_cv ? format_score(*check.verified_cv) : std::string("not verified")) << "\n"
           << "- detail: " << check.message << "\n";
        atomic_write(rf(n, "verification.md"), md.str());
        {
            std::lock_guard lock(state_mutex);
            state.current.claimed_cv = claimed ? std::optional(json_util::canonical(*claimed)) : std::nullopt;
            state.current.code_crashed = !claimed;
            state.current.verified_cv =
                check.verified_cv ? std::optional(json_util::canonical(*check.verified_cv)) : std::nullopt;
            state.current.verify_message = check.message;
        }
        info(round_tag(n) + " core verify: " + (check.verified_cv ? "verified " + format_score(*check.verified_cv) : "not verified") +
             " - " + check.message);
        mark_done("core_verify", check.verified_cv ? "VERIFIED" : "UNVERIFIED", rf(n, "verification.md"));
    }

    int used_today(const std::string& day) const {
        auto it = state.submissions_per_day.find(day);
        return it == state.submissions_per_day.end() ? 0 : it->second;
    }

    void decide(int n) {
        if (done("decision") && non_empty_file(rf(n, "decision.md"))) return;
        set_phase("decision");
        SubmissionPolicy policy;
        policy.enabled = config.orchestrator.submit;
        policy.min_improvement = config.orchestrator.min_improvement;
        policy.endgame_days = config.orchestrator.endgame_days;
        policy.endgame_min_improvement = config.orchestrator.endgame_min_improvement;
        policy.max_submissions_per_day = config.competition.max_submissions_per_day;
        SubmissionInputs in;
        in.verified_cv = state.current.verified_cv;
        in.unverified_reason = state.current.verify_message;
        const auto verify_it = state.current.done.find("verify");
        in.reviewer_approved = verify_it != state.current.done.end() && verify_it->second.token == "APPROVED";
        in.best_submitted_cv = state.best_submitted_cv;
        in.best_submitted_round = state.best_submitted_round;
        in.direction = direction();
        in.deadline = config.competition.deadline;
        in.now = chr::system_clock::now();
        const std::string today = utc_day(in.now);
        in.used_today = used_today(today);
        SubmissionDecision d;
        Submitter* sub = nullptr;
        std::string quota_note;
        try {
            sub = submitter_plugin();
            if (sub) {
                if (auto q = sub->quota()) {
                    in.used_today = std::max(in.used_today, q->used_today);
                    if (q->limit > 0) in.limit_today = std::min(q->limit, policy.max_submissions_per_day);
                    quota_note = "the leaderboard reports " + std::to_string(q->used_today) + " of " +
                                 std::to_string(q->limit) + " used today";
                }
            }
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            quota_note = "quota unknown (" + one_line(e.what(), 200) + "); counting our own submissions";
        }
        if (!sub) {
            d.submit = false;
            d.reason = "no submitter is configured (config.json \"submitter\")";
        } else {
            d = decide_submission(policy, in);
        }
        std::ostringstream md;
        md << "# " << round_tag(n) << " submission decision (by the core)\n\n"
           << "## Submission decision\n\n"
           << "- decision: " << (d.submit ? "submit" : "do not submit") << "\n"
           << "- reason: " << d.reason << "\n"
           << "- margin: " << format_score(d.margin) << (d.endgame ? " (endgame)" : "") << "\n"
           << "- verified CV: " << (in.verified_cv ? format_score(*in.verified_cv) : std::string("none")) << "\n"
           << "- submissions today (" << today << " UTC): " << in.used_today << "\n";
        if (!quota_note.empty()) md << "- quota: " << quota_note << "\n";
        atomic_write(rf(n, "decision.md"), md.str());
        {
            std::lock_guard lock(state_mutex);
            state.current.decision = DecisionRecord{d.submit, d.reason};
        }
        info(round_tag(n) + " decision: " + (d.submit ? "submit - " : "no submission - ") + d.reason);
        mark_done("decision", d.submit ? "SUBMIT" : "NO", rf(n, "decision.md"));
    }

    SubmissionRecord* submission_of_round(int n) {
        for (auto& s : state.submissions)
            if (s.round == n) return &s;
        return nullptr;
    }

    std::string submission_description(int n) const {
        const auto plan = read_file_if_exists(rf(n, "plan.md")).value_or("");
        std::string title = one_line(summarize_plan(plan).title, 60);
        const std::string tag = round_tag(n);
        if (title.rfind(tag, 0) == 0) title = trim_copy(title.substr(tag.size()));
        std::string text = tag + " " + title + " cv=" +
                           (state.current.verified_cv ? format_score(*state.current.verified_cv) : std::string("?"));
        return one_line(text, 120);
    }

    static std::string state_name(SubmissionState s) {
        switch (s) {
            case SubmissionState::pending: return "pending";
            case SubmissionState::complete: return "complete";
            case SubmissionState::error: return "error";
        }
        return "pending";
    }

    /// Applies what the leaderboard reports about one submission: LB, best LB, divergence.
    void apply_status(SubmissionRecord& rec, const SubmissionInfo& info_) {
        rec.state = state_name(info_.state);
        rec.lb = info_.public_score ? std::optional(json_util::canonical(*info_.public_score)) : std::nullopt;
        rec.message = info_.message;
        if (rec.state != "complete" || !rec.lb) return;
        const Direction dir = direction();
        // Divergence: a better CV than the best-LB submission that scores worse on the LB.
        if (state.best_lb && rec.cv) {
            const SubmissionRecord* best = nullptr;
            for (const auto& s : state.submissions)
                if (s.round == state.best_lb_round && s.lb) best = &s;
            if (best && best->cv && improves(dir, *rec.cv, *best->cv) && improves(dir, *state.best_lb, *rec.lb)) {
                state.cv_lb_divergence = true;
                state.divergence_note = round_tag(rec.round) + ": CV " + format_score(*rec.cv) + " beats " +
                                        round_tag(best->round) + "'s " + format_score(*best->cv) + " but LB " +
                                        format_score(*rec.lb) + " is worse than " + format_score(*state.best_lb);
                warn("CV/LB divergence: " + state.divergence_note);
            }
        }
        if (!state.best_lb || improves(dir, *rec.lb, *state.best_lb)) {
            state.best_lb = rec.lb;
            state.best_lb_round = rec.round;
        }
    }

    /// Polls a submission until the leaderboard scored it (bounded; a stop leaves it pending and
    /// the next start polls again).
    void poll_submission(int round) {
        Submitter* sub = submitter_plugin();
        if (!sub) return;
        double wait = 1.0, waited = 0.0;
        constexpr double kMaxWaitS = 900.0;
        while (true) {
            SubmissionRecord* rec = submission_of_round(round);
            if (!rec || rec->state != "pending" || rec->ref.empty()) return;
            SubmissionInfo status;
            try {
                status = sub->status(rec->ref);
            } catch (const Cancelled&) {
                throw;
            } catch (const std::exception& e) {
                warn(round_tag(round) + " submission " + rec->ref + " status unknown: " + one_line(e.what(), 300));
                return;
            }
            {
                std::lock_guard lock(state_mutex);
                apply_status(*rec, status);
                save_locked();
            }
            if (rec->state != "pending") {
                info(round_tag(round) + " submission " + rec->ref + ": " + rec->state +
                     (rec->lb ? " LB " + format_score(*rec->lb) : std::string()));
                return;
            }
            if (waited >= kMaxWaitS || !stop_reason().empty()) return;
            std::this_thread::sleep_for(chr::duration<double>(wait));
            waited += wait;
            wait = std::min(wait * 2, 30.0);
        }
    }

    /// A submission recorded as started but not as finished: ask the leaderboard whether it
    /// arrived (matched by description), so it is never sent twice.
    void reconcile_pending() {
        if (!state.pending_submission) return;
        Submitter* sub = submitter_plugin();
        if (!sub) {
            warn("a submission of " + round_tag(state.pending_submission->round) +
                 " may be in flight but no submitter is configured to ask");
            return;
        }
        const auto pending = *state.pending_submission;
        const auto recent = sub->recent(50);
        std::lock_guard lock(state_mutex);
        const auto match = std::find_if(recent.begin(), recent.end(),
                                        [&](const SubmissionInfo& s) { return s.description == pending.description; });
        if (match != recent.end()) {
            if (!submission_of_round(pending.round)) {
                SubmissionRecord rec;
                rec.round = pending.round;
                rec.ref = match->ref;
                rec.description = pending.description;
                rec.file = pending.file;
                rec.day = match->date.size() >= 10 ? match->date.substr(0, 10) : utc_today();
                rec.cv = pending.cv;
                state.submissions.push_back(rec);
                state.submissions_per_day[rec.day] += 1;
                apply_status(state.submissions.back(), *match);
            }
            info("reconciled: the submission '" + pending.description + "' reached the leaderboard as " + match->ref);
        } else {
            info("reconciled: the submission '" + pending.description + "' never reached the leaderboard; it will be sent again");
        }
        state.pending_submission.reset();
        save_locked();
    }

    /// Records why this round's submission did not happen and closes the step. Takes the state
    /// lock itself: callers must not hold it (mark_done locks it again).
    void give_up_submission(int n, const std::string& reason, const std::string& token, bool keep_pending = false) {
        {
            std::lock_guard lock(state_mutex);
            if (!keep_pending) state.pending_submission.reset();
            state.current.decision = DecisionRecord{false, reason};
            save_locked();
        }
        warn(round_tag(n) + " " + reason);
        mark_done("submit", token, {});
    }

    void submit(int n) {
        if (done("submit")) return;
        set_phase("submit");
        if (!state.current.decision || !state.current.decision->submit) {
            mark_done("submit", "SKIPPED", {});
            return;
        }
        try {
            reconcile_pending();
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            // An earlier upload may have arrived: sending again could submit twice. Keep it
            // pending; the next start asks the leaderboard again.
            const std::string reason = "could not ask the leaderboard whether an earlier submission arrived (" +
                                       one_line(e.what(), 300) + "); not submitting until it answers";
            {
                std::lock_guard lock(state_mutex);
                state.current.decision = DecisionRecord{false, reason};
                save_locked();
            }
            warn(round_tag(n) + " " + reason);
            mark_done("submit", "FAILED", {});
            return;
        }
        if (!submission_of_round(n)) {
            Submitter* sub = submitter_plugin();
            const fs::path file = rf(n, "submission.csv");
            try {
                Metric* m = metric_plugin();
                if (!m) throw Error("no metric plugin provides '" + config.competition.metric + "'");
                write_submission_file(config.competition, *m, rf(n, "test.npy"), file);
            } catch (const std::exception& e) {
                give_up_submission(n, "the submission file could not be built: " + one_line(e.what(), 300), "FAILED");
                return;
            }
            check_stop();
            PendingSubmission pending{n, submission_description(n), workspace_relative(paths, file), utc_now_iso(),
                                      state.current.verified_cv};
            {
                std::lock_guard lock(state_mutex);
                state.pending_submission = pending;
                save_locked();
            }
            SubmissionInfo result;
            try {
                result = sub->submit(SubmissionRequest{file, pending.description});
            } catch (const Cancelled&) {
                throw;
            } catch (const ServiceError& e) {
                // A 4xx is a refusal: nothing arrived. Anything else (no connection, 5xx) may have
                // arrived: the record stays pending and is reconciled before any other submission.
                const bool refused = e.status() >= 400 && e.status() < 500;
                give_up_submission(n,
                                   (refused ? "the leaderboard refused the submission: "
                                            : "the submission may not have arrived: ") + one_line(e.what(), 300),
                                   refused ? "REFUSED" : "FAILED", !refused);
                return;
            } catch (const std::exception& e) {
                give_up_submission(n, "the submission could not be sent: " + one_line(e.what(), 300), "FAILED", true);
                return;
            }
            {
                std::lock_guard lock(state_mutex);
                SubmissionRecord rec;
                rec.round = n;
                rec.ref = result.ref;
                rec.description = pending.description;
                rec.file = pending.file;
                rec.day = utc_today();
                rec.cv = pending.cv;
                state.submissions.push_back(rec);
                state.submissions_per_day[rec.day] += 1;
                apply_status(state.submissions.back(), result);
                state.pending_submission.reset();
                save_locked();
            }
            info(round_tag(n) + " submitted '" + pending.description + "' as " + result.ref);
        }
        if (auto* rec = submission_of_round(n); rec && rec->cv) {
            std::lock_guard lock(state_mutex);
            if (!state.best_submitted_cv || improves(direction(), *rec->cv, *state.best_submitted_cv)) {
                state.best_submitted_cv = rec->cv;
                state.best_submitted_round = n;
            }
            save_locked();
        }
        poll_submission(n);
        mark_done("submit", "SUBMITTED", {});
    }

    // ---- recording --------------------------------------------------------------------------
    std::string round_status(int n) const {
        const auto& c = state.current;
        if (c.failure) return "failed";
        if (n == 0) return "eda";
        // A run the Builder reported as crashed keeps the runner's own word for how it ended
        // (killed_fold1, timeout, oom) so results.tsv tells a stopped idea from a broken script.
        if (c.code_crashed) return c.run_status.empty() || c.run_status == "ok" ? "crash" : c.run_status;
        return c.verified_cv ? "ok" : "unverified";
    }

    void record_experiment(int n, const std::string& status, const std::optional<double>& lb) {
        if (n == 0 || !done("code")) return;
        const auto plan = summarize_plan(read_file_if_exists(rf(n, "plan.md")).value_or(""));
        Experiment e;
        e.id = round_tag(n);
        e.round = n;
        e.family = plan.family;
        e.features = plan.features;
        e.params = plan.params;
        e.cv = state.current.verified_cv;
        e.lb = lb;
        if (non_empty_file(rf(n, "oof.npy"))) e.oof = workspace_relative(paths, rf(n, "oof.npy"));
        if (non_empty_file(rf(n, "test.npy"))) e.test = workspace_relative(paths, rf(n, "test.npy"));
        e.status = status;
        if (e.cv && !e.oof.empty()) {
            for (const auto& other : registry.experiments) {
                if (other.id == e.id || !other.cv || other.oof.empty()) continue;
                const fs::path other_oof = fs::path(other.oof).is_absolute() ? fs::path(other.oof) : paths.root / other.oof;
                if (auto r = prediction_correlation(paths.root / e.oof, other_oof)) {
                    const std::string key = other.id < e.id ? other.id + "|" + e.id : e.id + "|" + other.id;
                    registry.correlations[key] = json_util::canonical(std::round(*r * 1e6) / 1e6);
                }
            }
        }
        upsert_experiment(registry, std::move(e));
        write_experiments(paths.experiments, registry);
    }

    void record_round(int n) {
        set_phase("record");
        const auto& c = state.current;
        const std::string status = round_status(n);
        const SubmissionRecord* sub = submission_of_round(n);
        ResultRow row;
        row.round = n;
        if (n > 0 && non_empty_file(rf(n, "experiment.py"))) row.script = workspace_relative(paths, rf(n, "experiment.py"));
        row.cv_score = c.verified_cv ? format_score(*c.verified_cv) : (c.code_crashed ? "crash" : "");
        row.lb = sub ? (sub->lb ? format_score(*sub->lb) : sub->state) : "";
        row.status = status;
        row.submitted = sub ? "yes" : "no";
        row.timestamp = utc_now_iso();
        if (c.failure) {
            row.description = "failed at " + *c.failure;
        } else if (n == 0) {
            row.description = "exploratory data analysis";
        } else {
            row.description = summarize_plan(read_file_if_exists(rf(n, "plan.md")).value_or("")).title;
            if (!c.verified_cv && !c.verify_message.empty()) row.description += " [" + c.verify_message + "]";
        }
        row.description = one_line(row.description, 200);
        upsert_result(results, row);
        write_results(paths.results, results);
        record_experiment(n, status, sub ? sub->lb : std::nullopt);
        if (non_empty_file(rf(n, "findings.md")) && done("findings")) {
            update_learnings(paths.learnings, n, extract_learnings(read_file(rf(n, "findings.md"))));
        }
        std::lock_guard lock(state_mutex);
        if (c.verified_cv && (!state.best_cv || improves(direction(), *c.verified_cv, *state.best_cv))) {
            state.best_cv = c.verified_cv;
            state.best_cv_round = n;
        }
        info(round_tag(n) + " recorded: " + status + (row.cv_score.empty() ? "" : " cv " + row.cv_score) +
             (sub ? " (submitted)" : ""));
        state.round = n + 1;
        state.current = RoundProgress{};
        state.phase = "start";
        save_locked();
    }

    // ---- re-spawn ---------------------------------------------------------------------------
    std::string summary_text(int n) const {
        std::ostringstream os;
        os << "# Campaign summary at " << round_tag(n) << "\n\n"
           << "- competition: " << config.competition.competition << "\n"
           << "- metric: " << config.competition.metric << " (" << config.competition.metric_direction << " is better)\n"
           << "- best CV: " << (state.best_cv ? format_score(*state.best_cv) + " (" + round_tag(state.best_cv_round) + ")" : "none")
           << "\n"
           << "- best LB: " << (state.best_lb ? format_score(*state.best_lb) + " (" + round_tag(state.best_lb_round) + ")" : "none")
           << "\n- submissions: " << state.submissions.size() << "\n\n## Results\n\n"
           << "| round | cv | lb | status | submitted | description |\n|---|---|---|---|---|---|\n";
        const std::size_t from = results.size() > 30 ? results.size() - 30 : 0;
        for (std::size_t i = from; i < results.size(); ++i) {
            const auto& r = results[i];
            os << "| " << round_tag(r.round) << " | " << r.cv_score << " | " << r.lb << " | " << r.status << " | "
               << r.submitted << " | " << r.description << " |\n";
        }
        std::string learnings = read_file_if_exists(paths.learnings).value_or("");
        if (learnings.size() > 6000) learnings = "...\n" + learnings.substr(learnings.size() - 6000);
        os << "\n## Learnings\n\n" << (learnings.empty() ? "(none yet)\n" : learnings);
        return os.str();
    }

    void maybe_respawn(int n) {
        const int every = config.orchestrator.respawn_every;
        if (every <= 0 || n <= 0 || n % every != 0) return;
        const fs::path summary = paths.agents / ("summary_" + round_tag(n) + ".md");
        for (const auto& role : kRoles) {
            if (state.agents[role].spawn_round >= n) continue;
            set_phase("respawn");
            if (!non_empty_file(summary)) atomic_write(summary, summary_text(n));
            check_stop();
            agents.at(role)->respawn(summary);
            std::lock_guard lock(state_mutex);
            state.agents[role].spawn_round = n;
            info(round_tag(n) + " re-spawned the " + role + " with " + workspace_relative(paths, summary));
            save_locked();
        }
    }

    // ---- the round --------------------------------------------------------------------------
    void run_round(int n) {
        host.set_round(n);
        if (n == 0) {
            agent_phase(n, spec(n, Phase::eda));
            record_round(n);
            return;
        }
        maybe_respawn(n);
        auto ok = [this] { return !state.current.failure.has_value(); };
        const int retro_every = config.orchestrator.retro_every;
        if (retro_every > 0 && n % retro_every == 0 && agent_phase(n, spec(n, Phase::retro)))
            learnings::after_retrospective(config, paths, n, logger);
        if (ok()) scrape(n);
        if (ok()) agent_phase(n, spec(n, Phase::research));
        if (ok()) agent_phase(n, spec(n, Phase::plan));
        std::optional<std::string> review;
        if (ok()) review = agent_phase(n, spec(n, Phase::review));
        if (ok() && review && is_revise(*review)) agent_phase(n, spec(n, Phase::revise));
        if (ok()) agent_phase(n, spec(n, Phase::code));
        if (ok()) core_verify(n);
        if (ok()) agent_phase(n, spec(n, Phase::verify));
        if (ok()) decide(n);
        if (ok()) submit(n);
        if (ok()) agent_phase(n, spec(n, Phase::findings));
        record_round(n);
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
        const auto warn_fn = [this](const std::string& m) { warn(m); };
        state = store.load(warn_fn);
        if (state.started_at.empty()) state.started_at = utc_now_iso();
        state.stop_reason.clear();
        state.stopped_at.clear();
        seconds_at_start = state.seconds_spent;
        process_start = chr::steady_clock::now();
        auto file = read_results(paths.results, warn_fn);
        results = std::move(file.rows);
        if (file.repaired) write_results(paths.results, results);
        registry = read_experiments(paths.experiments);
        host.restore_usage(state.usage_by_role, state.usage_by_round);
        host.set_round(state.round);
    }

    /// Experiments from before the campaign (competition existing_oof_dir): <name>_oof.npy /
    /// <name>_test.npy pairs checked and scored by the metric engine, registered once.
    void register_existing() {
        const auto& dir = config.competition.existing_oof_dir;
        if (!dir) return;
        Metric* m = metric_plugin();
        if (!m) {
            warn("existing_oof_dir is set but no metric plugin provides '" + config.competition.metric + "' to score it");
            return;
        }
        const auto target = metrics::load_train_target(config.competition, m->prediction_kind());
        const auto scan = metrics::scan_existing_oof(*dir, *m, target, metrics::count_test_rows(config.competition), paths.root);
        for (const auto& why : scan.rejected) warn("existing experiment not registered: " + why);
        bool changed = false;
        for (const auto& rec : scan.accepted) {
            const bool known = std::any_of(registry.experiments.begin(), registry.experiments.end(),
                                           [&](const Experiment& e) { return e.id == rec.id; });
            if (known) continue;
            Experiment e;
            e.id = rec.id;
            e.family = rec.family;
            e.cv = rec.cv ? std::optional(json_util::canonical(*rec.cv)) : std::nullopt;
            e.oof = rec.oof.generic_string();
            e.test = rec.test.generic_string();
            e.status = "existing";
            upsert_experiment(registry, std::move(e));
            changed = true;
            info("registered the existing experiment " + rec.id + (rec.cv ? " (cv " + format_score(*rec.cv) + ")" : ""));
        }
        if (changed) write_experiments(paths.experiments, registry);
    }

    void refresh_pending_scores() {
        std::vector<int> rounds;
        for (const auto& s : state.submissions)
            if (s.state == "pending") rounds.push_back(s.round);
        for (int r : rounds) poll_submission(r);
    }

    CampaignOutcome run() {
        load();
        CampaignOutcome out;
        try {
            create_agents();
            save();
            learnings::bring_store_into_workspace(config, paths, state.round, logger);
            register_existing();
            try {
                reconcile_pending();
            } catch (const Cancelled&) {
                throw;
            } catch (const std::exception& e) {
                warn("could not ask the leaderboard about the submission in flight (" + one_line(e.what(), 300) +
                     "); nothing is submitted until it answers");
            }
            refresh_pending_scores();
            while (true) {
                if (auto max = max_rounds(); max && state.round > *max) {
                    out.stop_reason = "max_rounds";
                    break;
                }
                check_stop();
                run_round(state.round);
                ++out.rounds_finished;
            }
        } catch (const StopRequested& s) {
            out.stop_reason = s.reason();
        } catch (const Cancelled& c) {
            const auto r = stop_reason();
            out.stop_reason = r.empty() ? std::string("cancelled: ") + c.what() : r;
        }
        learnings::share_with_store(config, paths, logger);
        out.stopped_at = round_tag(state.round) + " " + state.phase;
        std::lock_guard lock(state_mutex);
        state.stop_reason = out.stop_reason;
        state.stopped_at = out.stopped_at;
        save_locked();
        info("stopped at " + out.stopped_at + ": " + out.stop_reason);
        return out;
    }
};

Campaign::Campaign(const Config& config, const PluginHost& plugins, Logger& logger, CampaignOptions options)
    : impl_(std::make_unique<Impl>(config, plugins, logger, std::move(options))) {}
Campaign::~Campaign() = default;
CampaignOutcome Campaign::run() { return impl_->run(); }

}  // namespace autokaggle
