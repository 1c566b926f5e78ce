// The round loop. What a round consists of is the phase table (phase_plan.hpp); the state and
// its saving belong to the StateJournal; submissions to the SubmissionDesk; results.tsv,
// experiments.json and LEARNINGS.md to the CampaignBooks. What is left here is the sequencing:
// running each due step of the table, an agent phase with its retries, the core's own steps,
// stops, and resume.
#include "orchestrator/campaign.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"
#include "base/utc_time.hpp"
#include "learnings/workspace_learnings.hpp"
#include "metrics/folds.hpp"
#include "metrics/verify.hpp"
#include "orchestrator/campaign_host.hpp"
#include "orchestrator/campaign_plugins.hpp"
#include "orchestrator/checks.hpp"
#include "orchestrator/data_check.hpp"
#include "orchestrator/experiment_adapter.hpp"
#include "orchestrator/experiments.hpp"
#include "orchestrator/fingerprint.hpp"
#include "orchestrator/json_util.hpp"
#include "orchestrator/phase_plan.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/round_books.hpp"
#include "orchestrator/state_journal.hpp"
#include "orchestrator/submission_desk.hpp"
#include "orchestrator/workspace.hpp"
#include "runner/kill_gate.hpp"
#include "tools/run_journal.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>

namespace autokaggle {
namespace fs = std::filesystem;
namespace chr = std::chrono;

namespace {

/// A stop (signal, budget, deadline) with its reason; unwinds to Campaign::run.
class StopRequested : public Cancelled {
public:
    explicit StopRequested(std::string reason) : Cancelled("campaign stopping: " + reason), reason_(std::move(reason)) {}
    const std::string& reason() const { return reason_; }

private:
    std::string reason_;
};

/// The number as the agent printed it in "CV_SCORE=<number>" (its precision matters).
std::string_view claimed_text(std::string_view token) {
    const auto eq = token.find('=');
    return eq == std::string_view::npos ? std::string_view() : token.substr(eq + 1);
}

}  // namespace

std::string token_problem(Phase phase, const std::string& reply) { return parse_reply(phase, reply).problem; }

struct Campaign::Impl {
    const Config& config;
    Logger& logger;
    CampaignOptions options;
    WorkspacePaths paths;
    CampaignHost host;
    CampaignPlugins plugins;
    StateJournal journal;
    CampaignBooks books;
    ExperimentAdapter adapter;

    std::optional<SubmissionDesk> desk;
    double seconds_at_start = 0;
    chr::steady_clock::time_point process_start = chr::steady_clock::now();

    Impl(const Config& c, const PluginHost& p, Logger& l, CampaignOptions o)
        : config(c), logger(l), options(std::move(o)), paths(workspace_paths(c)), host(c, paths, p, l), plugins(c, p, host),
          journal(paths.state, [this](CampaignState& s) { stamp(s); }),
          books(paths, log_to()),
          adapter(
              c, p, host,
              [this](const std::string& label, const boost::json::object* record) { save_run_record(label, record); },
              [this](const std::string& label) { return run_record(label); }, [this] { return kill_gate_context(); }) {
        host.set_stop_check([this] { return stop_reason(); });
        host.set_experiment_runner([this](const ExperimentRequest& r) {
            ExperimentResult result = adapter.run(r);
            journal.update([&](CampaignState& s) { s.current.run_status = std::string(to_string(result.status)); });
            return result;
        });
    }

    // ---- bookkeeping ------------------------------------------------------------------------
    std::function<void(LogLevel, const std::string&)> log_to() {
        return [this](LogLevel level, const std::string& m) { logger.log(level, "orchestrator", m); };
    }
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
        for (const auto& [role, agent] : plugins.agents()) s.agents[role].session = agent->session_id();
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

