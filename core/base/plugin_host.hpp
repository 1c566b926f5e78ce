// The plugin host: finds plugin libraries, reads and checks each descriptor before anything
// else, and creates plugin objects. Every object it creates keeps its library loaded, and every
// call into a plugin object goes through a guard that turns the plugin's exceptions into host
// errors naming the plugin.
#pragma once

#include <autokaggle/sdk/plugin.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

struct Diagnostic;

struct PluginInfo {
    std::string kind, name, version, description;
    std::vector<std::string> provides;  ///< metric names ("map@k" pattern), task types, ...
    boost::json::object options_schema;
    std::filesystem::path path;
};

struct PluginLoadFailure {
    std::filesystem::path path;
    std::string reason;  ///< "ABI mismatch: got 3, supported 1 - rebuild the plugin with this SDK"
};

class PluginHost {
public:
    /// Scans each folder in order for plugin libraries (*.so). Failures are recorded, not thrown.
    explicit PluginHost(std::vector<std::filesystem::path> search_dirs);
    ~PluginHost();
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    /// config plugin_dirs, then AUTOKAGGLE_PLUGIN_PATH (colon-separated), then the plugin folder
    /// next to the executable (../lib/autokaggle/plugins).
    static std::vector<std::filesystem::path> search_path(const std::vector<std::filesystem::path>& config_dirs);

    const std::vector<std::filesystem::path>& search_dirs() const;
    const std::vector<PluginInfo>& plugins() const;
    const std::vector<PluginLoadFailure>& failures() const;

    /// The plugin of this kind and name, or a ConfigError "plugin not found" that lists every
    /// folder tried and the names of that kind that were found (and failures of that name).
    const PluginInfo& find(std::string_view kind, std::string_view name) const;
    /// The metric plugin that provides `metric` ("map@5" matches "map@k"), or nullptr.
    const PluginInfo* find_metric(std::string_view metric) const;
    /// Every metric name the loaded metric plugins provide ("auc_roc", "map@k", ...).
    std::vector<std::string> metric_names() const;

    /// Checks options against the plugin's schema and fills defaults. Unknown keys and wrong
    /// types are errors named by `key_path` + "." + option.
    boost::json::object validate_options(const PluginInfo& plugin, const boost::json::object& options,
                                         const std::string& key_path, std::vector<Diagnostic>& out) const;

    // Creation. `context.options` must already be validated. Throws autokaggle::Error naming the
    // plugin when the factory is missing, throws, or returns null.
    std::shared_ptr<Agent> create_agent(std::string_view name, const PluginContext& context) const;
    std::shared_ptr<LlmProvider> create_llm(std::string_view name, const PluginContext& context) const;
    std::shared_ptr<Metric> create_metric(std::string_view metric, const PluginContext& context) const;
    std::shared_ptr<Submitter> create_submitter(std::string_view name, const PluginContext& context) const;
    std::shared_ptr<Scraper> create_scraper(std::string_view name, const PluginContext& context) const;
    std::shared_ptr<Runner> create_runner(std::string_view name, const PluginContext& context) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace autokaggle
