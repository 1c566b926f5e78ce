// experiments.json (core/orchestrator/experiments.cpp): a document reads or is refused with an
// Error; the registry written from what was read reads back and writes the same bytes. The same
// bytes as a model-written plan or findings file: what summarize_plan and extract_learnings take
// from it is recorded in a registry that, too, reads back.
#include "fuzz.hpp"

#include "orchestrator/experiments.hpp"

#include <autokaggle/sdk/errors.hpp>

namespace {

using namespace autokaggle;

/// Writes, reads back and writes again: the two texts are the same.
void round_trip(const ExperimentRegistry& registry) {
    const std::string written = format_experiments(registry);
    std::string again;
    try {
        again = format_experiments(parse_experiments(written, "experiments.json"));
    } catch (const Error&) {
        fuzz::require(false, "a written experiments.json reads back");
    }
    fuzz::require(again == written, "reading and writing experiments.json again changes nothing");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(fuzz::text(data, size));
    try {
        round_trip(parse_experiments(text, "experiments.json"));
    } catch (const Error&) {
    }
    const PlanSummary plan = summarize_plan(text);
    Experiment e;
    e.id = "R01";
    e.round = 1;
    e.family = plan.family;
    e.features = plan.features;
    e.params = plan.params;
    ExperimentRegistry registry;
    registry.experiments.push_back(e);
    round_trip(registry);
    (void)extract_learnings(text);
    return 0;
}
