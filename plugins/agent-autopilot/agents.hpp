// The three autopilot agents. None keeps state between phases: each phase re-reads the
// workspace, so a crash or a new process changes nothing about what they decide.
#pragma once

#include "autopilot.hpp"

#include <autokaggle/sdk/agent.hpp>

namespace autokaggle::autopilot {

class Builder final : public Agent {
public:
    explicit Builder(HostServices& host);
    std::string run_phase(const PhaseRequest& request) override;
    void respawn(const fs::path& summary_file) override;

private:
    std::string eda(const PhaseRequest& request);
    std::string plan(const PhaseRequest& request);
    std::string revise(const PhaseRequest& request);
    std::string code(const PhaseRequest& request);
    std::string findings(const PhaseRequest& request);
    HostServices& host_;
};

class Reviewer final : public Agent {
public:
    explicit Reviewer(HostServices& host);
    std::string run_phase(const PhaseRequest& request) override;
    void respawn(const fs::path&) override {}

private:
    std::string review(const PhaseRequest& request);
    std::string verify(const PhaseRequest& request);
    std::string retro(const PhaseRequest& request);
    HostServices& host_;
};

class Researcher final : public Agent {
public:
    explicit Researcher(HostServices& host);
    std::string run_phase(const PhaseRequest& request) override;
    void respawn(const fs::path&) override {}

private:
    HostServices& host_;
};

/// The verify-phase verdict on a finished run (exposed for tests).
struct RunVerdict {
    bool approved = true;
    std::string reason;               ///< when not approved
    std::vector<std::string> notes;   ///< what was checked
};
RunVerdict verify_run(const CampaignView& view, const RoundScores& scores, const std::string& run_log);

}  // namespace autokaggle::autopilot
