// A working scraper plugin.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Scraper> make(const autokaggle::PluginContext&) {
    return std::make_unique<fixture::NullScraper>();
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Scraper, "fixture-scraper", "0.1.0", "finds nothing", "{}", "", make)
