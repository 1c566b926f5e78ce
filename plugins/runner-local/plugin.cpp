// The "local" runner plugin: experiment scripts as child processes of this machine.
#include "local_runner.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Runner> make_local_runner(const autokaggle::PluginContext& context) {
    return std::make_unique<autokaggle::local_runner::LocalRunner>(
        autokaggle::local_runner::Options::from_json(context.options), context.host);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Runner, "local", "1.0.0",
                  "runs experiment scripts as local processes with a timeout, a memory cap and thread limits",
                  autokaggle::local_runner::kOptionsSchema, "", make_local_runner)
