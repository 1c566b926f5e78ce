// The text side of Slurm: the batch script we submit and what squeue/scontrol/sbatch print.
// Pure functions, tested without a cluster.
#pragma once

#include <autokaggle/sdk/runner.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::slurm {

/// sbatch directives and job setup from the plugin's options.
struct JobOptions {
    std::string partition, account, qos, gres, constraint;
    long long cpus = 0;          ///< --cpus-per-task (0: not given)
    long long mem_mb = 0;        ///< --mem in MB (0: not given)
    double timeout_s = 3600;     ///< --time, rounded up to whole minutes (0: not given)
    std::vector<std::string> extra_directives;  ///< each becomes "#SBATCH <text>"
    std::vector<std::string> setup;             ///< shell lines before the script (module load ...)
    std::string python;          ///< interpreter on the nodes; empty: RunSpec::python
    std::string job_name_prefix = "autokaggle";
};

/// The job's name for a run ("autokaggle-R03_experiment").
std::string job_name(const JobOptions& options, const RunSpec& spec);

/// Slurm's --time value for a number of seconds: whole minutes, rounded up, at least 1.
std::string time_limit(double seconds);

/// Quotes a word for bash ('...' with embedded quotes escaped).
std::string shell_quote(std::string_view word);

/// sbatch's arguments before the script: --parsable, job name, output file (stdout and stderr),
/// working folder, time limit and the resource options. Given on the command line rather than
/// as #SBATCH lines so paths need no quoting.
std::vector<std::string> sbatch_args(const JobOptions& options, const RunSpec& spec,
                                     const std::filesystem::path& output_file, double timeout_s);

/// The batch script for a run: the extra #SBATCH directives, the run's environment, the setup
/// lines, then the Python script. It first checks that `sentinel` (a file the runner wrote in
/// the workspace) is visible: when it is not, the node does not share the workspace and the job
/// exits with kNoWorkspaceExit and a message saying so.
std::string batch_script(const JobOptions& options, const RunSpec& spec, const std::filesystem::path& sentinel);

inline constexpr int kNoWorkspaceExit = 97;

/// The job id `sbatch --parsable` printed ("1234" or "1234;cluster"); nullopt when there is none.
std::optional<std::string> parse_sbatch_id(std::string_view out);

/// `scontrol show job -o ID`: Key=Value words of the single line.
std::map<std::string, std::string> parse_scontrol_line(std::string_view line);

/// How a job ended, or that it has not.
struct JobOutcome {
    RunStatus status = RunStatus::running;
    std::optional<int> exit_code;
    std::optional<int> signal;
    std::string message;
};

/// Maps a Slurm job state (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED,
/// OUT_OF_MEMORY, NODE_FAIL, ...; a trailing "+" or " by N" is ignored) and "ExitCode=a:b" onto
/// a run status. `we_cancelled`: a CANCELLED job counts as cancelled, otherwise as a crash
/// (someone else ran scancel).
JobOutcome classify(std::string_view state, std::string_view exit_code, std::string_view reason, bool we_cancelled);

/// True for the states a job passes through before it ends.
bool is_active_state(std::string_view state);

}  // namespace autokaggle::slurm
