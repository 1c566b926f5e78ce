// A plugin built against a newer core: it calls a support function this host's libraries do not
// define. With immediate binding the host records the load failure, naming the symbol, instead
// of aborting the process when the factory first calls it.
#include "fixture_objects.hpp"

namespace autokaggle {
// Declared as a support header of another version would declare it; defined nowhere here.
__attribute__((visibility("default"))) std::string fixture_helper_this_host_lacks(std::string_view text);
}  // namespace autokaggle

namespace {
std::unique_ptr<autokaggle::Agent> make(const autokaggle::PluginContext& ctx) {
    if (autokaggle::fixture_helper_this_host_lacks(ctx.instance).empty()) return nullptr;
    return std::make_unique<fixture::EchoAgent>(ctx);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "fixture-unresolved", "1.0.0", "needs a symbol the host lacks", "{}", "*", make)
