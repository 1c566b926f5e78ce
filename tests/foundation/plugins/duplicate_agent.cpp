// A second plugin named like good_agent.cpp's; whichever is found second is refused.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Agent> make(const autokaggle::PluginContext& ctx) {
    return std::make_unique<fixture::EchoAgent>(ctx);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "fixture-agent", "9.9.9", "duplicate of fixture-agent", "{}", "*", make)
