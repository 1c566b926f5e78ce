// An options schema with a type the host does not know.
#include "fixture_objects.hpp"

namespace {
std::unique_ptr<autokaggle::Scraper> make(const autokaggle::PluginContext&) {
    return std::make_unique<fixture::NullScraper>();
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Scraper, "fixture-bad-schema", "0.1.0", "declares a bad option type",
                  R"({"depth": {"type": "int", "default": 3, "doc": "how deep"}})", "", make)
