// A runner named "local", so that `validate` tests reach the Python check without the real
// runner plugin.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Runner> make(const autokaggle::PluginContext&) {
    return std::make_unique<fixture::InstantRunner>();
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Runner, "local", "0.0.1", "stands in for the local runner", "{}", "", make)
