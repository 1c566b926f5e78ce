// A working LLM provider plugin.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::LlmProvider> make(const autokaggle::PluginContext&) {
    return std::make_unique<fixture::FixedLlm>();
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::LlmProvider, "fixture-llm", "0.1.0", "answers hello",
                  R"({"model": {"type": "string", "default": "fixture-model", "doc": "model name"},
                      "api_key_env": {"type": "string", "default": "FIXTURE_API_KEY", "doc": "variable holding the key"}})",
                  "", make)
