#include "kaggle_submitter.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Submitter> make_kaggle_submitter(const autokaggle::PluginContext& context) {
    using namespace autokaggle::kaggle_submitter;
    return std::make_unique<KaggleSubmitter>(Options::from_json(context.options, *context.host), *context.host);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Submitter, "kaggle", "1.0.0",
                  "submits to a Kaggle competition (upload, score, recent submissions, daily quota)",
                  autokaggle::kaggle_submitter::options_schema, "", make_kaggle_submitter)
