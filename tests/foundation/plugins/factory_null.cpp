// A factory that returns nothing.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Agent> make(const autokaggle::PluginContext&) { return nullptr; }
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "fixture-null", "0.1.0", "factory returns null", "{}", "*", make)
