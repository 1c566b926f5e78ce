// A factory that throws (a missing model file, say).
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Agent> make(const autokaggle::PluginContext&) {
    throw std::runtime_error("model file weights.bin is missing");
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "fixture-throws", "0.1.0", "factory throws", "{}", "*", make)
