// Agent plugins: Researcher, Builder and Reviewer. The orchestrator sends one trigger per
// phase (one line plus file paths, never file contents); the agent writes the phase's output
// file and answers one line, the phase's token.
//
// The reply grammar is defined once, here: expected_reply() says what a phase answers (for
// prompts and messages), parse_reply() reads an answer as the orchestrator does. Anything else
// is rejected and the phase retried.
//   eda, research, plan, findings, retro -> "DONE"
//   review, verify                       -> "APPROVED" | "REVISE: <why>"
//   revise                               -> "REVISED"
//   code                                 -> "CV_SCORE=<number>" | "CV_SCORE=crash"
//
// Ownership: the host creates one agent per role and owns it. Agents persist their own session
// under HostServices::paths().agents / <role> after every turn, atomically, so a new process
// continues the same conversation. Thread-safety: one phase at a time per agent.
#pragma once

#include <autokaggle/sdk/abi.hpp>
#include <autokaggle/sdk/host.hpp>

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

enum class Phase { eda, research, plan, review, revise, code, verify, findings, retro };

inline std::string_view to_string(Phase p) {
    switch (p) {
        case Phase::eda: return "eda";
        case Phase::research: return "research";
        case Phase::plan: return "plan";
        case Phase::review: return "review";
        case Phase::revise: return "revise";
        case Phase::code: return "code";
        case Phase::verify: return "verify";
        case Phase::findings: return "findings";
        case Phase::retro: return "retro";
    }
    return "unknown";
}

/// The three agents, in the order they are created.
inline constexpr std::array<std::string_view, 3> kRoles{"researcher", "builder", "reviewer"};

/// The role whose agent does a phase.
inline constexpr std::string_view role_of(Phase p) {
    switch (p) {
        case Phase::research: return "researcher";
        case Phase::review:
        case Phase::verify:
        case Phase::retro: return "reviewer";
        case Phase::eda:
        case Phase::plan:
        case Phase::revise:
        case Phase::code:
        case Phase::findings: return "builder";
    }
    return "builder";
}

/// What a phase answers, as agents are told and errors quote it.
inline std::string_view expected_reply(Phase p) {
    switch (p) {
        case Phase::review:
        case Phase::verify: return "APPROVED or REVISE: <why>";
        case Phase::revise: return "REVISED";
        case Phase::code: return "CV_SCORE=<number> or CV_SCORE=crash";
        default: return "DONE";
    }
}

/// An agent's answer as the orchestrator reads it.
struct Reply {
    std::string token;           ///< the answer without surrounding white space
    std::string problem;         ///< why it is not a valid answer for the phase; empty when valid
    bool revise = false;         ///< review, verify: "REVISE: <why>"
    std::string reason;          ///< the <why> of REVISE
    bool crash = false;          ///< code: "CV_SCORE=crash"
    std::optional<double> cv;    ///< code: the claimed score
    bool valid() const { return problem.empty(); }
};

/// Reads `text` as the answer to `phase`: one line (surrounding white space ignored) that is
/// exactly one of the phase's tokens. An invalid answer gets a problem naming the reply, the
/// phase and what to answer instead.
inline Reply parse_reply(Phase phase, std::string_view text) {
    constexpr std::string_view space = " \t\r\n";
    const auto first = text.find_first_not_of(space);
    Reply r;
    if (first != std::string_view::npos) r.token = std::string(text.substr(first, text.find_last_not_of(space) - first + 1));
    const auto reject = [&](bool multi_line) {
        std::string shown = r.token.empty() ? std::string("(empty)") : r.token;
        for (char& c : shown)
            if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        if (shown.size() > 80) {
            std::size_t cut = 77;
            while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
            shown = shown.substr(0, cut) + "...";
        }
        r.problem = "the reply '" + shown + "' is not a valid token for the " + std::string(to_string(phase)) +
                    " phase; answer exactly " + (multi_line ? "one line: " : "") + std::string(expected_reply(phase));
        return r;
    };
    if (r.token.find('\n') != std::string::npos) return reject(true);
    const std::string_view t = r.token;
    switch (phase) {
        case Phase::review:
        case Phase::verify: {
            if (t == "APPROVED") return r;
            constexpr std::string_view revise = "REVISE:";
            if (t.substr(0, revise.size()) != revise) return reject(false);
            const auto why = t.find_first_not_of(space, revise.size());
            if (why == std::string_view::npos) return reject(false);
            r.revise = true;
            r.reason = std::string(t.substr(why));
            return r;
        }
        case Phase::revise: return t == "REVISED" ? r : reject(false);
        case Phase::code: {
            constexpr std::string_view prefix = "CV_SCORE=";
            if (t.substr(0, prefix.size()) != prefix) return reject(false);
            const std::string value(t.substr(prefix.size()));
            if (value == "crash") {
                r.crash = true;
                return r;
            }
            char* end = nullptr;
            const double v = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !std::isfinite(v)) return reject(false);
            r.cv = v;
            return r;
        }
        default: return t == "DONE" ? r : reject(false);
    }
}

struct PhaseRequest {
    int round = 0;
    Phase phase = Phase::eda;
    std::string trigger;                          ///< one line: what to do now
    std::filesystem::path output;                 ///< the file this phase must write (absolute)
    std::vector<std::filesystem::path> inputs;    ///< files worth reading (absolute)
    /// Non-empty on the single retry: what was wrong with the previous reply.
    std::string problem;
};

class AUTOKAGGLE_SDK_VISIBLE Agent {
public:
    virtual ~Agent() = default;
    /// Does the phase and returns its one-line token. Throws autokaggle::Cancelled when
    /// HostServices::cancel_requested() turns true; other exceptions fail the phase.
    virtual std::string run_phase(const PhaseRequest& request) = 0;
    /// Drops the accumulated context and starts a fresh session that knows `summary_file`
    /// (a compact summary of the campaign so far written by the host).
    virtual void respawn(const std::filesystem::path& summary_file) = 0;
    /// An id for the current session (conversation file, CLI session id) recorded in
    /// state.json; empty when the agent keeps none.
    virtual std::string session_id() const { return {}; }
};

}  // namespace autokaggle
