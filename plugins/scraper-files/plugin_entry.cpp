// Exports the "files" scraper plugin.
#include "files_scraper.hpp"

#include <autokaggle/sdk/plugin.hpp>

namespace {
std::unique_ptr<autokaggle::Scraper> make_files(const autokaggle::PluginContext& context) {
    std::string path = "knowledge";
    if (auto* v = context.options.if_contains("path"); v && v->is_string()) path = std::string(v->as_string());
    return std::make_unique<autokaggle::files_scraper::FilesScraper>(*context.host, path);
}
}  // namespace

AUTOKAGGLE_PLUGIN(autokaggle::Scraper, "files", "1.0.0",
                  "reads a folder of markdown notes; reports each new or changed note once",
                  R"({"path": {"type": "string", "default": "knowledge", "doc": "folder of .md/.txt notes, relative to the workspace"}})",
                  "", make_files)
