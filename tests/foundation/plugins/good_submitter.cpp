// A working submitter plugin.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Submitter> make(const autokaggle::PluginContext&) {
    return std::make_unique<fixture::NullSubmitter>();
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Submitter, "fixture-submitter", "0.1.0", "accepts everything", "{}", "", make)
