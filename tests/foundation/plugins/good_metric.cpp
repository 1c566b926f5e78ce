// A working metric plugin serving an exact name and a "@k" family, with an option its factory
// checks beyond the schema.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Metric> make(const autokaggle::PluginContext& ctx) {
    if (const auto* scale = ctx.options.if_contains("scale"); scale && scale->to_number<double>() <= 0)
        throw autokaggle::ConfigError("option scale must be positive");
    return std::make_unique<fixture::CountMetric>(ctx.instance);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Metric, "fixture-metrics", "0.1.0", "counts rows",
                  R"({"scale": {"type": "number", "default": 1, "doc": "a positive factor"}})",
                  "fixture_count, fixture_top@k", make)
