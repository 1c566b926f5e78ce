// The "slurm" runner: each experiment is a batch job (sbatch --parsable) whose working folder
// and output file are in the round's folder; it is followed with squeue and, once it leaves the
// queue, scontrol show job (accounting may be off), its output file streamed as it grows. See
// docs/runner-slurm.md.
#pragma once

#include "slurm_text.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <memory>

namespace autokaggle::slurm {

inline constexpr const char* kOptionsSchema = R"json({
  "partition":        {"type": "string",  "default": "", "doc": "--partition (empty: the cluster's default)"},
  "account":          {"type": "string",  "default": "", "doc": "--account"},
  "qos":              {"type": "string",  "default": "", "doc": "--qos"},
  "gres":             {"type": "string",  "default": "", "doc": "--gres, e.g. gpu:1 or gpu:a100:2"},
  "constraint":       {"type": "string",  "default": "", "doc": "--constraint (node features)"},
  "cpus":             {"type": "integer", "default": 0,  "doc": "--cpus-per-task (0: not given)"},
  "mem_mb":           {"type": "integer", "default": 0,  "doc": "--mem in MB (0: not given)"},
  "timeout_s":        {"type": "number",  "default": 3600, "doc": "wall-clock limit of a running job; the runner cancels it then, and asks Slurm for --time one minute longer (0: none)"},
  "extra_directives": {"type": "array",   "default": [], "doc": "more #SBATCH lines, e.g. [\"--exclusive\", \"--nodelist=gpu01\"]"},
  "setup":            {"type": "array",   "default": [], "doc": "shell lines run in the job before the script (module load ..., source venv/bin/activate)"},
  "python":           {"type": "string",  "default": "", "doc": "interpreter on the nodes (empty: config.json python)"},
  "job_name_prefix":  {"type": "string",  "default": "autokaggle", "doc": "job names are <prefix>-R03_experiment"},
  "bin_dir":          {"type": "string",  "default": "", "doc": "folder of sbatch/squeue/scontrol/scancel (empty: PATH)"},
  "poll_interval_s":  {"type": "number",  "default": 2, "doc": "how often squeue is asked while a job runs"},
  "cancel_wait_s":    {"type": "number",  "default": 60, "doc": "how long a cancel waits for the job to leave the queue"},
  "scheduler_grace_s": {"type": "number", "default": 120, "doc": "how long the scheduler may stay unreachable before the run fails"}
})json";

struct Options {
    JobOptions job;
    std::filesystem::path sbatch, squeue, scontrol, scancel;  ///< resolved executables
    std::filesystem::path sacct;                              ///< empty when not installed
    double poll_interval_s = 2;
    double cancel_wait_s = 60;
    double scheduler_grace_s = 120;

    /// From the validated plugin options; throws ConfigError naming runner.options.<key>, and
    /// when the Slurm commands cannot be found, saying how to install them.
    static Options from_json(const boost::json::object& options);
};

class SlurmRunner final : public Runner {
public:
    /// `host` may be null (tests); when set, re-attach decisions are logged.
    explicit SlurmRunner(Options options, HostServices* host = nullptr);

    std::unique_ptr<RunHandle> start(const RunSpec& spec) override;
    /// Follows the recorded job when Slurm still knows it (queued, running, or finished within
    /// MinJobAge); nullptr when it is gone or the id now names another job.
    std::unique_ptr<RunHandle> attach(const RunSpec& spec, const boost::json::object& record) override;

private:
    Options options_;
    HostServices* host_;
};

}  // namespace autokaggle::slurm
