#include "command_scraper.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Scraper> make_command_scraper(const autokaggle::PluginContext& context) {
    using namespace autokaggle::command_scraper;
    return std::make_unique<CommandScraper>(Options::from_json(context.options, *context.host), *context.host);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Scraper, "command", "1.0.0",
                  "runs your own scraper script (config.json scraper_path) and takes the markdown it writes",
                  autokaggle::command_scraper::options_schema, "", make_command_scraper)
