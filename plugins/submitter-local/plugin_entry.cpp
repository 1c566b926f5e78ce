// Exports the "local" submitter plugin.
#include "local_submitter.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Submitter> make_local(const autokaggle::PluginContext& context) {
    return std::make_unique<autokaggle::local_submitter::LocalSubmitter>(*context.host, context.options);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Submitter, "local", "1.0.0",
                  "offline leaderboard: scores against held-out answers with a public/private split and a daily quota",
                  autokaggle::local_submitter::kOptionsSchema,
                  "", make_local)
