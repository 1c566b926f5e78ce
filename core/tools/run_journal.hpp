// rounds/R{NN}_run.json: the round's experiment as the tools ran it, shared through the file by
// every process that may run it (the orchestrator's `llm` agent, an `autokaggle mcp` server a
// coding-agent CLI started). It holds the runner's record while the run is going (so a server
// started after a crash re-attaches instead of starting a second run) and the outcome once it
// ended (so the same unchanged script is not run again, and the orchestrator knows how the run
// ended). rounds/R{NN}_run.lock (flock) lets one run of a round's experiment go at a time.
#pragma once

#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace autokaggle::tools {

class RunJournal {
public:
    RunJournal(std::filesystem::path rounds_dir, int round);

    const std::filesystem::path& file() const { return file_; }

    /// The runner's record of a run that has not ended (RunHandle::record()), if any.
    std::optional<boost::json::object> run_record() const;
    /// Stores (record != nullptr) or clears (nullptr) the running run's record.
    void save_run_record(const boost::json::object* record) const;

    /// The recorded outcome: status, claimed and verified CV, fold scores, message, the
    /// script's content hash, the answer token. nullopt when no run ended yet.
    std::optional<boost::json::object> outcome() const;
    /// Stores the outcome and clears the run's record in the same write: from then on the
    /// outcome answers for the run (a restart does not re-attach to it).
    void save_outcome(const boost::json::object& outcome) const;

private:
    boost::json::object load() const;
    void store(const boost::json::object& doc) const;
    std::filesystem::path file_;
};

/// An exclusive lock on a round's experiment (flock on rounds/R{NN}_run.lock), released on
/// destruction or when the process dies.
class RunLock {
public:
    /// Throws ToolError saying a run of that round is in progress when another process or call
    /// holds it.
    RunLock(const std::filesystem::path& rounds_dir, int round);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

private:
    int fd_ = -1;
};

/// How the round's last experiment run ended as the journal recorded it ("ok",
/// "killed_fold1", "timeout", ...), or "" when it recorded none.
std::string recorded_run_status(const std::filesystem::path& rounds_dir, int round);

}  // namespace autokaggle::tools
