// Exports the "slurm" runner.
#include "slurm_runner.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Runner> make_slurm_runner(const autokaggle::PluginContext& context) {
    return std::make_unique<autokaggle::slurm::SlurmRunner>(autokaggle::slurm::Options::from_json(context.options),
                                                           context.host);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Runner, "slurm", "1.0.0",
                  "runs experiments as Slurm batch jobs (sbatch, squeue, scontrol, scancel) on a shared filesystem",
                  autokaggle::slurm::kOptionsSchema, "", make_slurm_runner)
