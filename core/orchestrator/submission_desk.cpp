#include "orchestrator/submission_desk.hpp"

#include "base/utc_time.hpp"
#include "orchestrator/json_util.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/workspace.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <sstream>
#include <thread>

namespace autokaggle {
namespace fs = std::filesystem;
namespace chr = std::chrono;

namespace {

SubmissionRecord* record_of_round(CampaignState& state, int round) {
    for (auto& s : state.submissions)
        if (s.round == round) return &s;
    return nullptr;
}

const SubmissionRecord* record_of_round(const CampaignState& state, int round) {
    for (const auto& s : state.submissions)
        if (s.round == round) return &s;
    return nullptr;
}

}  // namespace

SubmissionDesk::SubmissionDesk(SubmitterSource submitter, StateJournal& journal, WorkspacePaths paths,
                               DeskSettings settings, StopReason stop_reason, Log log)
    : submitter_(std::move(submitter)), journal_(journal), paths_(std::move(paths)), settings_(std::move(settings)),
      stop_reason_(std::move(stop_reason)), log_(std::move(log)) {}

void SubmissionDesk::stop_if_requested() const {
    if (!stop_reason_) return;
    if (auto reason = stop_reason_(); !reason.empty()) throw Cancelled("campaign stopping: " + reason);
}

DeskDecision SubmissionDesk::decide(chr::system_clock::time_point now, std::optional<Recommendation> recommendation) const {
    const CampaignState s = journal_.snapshot();
    SubmissionInputs in;
    in.verified_cv = s.current.verified_cv;
    in.unverified_reason = s.current.verify_message;
    const auto verify = s.current.done.find("verify");
    in.reviewer_approved = verify != s.current.done.end() && verify->second.token == "APPROVED";
    in.best_submitted_cv = s.best_submitted_cv;
    in.best_submitted_round = s.best_submitted_round;
    in.direction = settings_.direction;
    in.deadline = settings_.deadline;
    in.now = now;
    DeskDecision out;
    out.verified_cv = in.verified_cv;
    out.day = utc_day(now);
    const auto own = s.submissions_per_day.find(out.day);
    in.used_today = own == s.submissions_per_day.end() ? 0 : own->second;
    Submitter* sub = nullptr;
    try {
        sub = submitter_();
        if (sub) {
            if (auto q = sub->quota()) {
                in.used_today = std::max(in.used_today, q->used_today);
                if (q->limit > 0) in.limit_today = std::min(q->limit, settings_.policy.max_submissions_per_day);
                out.quota_note = "the leaderboard reports " + std::to_string(q->used_today) + " of " +
                                 std::to_string(q->limit) + " used today";
            }
        }
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        out.quota_note = "quota unknown (" + one_line(e.what(), 200) + "); counting our own submissions";
    }
    out.used_today = in.used_today;
    if (!sub) {
        out.decision.submit = false;
        out.decision.reason = "no submitter is configured (config.json \"submitter\")";
    } else {
        out.decision = decide_submission(settings_.policy, in);
    }
    out.recommendation = std::move(recommendation);
    if (out.recommendation)
        out.followed = out.recommendation->submit == out.decision.submit ? "yes" : "no: " + out.decision.reason;
    return out;
}

SubmitOutcome SubmissionDesk::decline(int round, const std::string& reason, const std::string& token, bool keep_pending) {
    journal_.update([&](CampaignState& s) {
        if (!keep_pending) s.pending_submission.reset();
        if (!s.current.decision) s.current.decision = DecisionRecord{};
        s.current.decision->submit = false;
        s.current.decision->reason = reason;
    });
    warn(round_tag(round) + " " + reason);
    return SubmitOutcome{token, reason};
}

SubmitOutcome SubmissionDesk::submit(int round, const BuildFile& build, const fs::path& file, const std::string& description) {
    try {
        reconcile();
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        // An earlier upload may have arrived: sending again could submit twice. Keep it
        // pending; the next start asks the leaderboard again.
        return decline(round,
                       "could not ask the leaderboard whether an earlier submission arrived (" + one_line(e.what(), 300) +
                           "); not submitting until it answers",
                       "FAILED", true);
    }
    if (!record_of_round(journal_.snapshot(), round)) {
        Submitter* sub = nullptr;
        try {
            sub = submitter_();
            if (!sub) throw Error("no submitter is configured (config.json \"submitter\")");
            build(file);
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            return decline(round, "the submission file could not be built: " + one_line(e.what(), 300), "FAILED", false);
        }
        stop_if_requested();
        const PendingSubmission pending = journal_.update([&](CampaignState& s) {
            s.pending_submission =
                PendingSubmission{round, description, workspace_relative(paths_, file), utc_timestamp(), s.current.verified_cv};
            return *s.pending_submission;
        });
        SubmissionInfo result;
        try {
            result = sub->submit(SubmissionRequest{file, pending.description});
        } catch (const Cancelled&) {
            throw;
        } catch (const ServiceError& e) {
            // A 4xx is a refusal: nothing arrived. Anything else (no connection, 5xx) may have
            // arrived: the record stays pending and is reconciled before any other submission.
            const bool refused = e.status() >= 400 && e.status() < 500;
            return decline(round,
                           (refused ? "the leaderboard refused the submission: " : "the submission may not have arrived: ") +
                               one_line(e.what(), 300),
                           refused ? "REFUSED" : "FAILED", !refused);
        } catch (const std::exception& e) {
            return decline(round, "the submission could not be sent: " + one_line(e.what(), 300), "FAILED", true);
        }
        const auto divergence = journal_.update([&](CampaignState& s) {
            SubmissionRecord rec;
            rec.round = round;
            rec.regime = s.regime.number;
            rec.ref = result.ref;
            rec.description = pending.description;
            rec.file = pending.file;
            rec.day = utc_date();
            rec.cv = pending.cv;
            s.submissions.push_back(rec);
            s.submissions_per_day[rec.day] += 1;
            s.pending_submission.reset();
            return apply_status(s, s.submissions.back(), result, settings_.direction);
        });
        if (divergence) warn("CV/LB divergence: " + *divergence);
        info(round_tag(round) + " submitted '" + pending.description + "' as " + result.ref);
    }
    journal_.update([&](CampaignState& s) {
        const SubmissionRecord* rec = record_of_round(s, round);
        if (!rec || !rec->cv) return;
        if (!s.best_submitted_cv || improves(settings_.direction, *rec->cv, *s.best_submitted_cv)) {
            s.best_submitted_cv = rec->cv;
            s.best_submitted_round = round;
        }
    });
    poll(round);
    return SubmitOutcome{"SUBMITTED", ""};
}

void SubmissionDesk::reconcile() {
    const CampaignState s = journal_.snapshot();
    if (!s.pending_submission) return;
    const PendingSubmission pending = *s.pending_submission;
    Submitter* sub = submitter_();
    if (!sub) {
        warn("a submission of " + round_tag(pending.round) + " may be in flight but no submitter is configured to ask");
        return;
    }
    const auto recent = sub->recent(50);
    const auto match = std::find_if(recent.begin(), recent.end(),
                                    [&](const SubmissionInfo& r) { return r.description == pending.description; });
    const auto divergence = journal_.update([&](CampaignState& st) -> std::optional<std::string> {
        std::optional<std::string> note;
        if (match != recent.end() && !record_of_round(st, pending.round)) {
            SubmissionRecord rec;
            rec.round = pending.round;
            rec.regime = st.regime.number;
            rec.ref = match->ref;
            rec.description = pending.description;
            rec.file = pending.file;
            rec.day = match->date.size() >= 10 ? match->date.substr(0, 10) : utc_date();
            rec.cv = pending.cv;
            st.submissions.push_back(rec);
            st.submissions_per_day[rec.day] += 1;
            note = apply_status(st, st.submissions.back(), *match, settings_.direction);
        }
        st.pending_submission.reset();
        return note;
    });
    if (divergence) warn("CV/LB divergence: " + *divergence);
    if (match != recent.end()) {
        info("reconciled: the submission '" + pending.description + "' reached the leaderboard as " + match->ref);
    } else {
        info("reconciled: the submission '" + pending.description + "' never reached the leaderboard; it will be sent again");
    }
}

void SubmissionDesk::poll(int round) {
    Submitter* sub = submitter_();
    if (!sub) return;
    double wait = settings_.first_poll_s, waited = 0.0;
    while (true) {
        const CampaignState s = journal_.snapshot();
        const SubmissionRecord* rec = record_of_round(s, round);
        if (!rec || rec->state != "pending" || rec->ref.empty()) return;
        const std::string ref = rec->ref;
        SubmissionInfo status;
        try {
            status = sub->status(ref);
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            warn(round_tag(round) + " submission " + ref + " status unknown: " + one_line(e.what(), 300));
            return;
        }
        std::optional<std::string> divergence;
        const SubmissionRecord now = journal_.update([&](CampaignState& st) {
            SubmissionRecord* r = record_of_round(st, round);
            divergence = apply_status(st, *r, status, settings_.direction);
            return *r;
        });
        if (divergence) warn("CV/LB divergence: " + *divergence);
        if (now.state != "pending") {
            info(round_tag(round) + " submission " + ref + ": " + now.state + (now.lb ? " LB " + format_score(*now.lb) : std::string()));
            return;
        }
        if (waited >= settings_.max_poll_s || (stop_reason_ && !stop_reason_().empty())) return;
        std::this_thread::sleep_for(chr::duration<double>(wait));
        waited += wait;
        wait = std::min(wait * 2, settings_.max_poll_interval_s);
    }
}

void SubmissionDesk::poll_pending() {
    for (const auto& s : journal_.snapshot().submissions)
        if (s.state == "pending") poll(s.round);
}

std::optional<std::string> SubmissionDesk::apply_status(CampaignState& state, SubmissionRecord& rec,
                                                        const SubmissionInfo& info, Direction dir) {
    rec.state = std::string(to_string(info.state));
    rec.lb = info.public_score ? std::optional(json_util::canonical(*info.public_score)) : std::nullopt;
    rec.message = info.message;
    if (rec.state != "complete" || !rec.lb) return std::nullopt;
    std::optional<std::string> note;
    if (state.best_lb && rec.cv) {
        const SubmissionRecord* best = nullptr;
        for (const auto& s : state.submissions)
            if (s.round == state.best_lb_round && s.lb) best = &s;
        // CVs of different regimes are not comparable: no divergence across them.
        if (best && best->cv && best->regime == rec.regime && improves(dir, *rec.cv, *best->cv) &&
            improves(dir, *state.best_lb, *rec.lb)) {
            state.cv_lb_divergence = true;
            state.divergence_note = round_tag(rec.round) + ": CV " + format_score(*rec.cv) + " beats " +
                                    round_tag(best->round) + "'s " + format_score(*best->cv) + " but LB " +
                                    format_score(*rec.lb) + " is worse than " + format_score(*state.best_lb);
            note = state.divergence_note;
        }
    }
    if (!state.best_lb || improves(dir, *rec.lb, *state.best_lb)) {
        state.best_lb = rec.lb;
        state.best_lb_round = rec.round;
    }
    return note;
}

std::string decision_markdown(int round, const DeskDecision& d) {
    std::ostringstream md;
    md << "# " << round_tag(round) << " submission decision (by the core)\n\n"
       << "## Submission decision\n\n"
       << "- decision: " << (d.decision.submit ? "submit" : "do not submit") << "\n"
       << "- reason: " << d.decision.reason << "\n"
       << "- margin: " << format_score(d.decision.margin) << (d.decision.endgame ? " (endgame)" : "") << "\n"
       << "- verified CV: " << (d.verified_cv ? format_score(*d.verified_cv) : std::string("none")) << "\n"
       << "- submissions today (" << d.day << " UTC): " << d.used_today << "\n";
    if (!d.quota_note.empty()) md << "- quota: " << d.quota_note << "\n";
    if (d.recommendation) {
        md << "- the Builder recommended: " << (d.recommendation->submit ? "submit" : "do not submit")
           << (d.recommendation->reason.empty() ? "" : " (" + d.recommendation->reason + ")") << "\n"
           << "- followed: " << d.followed << "\n";
    } else {
        md << "- the Builder recommended: nothing (no 'Recommendation:' line in " << round_tag(round) << "_findings.md)\n";
    }
    return md.str();
}

}  // namespace autokaggle