    /// The fold-1 kill gate compares a new run with the best verified experiment so far (the
    /// adapter adds the fold-1 scorer over the competition's folds).
    KillGateContext kill_gate_context() const {
        const CampaignState s = journal.snapshot();
        return gate_against_best(paths, s.best_cv_round, s.best_cv, plugins.direction() == Direction::higher);
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

    // ---- plugins ----------------------------------------------------------------------------
    /// The agents, then the record of which plugin serves each role (a change restarts its
    /// re-spawn count).
    void create_plugins() {
        plugins.create();
        journal.update([&](CampaignState& s) {
            for (const std::string_view name : kRoles) {
                const std::string role(name);
                auto& rec = s.agents[role];
                const std::string& plugin = config.agents.at(role).plugin;
                if (rec.plugin == plugin) continue;
                if (!rec.plugin.empty()) info(role + " changed plugin " + rec.plugin + " -> " + plugin);
                rec.plugin = plugin;
                rec.spawn_round = s.round;
            }
        });
    }

    void open_desk() {
        DeskSettings settings;
        settings.policy.enabled = config.orchestrator.submit;
        settings.policy.min_improvement = config.orchestrator.min_improvement;
        settings.policy.endgame_days = config.orchestrator.endgame_days;
        settings.policy.endgame_min_improvement = config.orchestrator.endgame_min_improvement;
        settings.policy.max_submissions_per_day = config.competition.max_submissions_per_day;
        settings.deadline = config.competition.deadline;
        settings.direction = plugins.direction();
        desk.emplace([this] { return plugins.submitter(); }, journal, paths, settings, [this] { return stop_reason(); },
                     log_to());
    }

    // ---- steps ------------------------------------------------------------------------------
    bool done(const std::string& key) const { return journal.snapshot().current.done.count(key) > 0; }
    bool failed() const { return journal.snapshot().current.failure.has_value(); }

    void mark_done(const std::string& key, const std::string& token, const fs::path& output) {
        journal.update([&](CampaignState& s) {
            s.current.done[key] = PhaseRecord{token, workspace_relative(paths, output), utc_timestamp()};
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
                return it != s.current.done.end() && parse_reply(Phase::review, it->second.token).revise;
            }
            case StepWhen::every_round: return true;
        }
        return false;
    }

    void run_step(const RoundStep& step, int n) {
        switch (step.kind) {
            case StepKind::agent:
                if (agent_phase(n, step) && step.phase == Phase::retro)
                    learnings::after_retrospective(config, paths, n, plugins.metric_names(), logger);
                break;
            case StepKind::respawn: maybe_respawn(n, step); break;
            case StepKind::scrape: scrape(n, step); break;
            case StepKind::core_verify:
                core_verify(n, step);
                reopen_code_once(n, step);
                break;
            case StepKind::decision: decide(n, step); break;
            case StepKind::submit: submit(n, step); break;
            case StepKind::record: record_round(n); break;
        }
    }

    TriggerContext trigger_context() const {
        TriggerContext t;
        const auto s = journal.snapshot();
        t.last_round = s.max_rounds;
        if (auto it = s.current.done.find("review"); it != s.current.done.end())
            t.revise_reason = one_line(parse_reply(Phase::review, it->second.token).reason, 200);
        return t;
    }

    /// Runs one agent phase unless state.json records it done with its output in place.
    /// Returns the token, or nullopt after the retries failed (the reason is in the state).
    /// `problem`: what the agent must fix when the phase is asked again for a reason.
    std::optional<std::string> agent_phase(int n, const RoundStep& step, std::string problem = {}) {
        const PhaseRequest base = phase_request(step, n, paths, config.competition, trigger_context());
        const std::string key(step.key), role(role_of(*step.phase)), output = workspace_relative(paths, base.output);
        if (auto s = journal.snapshot(); s.current.done.count(key)) {
            if (non_empty_file(base.output)) return s.current.done.at(key).token;
            warn(round_tag(n) + " " + key + ": recorded as done but " + output +
                 " is missing or empty; running the phase again");
            journal.update([&](CampaignState& st) { st.current.done.erase(key); });
        }
        set_phase(key);
        Agent& agent = plugins.agent(role);
        const int attempts = 1 + std::max(0, config.orchestrator.phase_retries);
        for (int attempt = 0; attempt < attempts; ++attempt) {
            check_stop();
            PhaseRequest request = base;
            request.problem = problem;
            info(round_tag(n) + " " + key + " (" + role + (attempt ? ", retry" : "") + ")");
            Reply reply;
            try {
                reply = parse_reply(*step.phase, agent.run_phase(request));
            } catch (const Cancelled&) {
                check_stop();
                throw StopRequested("cancelled by the " + role + " agent");
            } catch (const std::exception& e) {
                problem = "the previous attempt failed: " + one_line(e.what(), 400);
                warn(round_tag(n) + " " + key + ": " + problem);
                continue;
            }
            problem = reply.problem;
            if (problem.empty() && !non_empty_file(base.output))
                problem = "the output file " + output + " is missing or empty; write it before answering";
            if (problem.empty()) {
                mark_done(key, reply.token, base.output);
                return reply.token;
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
            if (Scraper* s = plugins.scraper()) {
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
            s.current.done["scrape"] = PhaseRecord{"", "", utc_timestamp()};
        });
    }

    void core_verify(int n, const RoundStep& step) {
        const fs::path report = output_of(step, n);
        if (done("core_verify") && non_empty_file(report)) return;
        set_phase("core_verify");
        const CampaignState before = journal.snapshot();
        const std::string token = before.current.done.at("code").token;
        const auto claimed = parse_reply(Phase::code, token).cv;
        // A run made by a separate tool server (autokaggle mcp) is known from its journal.
        const std::string run_status =
            before.current.run_status.empty() ? tools::recorded_run_status(paths.rounds, n) : before.current.run_status;
        CvCheck check;
        if (!claimed && run_status == "killed_fold1")
            check.message = "the fold-1 kill gate stopped the run (" + round_tag(n) + "_run.log says why)";
        else if (!claimed)
            check.message = "the experiment reported CV_SCORE=crash";
        else if (const Metric* metric = plugins.metric())
            check = verify_outputs(config.competition, *metric,
                                   metrics::printed_precision_tolerance(claimed_text(token), config.verify.cv_tolerance),
                                   claimed, rf(n, "oof.npy"), rf(n, "test.npy"));
        else
            check.message = "no metric plugin provides '" + config.competition.metric + "'";
        atomic_write(report, verification_markdown(n, claimed, check));
        journal.update([&](CampaignState& s) {
            s.current.claimed_cv = claimed ? std::optional(json_util::canonical(*claimed)) : std::nullopt;
            s.current.run_status = run_status;
            s.current.code_crashed = !claimed;
            s.current.verified_cv = check.verified_cv ? std::optional(json_util::canonical(*check.verified_cv)) : std::nullopt;
            s.current.verify_message = check.message;
            s.current.done["core_verify"] =
                PhaseRecord{check.verified_cv ? "VERIFIED" : check.mismatch ? "MISMATCH" : "UNVERIFIED",
                            workspace_relative(paths, report), utc_timestamp()};
        });
        info(round_tag(n) + " core verify: " + (check.verified_cv ? "verified " + format_score(*check.verified_cv) : "not verified") +
             " - " + check.message);
    }

    /// A claimed CV that disagrees with the one recomputed from the OOF file (at the claim's
    /// printed precision) sends the code phase back to the Builder once, with the reason; the
    /// answer after that stands.
    void reopen_code_once(int n, const RoundStep& verify_step) {
        const CampaignState s = journal.snapshot();
        const auto verified = s.current.done.find("core_verify");
        if (s.current.done.count("reopen_code") || verified == s.current.done.end() || verified->second.token != "MISMATCH")
            return;
        const std::string problem = "the core recomputed the CV from " + round_tag(n) +
                                    "_oof.npy and it disagrees with your answer: " + one_line(s.current.verify_message, 300) +
                                    ". Answer with the CV that run_experiment reported as verified (or fix and run the "
                                    "script again)";
        journal.update([&](CampaignState& st) {
            st.current.done.erase("code");
            st.current.done.erase("core_verify");
            st.current.done["reopen_code"] = PhaseRecord{"REOPENED", "", utc_timestamp()};
        });
        info(round_tag(n) + " code phase reopened: the claimed CV disagrees with the recomputed one");
        agent_phase(n, step_of(Phase::code), problem);
        if (!failed()) core_verify(n, verify_step);
    }

    void decide(int n, const RoundStep& step) {
        const fs::path file = output_of(step, n);
        if (done("decision") && non_empty_file(file)) return;
        set_phase("decision");
        const auto findings = read_file_if_exists(rf(n, "findings.md"));
        const DeskDecision d = desk->decide(chr::system_clock::now(), extract_recommendation(findings.value_or("")));
        atomic_write(file, decision_markdown(n, d));
        journal.update([&](CampaignState& s) {
            const std::string advice = !d.recommendation ? "" : d.recommendation->submit ? "submit" : "do not submit";
            s.current.decision = DecisionRecord{d.decision.submit, d.decision.reason, advice, d.followed};
            s.current.done["decision"] =
                PhaseRecord{d.decision.submit ? "SUBMIT" : "NO", workspace_relative(paths, file), utc_timestamp()};
        });
        const std::string note = !d.recommendation          ? ""
                                 : d.followed == "yes" ? " (as the Builder recommended)"
                                                       : " (against the Builder's recommendation)";
        info(round_tag(n) + " decision: " + (d.decision.submit ? "submit - " : "no submission - ") + d.decision.reason + note);
    }

    std::string submission_description(int n, const std::optional<double>& cv) const {
        std::string title = one_line(summarize_plan(read_file_if_exists(rf(n, "plan.md")).value_or("")).title, 60);
        const std::string tag = round_tag(n);
        if (title.rfind(tag, 0) == 0) title = trim(title.substr(tag.size()));
        return one_line(tag + " " + title + " cv=" + (cv ? format_score(*cv) : std::string("?")), 120);
    }

    void submit(int n, const RoundStep& step) {
        if (done("submit")) return;
        set_phase("submit");
        const CampaignState s = journal.snapshot();
        if (!s.current.decision || !s.current.decision->submit) return mark_done("submit", "SKIPPED", {});
        const auto build = [&](const fs::path& file) {
            const Metric* metric = plugins.metric();
            if (!metric) throw Error("no metric plugin provides '" + config.competition.metric + "'");
            write_submission_file(config.competition, *metric, rf(n, "test.npy"), file);
        };
        const SubmitOutcome outcome =
            desk->submit(n, build, output_of(step, n), submission_description(n, s.current.verified_cv));
        mark_done("submit", outcome.token, {});
    }

    void record_round(int n) {
        set_phase("record");
        const ResultRow row = books.record(n, journal.snapshot());
        const Direction dir = plugins.direction();
        journal.update([&](CampaignState& s) {
            const auto& cv = s.current.verified_cv;
            if (cv && (!s.best_cv || improves(dir, *cv, *s.best_cv))) {
                s.best_cv = cv;
                s.best_cv_round = n;
            }
            s.round = n + 1;
            s.current = RoundProgress{};
            s.run_records = {};  // finished runs stay recorded (with their results) until here
            s.phase = "start";
        });
        info(round_tag(n) + " recorded: " + row.status + (row.cv_score.empty() ? "" : " cv " + row.cv_score) +
             (row.submitted == "yes" ? " (submitted)" : ""));
    }

    /// Each agent is re-spawned `respawn_every` rounds after its own spawn (a plugin change or
    /// an earlier re-spawn restarts its count).
    void maybe_respawn(int n, const RoundStep& step) {
        const int every = config.orchestrator.respawn_every;
        if (every <= 0 || n <= 0) return;
        const fs::path summary = output_of(step, n);
        for (const std::string_view name : kRoles) {
            const std::string role(name);
            if (n - journal.snapshot().agents[role].spawn_round < every) continue;
            set_phase("respawn");
            if (!non_empty_file(summary)) atomic_write(summary, books.summary(n, config.competition, journal.snapshot()));
            check_stop();
            plugins.agent(role).respawn(summary);
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
        const Metric* metric = plugins.metric();
        if (!metric)
            return warn("existing_oof_dir is set but no metric plugin provides '" + config.competition.metric +
                        "' to score it");
        books.register_existing(config.competition, *metric);
    }

    CampaignOutcome run() {
        load();
        CampaignOutcome out;
        try {
            require_usable_data(config.competition, paths, [this](const std::string& m) { warn(m); });
            metrics::ensure_folds(config.competition);  // the CV regime's folds, before any experiment
            books.set_regime(settle_fingerprint(journal, config, options.rebaseline, log_to()));
            const auto limit = max_rounds();
            journal.update([&](CampaignState& s) {
                if (s.started_at.empty()) s.started_at = utc_timestamp();
                s.stop_reason.clear();
                s.stopped_at.clear();
                s.max_rounds = limit;
            });
            host.set_round_limit(limit);
            learnings::bring_store_into_workspace(config, paths, journal.snapshot().round, logger);
            create_plugins();
            plugins.submitter();  // a submitter that refuses its configuration stops the run before round 0
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
                if (limit && round > *limit) {
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
        learnings::share_with_store(config, paths, plugins.metric_names(), logger);
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
