// An experiment run under the detached supervisor (autokaggle-supervise run, docs/runner-local.md):
// what the local runner and the supervisor share. The runner writes an order into the run's
// folder and starts the supervisor; the supervisor runs the command with the order's limits,
// streams its output into a capped run log, and records how it ended in exit.json, atomically.
// Everything is in the folder, so an orchestrator started later finds the run again.
// Implemented in libautokaggle-runner (AutoKaggle::runner); the supervisor's own parts (the
// capped log, how an end is classified) are the core's.
#pragma once

#include <autokaggle/support/process.hpp>

#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::supervised {

/// The files of one supervised run: <work_dir>/.runs/<label>/.
struct RunFolder {
    std::filesystem::path dir;

    static RunFolder of(const std::filesystem::path& work_dir, const std::string& label) {
        return {work_dir / ".runs" / label};
    }
    std::filesystem::path order() const { return dir / "order.json"; }           ///< written by the runner
    std::filesystem::path supervisor() const { return dir / "supervisor.json"; }  ///< pids, written at the start
    std::filesystem::path exit_record() const { return dir / "exit.json"; }       ///< written at the end
    std::filesystem::path cancel_reason() const { return dir / "cancel.txt"; }    ///< why a stop was asked for
    std::filesystem::path home() const { return dir / "home"; }                  ///< the run's scratch HOME
    std::filesystem::path diagnostics() const { return dir / "supervisor.log"; }  ///< the supervisor's stderr
};

/// What the supervisor is asked to run, and the limits it enforces.
struct RunOrder {
    std::string label;
    std::vector<std::string> argv;               ///< the whole command, sandbox included
    std::filesystem::path cwd;
    std::map<std::string, std::string> env;      ///< the whole environment of the command
    std::filesystem::path log_file;              ///< installed at the end; log_file.partial while it runs
    double timeout_s = 0;                        ///< 0: none
    double kill_grace_s = 10;
    long long memory_mb = 0;                     ///< RLIMIT_AS, and cgroup memory.max when delegated
    std::string token;                           ///< AUTOKAGGLE_RUN_TOKEN of every process of the run
    std::uint64_t log_head_bytes = 32ull << 20;  ///< kept from the start of the output
    std::uint64_t log_tail_bytes = 32ull << 20;  ///< kept from the end of the output
    bool sandboxed = false;                      ///< bubblewrap reports a signal as exit code 128+n

    boost::json::object to_json() const;
    /// Throws autokaggle::Error naming the key that is missing or ill-typed.
    static RunOrder from_json(const boost::json::object& o);
    /// Equal for two orders that run the same thing the same way (the token and HOME aside).
    std::string fingerprint() const;
};

/// The supervisor and the command it started: supervisor.json, and the start handshake.
struct SupervisorInfo {
    process::ProcessIdentity supervisor;
    process::ProcessIdentity command;
    std::string boot_id;
    std::filesystem::path cgroup;  ///< empty when the run has none
    std::string notes;             ///< what the supervisor could not set up (no cgroup ...)

    boost::json::object to_json() const;
    static SupervisorInfo from_json(const boost::json::object& o);
    /// The supervisor is still running (same boot, same process).
    bool supervisor_alive() const;
};

/// How a run ended: exit.json.
struct ExitRecord {
    RunStatus status = RunStatus::crash;
    std::optional<int> exit_code;
    std::optional<int> signal;
    std::string started_at, ended_at;  ///< UTC, ISO 8601
    double seconds = 0;
    std::string message;
    std::uint64_t output_bytes = 0;    ///< what the command printed
    std::uint64_t dropped_bytes = 0;   ///< left out of the log (log_head_bytes/log_tail_bytes)

    boost::json::object to_json() const;
    static ExitRecord from_json(const boost::json::object& o);
};

/// The status whose to_string() is `name`; nullopt for an unknown name.
std::optional<RunStatus> run_status_named(std::string_view name);

/// Reads a JSON object file written atomically; nullopt when the file does not exist. Throws
/// autokaggle::Error naming the file when it is not a JSON object.
std::optional<boost::json::object> read_json_object(const std::filesystem::path& file);

}  // namespace autokaggle::supervised
