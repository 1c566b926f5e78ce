// A working metric plugin serving an exact name and a "@k" family.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Metric> make(const autokaggle::PluginContext& ctx) {
    return std::make_unique<fixture::CountMetric>(ctx.instance);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Metric, "fixture-metrics", "0.1.0", "counts rows", "{}",
                  "fixture_count, fixture_top@k", make)
