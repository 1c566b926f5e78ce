// What the host offers to plugins: paths, the competition, logging, usage accounting,
// cancellation, the configured LLM providers and the experiment runner.
//
// Ownership: the host owns the HostServices object and keeps it alive longer than any plugin
// object it created. Thread-safety: every method may be called from any thread.
#pragma once

#include <autokaggle/sdk/abi.hpp>
#include <autokaggle/sdk/tool.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

class LlmProvider;
class Metric;
struct ExperimentRequest;
struct ExperimentResult;

/// The workspace layout (docs/state.md). All paths are absolute; round files are named by
/// round_file() below.
struct WorkspacePaths {
    std::filesystem::path root;         ///< folder holding config.json
    std::filesystem::path config;       ///< root/config.json
    std::filesystem::path data;         ///< data_dir (train.csv, test.csv, sample_submission.csv)
    std::filesystem::path rounds;       ///< root/rounds
    std::filesystem::path agents;       ///< root/agents (agents/<role>/ per agent)
    std::filesystem::path knowledge;    ///< root/knowledge
    std::filesystem::path logs;         ///< root/logs
    std::filesystem::path state;        ///< root/state.json
    std::filesystem::path results;      ///< root/results.tsv
    std::filesystem::path experiments;  ///< root/experiments.json
    std::filesystem::path learnings;    ///< root/LEARNINGS.md
};

/// "R07" for round 7: the tag of every round file (two digits at least, like the seed's names).
inline std::string round_tag(int round) {
    std::string digits = std::to_string(round);
    if (round >= 0 && digits.size() < 2) digits.insert(0, "0");
    return "R" + digits;
}

/// A round's file: rounds/R07_<suffix>, e.g. round_file(paths.rounds, 7, "plan.md").
inline std::filesystem::path round_file(const std::filesystem::path& rounds_dir, int round, std::string_view suffix) {
    return rounds_dir / (round_tag(round) + "_" + std::string(suffix));
}
inline std::filesystem::path round_file(const WorkspacePaths& paths, int round, std::string_view suffix) {
    return round_file(paths.rounds, round, suffix);
}

/// The competition as config.json describes it (already validated by the host).
struct CompetitionInfo {
    std::string competition;        ///< Kaggle slug
    std::string task_type;          ///< binary_classification, multiclass_classification, regression, ...
    std::string metric;             ///< a metric name some loaded metric plugin provides
    std::string metric_direction;   ///< "higher" or "lower"; the metric plugin's unless config.json sets it
    std::string target_column;
    std::string id_column;
    std::string cv_strategy;        ///< KFold, StratifiedKFold, GroupKFold, StratifiedGroupKFold, TimeSeriesSplit
    int cv_folds = 5;
    std::string group_column;       ///< rows sharing a value never straddle folds (GroupKFold, StratifiedGroupKFold)
    std::string time_column;        ///< orders rows in time (TimeSeriesSplit)
    int cv_gap = 0;                 ///< TimeSeriesSplit: rows left out between training and validation
    /// Where the core writes the fold assignment every experiment uses (docs/script-contract.md,
    /// "Folds"): <workspace>/folds. Empty: folds are computed in memory and never written.
    std::filesystem::path folds_dir;
    std::string deadline;           ///< YYYY-MM-DD, empty when none
    int max_submissions_per_day = 5;
    int seed = 42;                  ///< shared by every experiment so OOF rows line up
    std::filesystem::path train_csv, test_csv, sample_submission_csv;
    std::filesystem::path python;   ///< interpreter for experiments
    std::vector<std::filesystem::path> knowledge_files;
    std::optional<std::filesystem::path> best_pipeline_script;
    std::optional<std::filesystem::path> existing_oof_dir;
    int max_rounds = 0;             ///< 0 = no limit
};

enum class LogLevel { debug, info, warn, error };

/// Token and cost accounting, reported by agents after every model call. One meaning for every
/// provider: input_tokens counts the whole prompt, including the tokens written to and read
/// from a prompt cache; the two cache counts show those parts apart (they are included in
/// input_tokens, never added to it).
struct Usage {
    long long input_tokens = 0;                 ///< every prompt token, cached or not
    long long output_tokens = 0;
    long long cache_creation_input_tokens = 0;  ///< part of input_tokens written to the cache
    long long cache_read_input_tokens = 0;      ///< part of input_tokens read from the cache
    double usd = 0.0;

    Usage& operator+=(const Usage& o) {
        input_tokens += o.input_tokens;
        output_tokens += o.output_tokens;
        cache_creation_input_tokens += o.cache_creation_input_tokens;
        cache_read_input_tokens += o.cache_read_input_tokens;
        usd += o.usd;
        return *this;
    }
};

class AUTOKAGGLE_SDK_VISIBLE HostServices {
public:
    virtual ~HostServices() = default;

    virtual const WorkspacePaths& paths() const = 0;
    virtual const CompetitionInfo& competition() const = 0;
    /// The whole config.json as loaded (for keys the structs above do not carry).
    virtual const boost::json::object& config() const = 0;

    /// Written to logs/autokaggle.log and, at info and above, the terminal. Never log secrets.
    virtual void log(LogLevel level, std::string_view source, std::string_view message) = 0;

    /// True once the campaign should stop (signal, budget, deadline). Long work polls it and
    /// throws autokaggle::Cancelled.
    virtual bool cancel_requested() const = 0;

    /// Adds usage to the current round's and the calling role's totals (feeds budgets).
    virtual void report_usage(std::string_view role, const Usage& usage) = 0;

    /// A provider from config.json "llms" by its configuration name; throws ConfigError when
    /// there is none. The host owns it; valid until the host is destroyed.
    virtual LlmProvider& llm(std::string_view configuration_name) = 0;

    /// The competition's metric, created once from config.json's "metric" and "metric_options"
    /// (plugins never create their own). Throws ConfigError when no loaded plugin provides it.
    /// The host owns it; valid until the host is destroyed.
    virtual const Metric& metric() = 0;

    /// Runs an experiment script through the configured runner plugin, with the fold-1 kill
    /// gate, live progress, limits and crash recovery. Blocks until it ends.
    virtual ExperimentResult run_experiment(const ExperimentRequest& request) = 0;

    /// The core's tools `role` may call (core/tools), in the order they are offered; empty when
    /// the host serves none.
    virtual std::vector<ToolSpec> tool_specs(std::string_view role) {
        (void)role;
        return {};
    }
    /// Executes one tool call. The model's mistakes (bad arguments, refused paths, a tool the
    /// role may not call) come back as is_error results; throws autokaggle::Cancelled when the
    /// campaign stops during a long tool.
    virtual ToolResult call_tool(const ToolCallContext& context, const ToolCall& call) {
        (void)context;
        return {call.id, "this host serves no tools", true};
    }
    /// Placeholders the core fills in role prompts beyond the competition's own keys (the
    /// Python packages the interpreter imports, whether a GPU is visible, the Researcher's
    /// sources...): name -> text.
    virtual std::map<std::string, std::string> prompt_values(std::string_view role) {
        (void)role;
        return {};
    }
};

}  // namespace autokaggle
