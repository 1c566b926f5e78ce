// The "local" runner: an experiment script on this machine under the detached supervisor
// (autokaggle-supervise), which enforces the wall-clock limit and the memory cap, streams a
// capped log to disk and records the exit; by default inside the bubblewrap sandbox. A
// restarted orchestrator re-attaches to a run still going or collects a finished one. See
// docs/runner-local.md for the behaviour and its limits.
#pragma once

#include <autokaggle/support/sandbox.hpp>

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle::local_runner {

/// The plugin's options schema (descriptor JSON).
inline constexpr const char* kOptionsSchema = R"json({
  "timeout_s":    {"type": "number",  "default": 3600, "doc": "wall-clock limit of one run in seconds (0 = none; at most 31536000)"},
  "memory_mb":    {"type": "integer", "default": 0,    "doc": "memory cap per run in MB: RLIMIT_AS per process, and a cgroup v2 memory.max when delegated (0 = none)"},
  "threads":      {"type": "integer", "default": 0,    "doc": "CPU threads for BLAS/OpenMP (OMP_NUM_THREADS and friends); 0 = all cores"},
  "kill_grace_s": {"type": "number",  "default": 10,   "doc": "seconds between SIGTERM and SIGKILL when a run is ended (0 to 3600)"},
  "sandbox":      {"type": "string",  "default": "auto", "doc": "auto (bubblewrap where it works), bwrap (required), or off"},
  "network":      {"type": "boolean", "default": false, "doc": "let sandboxed runs use the network"},
  "log_limit_mb": {"type": "number",  "default": 64,   "doc": "size of a run log: the first and the last half of the output are kept (0 = no limit)"},
  "pass_env":     {"type": "array",   "default": [],   "doc": "names of extra environment variables a run may see (secrets are never passed)"}
})json";

struct Options {
    enum class Sandbox { automatic, bwrap, off };

    double timeout_s = 3600;
    long long memory_mb = 0;
    int threads = 0;
    double kill_grace_s = 10;
    Sandbox sandbox = Sandbox::automatic;
    bool network = false;
    double log_limit_mb = 64;
    std::vector<std::string> pass_env;

    /// From the validated plugin options; throws ConfigError naming runner.options.<key> and
    /// the allowed range for out-of-range values.
    static Options from_json(const boost::json::object& options);
};

/// Whether runs go into the sandbox, and why (or why not).
struct SandboxDecision {
    bool on = false;
    std::filesystem::path bwrap;
    std::string reason;  ///< "bubblewrap /usr/bin/bwrap", "runner.options.sandbox is \"off\"", why bwrap cannot work
};

/// The decision for an option value (throws ConfigError when "bwrap" is required but unusable).
SandboxDecision decide_sandbox(Options::Sandbox option);

class LocalRunner final : public Runner {
public:
    /// `host` may be null (tests); when set, the workspace's held-out answers are kept out of the
    /// sandbox and what the runner does on its own (attach, the sandbox being off) is logged.
    explicit LocalRunner(Options options, HostServices* host = nullptr);

    std::unique_ptr<RunHandle> start(const RunSpec& spec) override;
    /// A run still under its supervisor is followed again (its log from the start); a finished
    /// one reports its exit record; a run whose supervisor is gone without a record has its
    /// leftovers ended and gets nullptr, so the phase runs again.
    std::unique_ptr<RunHandle> attach(const RunSpec& spec, const boost::json::object& record) override;

    const Options& options() const { return options_; }
    const SandboxDecision& sandbox();

private:
    std::vector<std::string> command_for(const RunSpec& spec, const std::filesystem::path& run_dir);
    void log(LogLevel level, const std::string& message) const;

    Options options_;
    HostServices* host_;
    std::optional<SandboxDecision> sandbox_;
};

}  // namespace autokaggle::local_runner
