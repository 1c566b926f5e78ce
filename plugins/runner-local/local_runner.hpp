// The "local" runner: an experiment script as a child process group of this machine, with a
// wall-clock timeout, a memory cap, a CPU thread count and a log streamed to disk. See
// docs/runner-local.md for the behaviour and its limits.
#pragma once

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <memory>

namespace autokaggle::local_runner {

/// The plugin's options schema (descriptor JSON).
inline constexpr const char* kOptionsSchema = R"json({
  "timeout_s":    {"type": "number",  "default": 3600, "doc": "wall-clock limit of one run in seconds (0 = none)"},
  "memory_mb":    {"type": "integer", "default": 0,    "doc": "memory cap per run in MB: RLIMIT_AS per process, and a cgroup v2 memory.max when delegated (0 = none)"},
  "threads":      {"type": "integer", "default": 0,    "doc": "CPU threads for BLAS/OpenMP (OMP_NUM_THREADS and friends); 0 = all cores"},
  "kill_grace_s": {"type": "number",  "default": 10,   "doc": "seconds between SIGTERM and SIGKILL when a run is ended"}
})json";

struct Options {
    double timeout_s = 3600;
    long long memory_mb = 0;
    int threads = 0;
    double kill_grace_s = 10;

    /// From the validated plugin options; throws ConfigError naming runner.options.<key> for
    /// out-of-range values.
    static Options from_json(const boost::json::object& options);
};

class LocalRunner final : public Runner {
public:
    /// `host` may be null (tests); when set, leftover processes ended by attach() are logged.
    explicit LocalRunner(Options options, HostServices* host = nullptr);

    std::unique_ptr<RunHandle> start(const RunSpec& spec) override;
    /// Ends whatever is left of the recorded run (SIGTERM, then SIGKILL after kill_grace_s) and
    /// returns nullptr: a local run cannot be followed by a new process, so the phase re-runs.
    std::unique_ptr<RunHandle> attach(const RunSpec& spec, const boost::json::object& record) override;

    const Options& options() const { return options_; }

private:
    Options options_;
    HostServices* host_;
};

}  // namespace autokaggle::local_runner
