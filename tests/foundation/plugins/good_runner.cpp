// A working runner plugin whose runs finish at once.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Runner> make(const autokaggle::PluginContext&) {
    return std::make_unique<fixture::InstantRunner>();
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Runner, "fixture-runner", "0.1.0", "finishes at once",
                  R"({"timeout_s": {"type": "number", "default": 60, "doc": "wall-clock limit"}})", "", make)
