#include "kaggle_scraper.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Scraper> make_kaggle_scraper(const autokaggle::PluginContext& context) {
    using namespace autokaggle::kaggle_scraper;
    return std::make_unique<KaggleScraper>(Options::from_json(context.options, *context.host), *context.host);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Scraper, "kaggle", "1.0.0",
                  "new public notebooks (with their code's key ideas), discussions and the leaderboard top",
                  autokaggle::kaggle_scraper::options_schema, "", make_kaggle_scraper)
