// Exports the "kaggle-kernels" runner.
#include "kernels_runner.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Runner> make_kernels_runner(const autokaggle::PluginContext& context) {
    return std::make_unique<autokaggle::kaggle_kernels::KernelsRunner>(
        autokaggle::kaggle_kernels::Options::from_json(context.options, context.host), context.host);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Runner, "kaggle-kernels", "1.0.0",
                  "runs experiments as private Kaggle kernels on Kaggle's GPUs (push, status, outputs)",
                  autokaggle::kaggle_kernels::kOptionsSchema, "", make_kernels_runner)
