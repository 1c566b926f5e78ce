// leaderboard: the campaign's own submissions with their public scores, the quota left today
// (UTC) and the deadline, from the configured submitter; Kaggle's public leaderboard top when a
// Kaggle client is available. Private scores are never shown.
#include "tools/tool_args.hpp"
#include "tools/tool_groups.hpp"

#include "kaggle/client.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <sstream>

namespace autokaggle::tools {

namespace json = boost::json;
namespace chr = std::chrono;

namespace {

std::string state_name(SubmissionState s) {
    switch (s) {
        case SubmissionState::pending: return "pending";
        case SubmissionState::complete: return "complete";
        case SubmissionState::error: return "error";
    }
    return "?";
}

/// "2026-04-30 (12 days left, UTC)" or "none".
std::string deadline_text(const std::string& deadline) {
    if (deadline.empty()) return "none";
    int y = 0, m = 0, d = 0;
    if (std::sscanf(deadline.c_str(), "%d-%d-%d", &y, &m, &d) != 3) return deadline;
    const chr::year_month_day day{chr::year(y), chr::month(static_cast<unsigned>(m)), chr::day(static_cast<unsigned>(d))};
    if (!day.ok()) return deadline;
    const auto today = chr::floor<chr::days>(chr::system_clock::now());
    const long left = (chr::sys_days(day) - today).count();
    return deadline + (left < 0 ? " (passed)" : " (" + std::to_string(left) + " day(s) left, UTC)");
}

std::string leaderboard(ToolHost& host, const json::object& args) {
    const int limit = static_cast<int>(std::clamp<long long>(int_arg(args, "limit", 20), 1, 100));
    const auto& competition = host.host().competition();
    std::ostringstream out;
    out << "competition: " << competition.competition << ", metric " << competition.metric << " ("
        << competition.metric_direction << " is better)\n"
        << "deadline: " << deadline_text(competition.deadline) << "\n";
    Submitter* submitter = host.submitter();
    if (!submitter) {
        out << "no submitter is configured: nothing is submitted\n";
        return out.str();
    }
    try {
        if (auto q = submitter->quota()) {
            const int limit_today = q->limit > 0 ? q->limit : competition.max_submissions_per_day;
            out << "quota today (UTC): " << q->used_today << " used of " << limit_today << ", "
                << std::max(0, limit_today - q->used_today) << " left\n";
        } else {
            out << "quota today (UTC): unknown; the campaign allows " << competition.max_submissions_per_day << " per day\n";
        }
        const auto recent = submitter->recent(limit);
        out << "own submissions, newest first (" << recent.size() << "):\n";
        for (const auto& s : recent) {
            out << "  " << s.date << "  " << s.ref << "  " << state_name(s.state) << "  public "
                << (s.public_score ? std::to_string(*s.public_score) : std::string("-")) << "  " << s.description;
            if (!s.message.empty()) out << "  (" << s.message << ")";
            out << "\n";
        }
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        out << "the leaderboard did not answer: " << e.what() << "\n";
    }
    if (const kaggle::Client* client = host.kaggle()) {
        try {
            const auto top = client->leaderboard(competition.competition, 10);
            out << "public leaderboard, top " << top.size() << ":\n";
            for (const auto& e : top) out << "  " << e.score << "  " << e.team_name << "\n";
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            out << "public leaderboard unavailable: " << e.what() << "\n";
        }
    }
    return out.str();
}

}  // namespace

void add_leaderboard_tool(std::vector<ToolDefinition>& table, ToolHost& host) {
    table.push_back({"leaderboard",
                     "The campaign's own submissions with their public scores, the submissions left today (UTC), the "
                     "deadline, and the public leaderboard's top when Kaggle is reachable. The orchestrator decides "
                     "and makes submissions; agents never submit.",
                     object_schema({{"limit", property("integer", "how many own submissions to list (default 20)")}}),
                     {},
                     [&host](const ToolCallContext&, const json::object& args) { return leaderboard(host, args); }});
}

}  // namespace autokaggle::tools
