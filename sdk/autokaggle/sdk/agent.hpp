// Agent plugins: Researcher, Builder and Reviewer. The orchestrator sends one trigger per
// phase (one line plus file paths, never file contents); the agent writes the phase's output
// file and answers one line, the phase's token.
//
// Tokens per phase (the orchestrator rejects anything else and retries once):
//   eda, research, plan, findings, retro, summary -> "DONE"
//   review, verify                               -> "APPROVED" | "REVISE: <why>"
//   revise                                       -> "REVISED"
//   code                                         -> "CV_SCORE=<number>" | "CV_SCORE=crash"
//
// Ownership: the host creates one agent per role and owns it. Agents persist their own session
// under HostServices::paths().agents / <role> after every turn, atomically, so a new process
// continues the same conversation. Thread-safety: one phase at a time per agent.
#pragma once

#include <autokaggle/sdk/abi.hpp>
#include <autokaggle/sdk/host.hpp>

#include <filesystem>
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
