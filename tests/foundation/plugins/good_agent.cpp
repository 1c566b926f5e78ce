// A working agent plugin for tabular task types, with one option of each type.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Agent> make(const autokaggle::PluginContext& ctx) {
    return std::make_unique<fixture::EchoAgent>(ctx);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "fixture-agent", "1.2.3", "echo agent for tests",
                  R"({"llm": {"type": "string", "default": "strong", "doc": "configuration under llms"},
                      "max_turns": {"type": "integer", "default": 8, "doc": "turns per phase"},
                      "temperature": {"type": "number", "default": 0.5, "doc": "sampling temperature"},
                      "verbose": {"type": "boolean", "default": false, "doc": "log every turn"},
                      "tools": {"type": "array", "default": ["read", "write"], "doc": "allowed tools"},
                      "extra": {"type": "object", "default": {}, "doc": "provider extras"}})",
                  "binary_classification,multiclass_classification,regression", make)
