#include "orchestrator/policy.hpp"

#include "orchestrator/results.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>

namespace autokaggle {
namespace chr = std::chrono;

std::optional<chr::system_clock::time_point> deadline_end(const std::string& deadline) {
    if (deadline.empty()) return std::nullopt;
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (std::sscanf(deadline.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
        throw ConfigError("config.json: deadline: '" + deadline + "' is not a date; write it as YYYY-MM-DD (UTC)");
    }
    const chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(m)}, chr::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) throw ConfigError("config.json: deadline: '" + deadline + "' is not a valid calendar date");
    return chr::sys_days{ymd} + chr::days{1};
}

std::string utc_day(chr::system_clock::time_point t) {
    const auto days = chr::floor<chr::days>(t);
    const chr::year_month_day ymd{days};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

SubmissionDecision decide_submission(const SubmissionPolicy& policy, const SubmissionInputs& in) {
    SubmissionDecision d;
    d.margin = policy.min_improvement;
    const auto end = deadline_end(in.deadline);
    if (end) {
        const auto left = *end - in.now;
        d.endgame = left <= chr::days{policy.endgame_days};
        if (d.endgame) d.margin = std::max(policy.min_improvement, policy.endgame_min_improvement);
    }
    auto no = [&](std::string why) {
        d.submit = false;
        d.reason = std::move(why);
        return d;
    };
    if (!policy.enabled) return no("automatic submission is off (orchestrator.submit = false)");
    if (!in.verified_cv) {
        return no("the CV score is not a verified number" +
                  (in.unverified_reason.empty() ? std::string() : " (" + in.unverified_reason + ")"));
    }
    if (!in.reviewer_approved) return no("the Reviewer did not approve the result");
    if (end && in.now >= *end) return no("the deadline " + in.deadline + " has passed");
    const int limit = in.limit_today.value_or(policy.max_submissions_per_day);
    if (in.used_today >= limit) {
        return no("no quota left today (" + utc_day(in.now) + " UTC: " + std::to_string(in.used_today) + " of " +
                  std::to_string(limit) + " used)");
    }
    const std::string cv = format_score(*in.verified_cv);
    if (in.best_submitted_cv) {
        const std::string best = format_score(*in.best_submitted_cv) + " (R" +
                                 (in.best_submitted_round < 10 ? "0" : "") + std::to_string(in.best_submitted_round) + ")";
        const std::string margin = std::string(d.endgame ? "endgame " : "") + "margin " + format_score(d.margin);
        if (!improves(in.direction, *in.verified_cv, *in.best_submitted_cv, d.margin)) {
            return no("CV " + cv + " does not beat the best submitted CV " + best + " by the " + margin +
                      (in.direction == Direction::higher ? " (higher is better)" : " (lower is better)"));
        }
        d.submit = true;
        d.reason = "CV " + cv + " beats the best submitted CV " + best + " by more than the " + margin + "; " +
                   std::to_string(limit - in.used_today) + " of " + std::to_string(limit) + " submissions left today";
        return d;
    }
    d.submit = true;
    d.reason = "CV " + cv + " is the first verified score to submit; " + std::to_string(limit - in.used_today) + " of " +
               std::to_string(limit) + " submissions left today";
    return d;
}

}  // namespace autokaggle
