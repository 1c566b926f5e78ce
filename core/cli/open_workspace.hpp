// What the commands that work on a workspace (run, submit, llm test, blend) open first:
// config.json validated with the plugins it names. plugin_dirs come from config.json itself, so
// the file is read once without plugins (for plugin_dirs only, even when it has other errors)
// and then validated with the plugins found there, on AUTOKAGGLE_PLUGIN_PATH and next to the
// executable. `validate` makes the same two passes but reports instead of throwing.
#pragma once

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <filesystem>

namespace autokaggle::cli {

struct OpenWorkspace {
    /// `config_file` is the workspace's config.json. Throws ConfigError naming the file when it
    /// is missing, and listing every error when it is not valid.
    explicit OpenWorkspace(const std::filesystem::path& config_file);

    PluginHost plugins;
    Config config;
    WorkspacePaths paths;
};

}  // namespace autokaggle::cli
