#include "cli/open_workspace.hpp"

#include <autokaggle/sdk/errors.hpp>

namespace autokaggle::cli {
namespace fs = std::filesystem;

namespace {
std::vector<fs::path> plugin_dirs_of(const fs::path& config_file) {
    if (!fs::is_regular_file(config_file)) {
        throw ConfigError(config_file.string() + " not found: " + config_file.parent_path().string() +
                          " is not a campaign workspace (create one with `autokaggle init DIR`, or pass its folder)");
    }
    return load_config(config_file, nullptr).plugin_dirs;
}
}  // namespace

OpenWorkspace::OpenWorkspace(const fs::path& config_file)
    : plugins(PluginHost::search_path(plugin_dirs_of(config_file))),
      config(load_config_or_throw(config_file, &plugins)),
      paths(workspace_paths(config)) {}

}  // namespace autokaggle::cli
