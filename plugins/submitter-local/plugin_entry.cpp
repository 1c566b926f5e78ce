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
                  R"({"answers": {"type": "string", "default": "", "doc": "held-out answers CSV (id and target), outside the workspace; relative paths start at the workspace"},
 "public_share": {"type": "number", "default": 0.3, "doc": "share of test ids on the public leaderboard"},
 "split_seed": {"type": "integer", "default": 2026, "doc": "seed of the fixed public/private split"},
 "max_submissions_per_day": {"type": "integer", "default": 0, "doc": "daily quota (UTC); 0 = config.json max_submissions_per_day"},
 "leaderboard": {"type": "string", "default": "", "doc": "leaderboard file with the private scores, outside the workspace; empty = leaderboard.json next to the answers"}})",
                  "", make_local)
