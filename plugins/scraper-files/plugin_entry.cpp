// Exports the "files" scraper plugin.
#include "files_scraper.hpp"

#include <autokaggle/support/plugin_options.hpp>

#include <autokaggle/sdk/plugin.hpp>

namespace {
constexpr const char* kOptionsSchema =
    R"({"path": {"type": "string", "default": "knowledge", "doc": "folder of .md/.txt notes, relative to the workspace"}})";

std::unique_ptr<autokaggle::Scraper> make_files(const autokaggle::PluginContext& context) {
    const auto options = autokaggle::with_schema_defaults(kOptionsSchema, context.options);
    return std::make_unique<autokaggle::files_scraper::FilesScraper>(
        *context.host, autokaggle::string_option(options, "scraper.options", "path"));
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Scraper, "files", "1.0.0",
                  "reads a folder of markdown notes; reports each new or changed note once", kOptionsSchema, "",
                  make_files)
