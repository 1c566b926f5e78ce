// Exports the autopilot agent plugin: one factory serving the three roles.
#include "agents.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

namespace {

std::unique_ptr<autokaggle::Agent> make_autopilot(const autokaggle::PluginContext& context) {
    using namespace autokaggle::autopilot;
    auto& host = *context.host;
    const auto& task = host.competition().task_type;
    if (!supported_task(task))
        throw autokaggle::ConfigError(
            "config.json: task_type '" + task + "' cannot be served by the autopilot (it serves " + kSupportedTasks +
            "); set agents." + context.instance + ".plugin to \"llm\", \"claude-code\" or \"codex\"");
    if (context.instance == "builder") return std::make_unique<Builder>(host);
    if (context.instance == "reviewer") return std::make_unique<Reviewer>(host);
    if (context.instance == "researcher") return std::make_unique<Researcher>(host);
    return nullptr;
}

}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Agent, "autopilot", "1.0.0",
                  "offline Researcher, Builder and Reviewer: EDA, a catalogue of tabular experiments, rule-based reviews",
                  "{}", "binary_classification,multiclass_classification,regression", make_autopilot)
