// config.json: loading, validation and the typed view every part of the core uses.
// Keys and defaults are documented in docs/config.md. Paths are resolved relative to the
// config file. Secrets never live here: keys that look like secrets are refused with a pointer
// to the environment variable or credential file that should hold them.
#pragma once

#include <autokaggle/sdk/host.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

class PluginHost;

/// One validation finding. key_path is dotted ("agents.builder.options.llm"); for JSON syntax
/// errors it is empty and line/column are set.
struct Diagnostic {
    enum class Severity { error, warning };
    Severity severity = Severity::error;
    std::string key_path;
    std::string message;  ///< what was found, what is allowed, how to fix
    int line = 0, column = 0;
    std::string format() const;  ///< "config.json: agents.builder.plugin: ..."
};

/// Which plugin serves a slot, with its options (validated, defaults filled in).
struct PluginSelection {
    std::string plugin;
    boost::json::object options;
    std::string key_path;  ///< where it was configured, for error messages
};

struct BudgetConfig {
    int max_rounds = 0;          ///< 0 = unlimited; absolute round number to stop after
    double max_hours = 0;        ///< wall-clock hours of this campaign, summed over runs; 0 = unlimited
    double max_usd = 0;          ///< LLM spend; 0 = unlimited
    long long max_tokens = 0;    ///< LLM tokens (input + output); 0 = unlimited
};

/// "orchestrator" section: the round cycle and the submission policy.
struct OrchestratorConfig {
    int retro_every = 10;              ///< Reviewer retrospective at rounds 10, 20, ...
    int respawn_every = 15;            ///< agents re-spawned with a summary every N rounds
    double min_improvement = 0.0;      ///< CV must beat the best by more than this to submit
    int endgame_days = 3;              ///< within this many days of the deadline...
    double endgame_min_improvement = 0.001;  ///< ...this larger margin applies
    bool submit = true;                ///< false: never submit automatically
    int phase_retries = 1;             ///< retries of a phase after an invalid reply
};

/// "verify" section: how claimed scores are checked.
struct VerifyConfig {
    double cv_tolerance = 1e-6;  ///< |claimed - recomputed| above this is a mismatch
};

/// "kill_gate" section: the fold-1 kill gate.
struct KillGateConfig {
    bool enabled = true;
    double relative_margin = 0.05;   ///< fold 1 worse than the best CV by more than this fraction
    double max_correlation = 0.999;  ///< fold-1 OOF correlation with the best model above this
};

/// "blend" section: the core's blender.
struct BlendConfig {
    double max_gap = 0.003;              ///< candidates within this of the best single model
    double correlation_threshold = 0.995;
    int steps = 100;                     ///< hill-climbing steps
};

/// "tools" section: the tools agents call (core/tools, docs/llm.md "Tools").
struct ToolsConfig {
    std::size_t read_limit_bytes = 60'000;     ///< most text one read_file returns
    std::size_t output_limit_bytes = 20'000;   ///< most text any other tool returns
    double run_python_timeout_s = 300;         ///< wall-clock limit of one run_python call
    long long run_python_memory_mb = 4096;     ///< memory cap of one run_python call (0 = the runner's)
    std::vector<std::string> fetch_url_hosts;  ///< hosts fetch_url may reach; empty: no fetch_url
};

struct Config {
    std::filesystem::path file;  ///< absolute path of config.json
    std::filesystem::path root;  ///< its folder: the workspace
    CompetitionInfo competition; ///< paths absolute
    boost::json::object raw;     ///< the file as parsed
    std::map<std::string, PluginSelection> agents;  ///< "researcher", "builder", "reviewer"
    std::map<std::string, PluginSelection> llms;    ///< named LLM configurations
    PluginSelection submitter, scraper, runner;
    std::vector<std::filesystem::path> plugin_dirs; ///< absolute
    BudgetConfig budget;
    OrchestratorConfig orchestrator;
    VerifyConfig verify;
    KillGateConfig kill_gate;
    BlendConfig blend;
    ToolsConfig tools;
    std::string kaggle_username;
    std::optional<std::filesystem::path> scraper_path;
    std::optional<std::filesystem::path> competition_dir;  ///< its data/ is the default data_dir
};

struct ConfigLoadResult {
    std::optional<Config> config;  ///< set when there are no errors
    /// Set when there are errors but the file is a JSON object: every key that could be read
    /// (keys in error keep their defaults), so that checks of the parts without errors (a
    /// plugin's own start-up checks, the data files) can run in the same pass.
    std::optional<Config> partial;
    std::vector<Diagnostic> diagnostics;
    /// config.json's plugin_dirs (absolute), filled even when there are errors, so that a caller
    /// can build the plugin host and validate again with it.
    std::vector<std::filesystem::path> plugin_dirs;
    bool ok() const { return config.has_value(); }
};

/// The strategies config.json's cv_strategy may name (docs/config.md, "Validation").
const std::vector<std::string>& cv_strategies();
/// Whether a strategy keeps each group's rows in one fold (it needs group_column).
bool strategy_uses_groups(std::string_view strategy);
/// Whether a strategy stratifies on the target.
bool strategy_stratifies(std::string_view strategy);
/// Whether a strategy validates on the future of what it trained on (it needs time_column).
bool strategy_uses_time(std::string_view strategy);

/// Loads and validates config.json. With a plugin host, also checks that every named plugin
/// exists with the right kind, validates its options against the plugin's schema and checks
/// that agents serve the task type and that some metric plugin provides the metric.
ConfigLoadResult load_config(const std::filesystem::path& config_file, const PluginHost* plugins);

/// load_config on text already read: `config_file` places the workspace and names the file.
/// A UTF-8 byte-order mark at the start is skipped.
ConfigLoadResult parse_config(std::string_view text, const std::filesystem::path& config_file,
                              const PluginHost* plugins);

/// True for keys that hold secrets, which config.json must not: the last word of the key
/// (split at '_', '-' and camelCase humps) is key, apikey, token, secret, password or passwd
/// ("api_key", "apiKey", "kaggleKey", "accessToken"; not "api_key_env" or "max_tokens").
bool is_secret_key(std::string_view key);

/// load_config, throwing ConfigError listing every error when there is any; warnings go to
/// stderr.
Config load_config_or_throw(const std::filesystem::path& config_file, const PluginHost* plugins);

/// The workspace layout for a loaded config (docs/architecture.md "A campaign's workspace").
WorkspacePaths workspace_paths(const Config& config);

}  // namespace autokaggle
