// Setting up a workspace from Kaggle: `autokaggle init DIR --competition SLUG --download`.
// Fetches the competition's data (following the redirect to storage without credentials),
// unpacks it into data_dir, and fills config.json from what the API says (metric, deadline,
// daily submission cap) and from the data itself (id and target columns, task type), leaving
// "<PLACEHOLDER>" only where nothing could be inferred.
#pragma once

#include "kaggle/api.hpp"

#include <autokaggle/sdk/metric.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {
class PluginHost;
}

namespace autokaggle::kaggle {

inline constexpr std::string_view placeholder = "<PLACEHOLDER>";

/// A metric name a loaded metric plugin serves, with what the plugin declares about it.
struct MetricMapping {
    std::string metric;     ///< as config.json names it ("map@5" for a plugin providing "map@k")
    std::string direction;  ///< "higher" | "lower"
    PredictionKind prediction = PredictionKind::value;
};

/// Kaggle's evaluationMetric ("Area Under Receiver Operating Characteristic Curve", "RMSE",
/// "MAP@5", "CategorizationAccuracy", ...) mapped to the metric of a loaded plugin that answers
/// to that name (Metric::kaggle_names(), compared ignoring case, spaces and punctuation other
/// than '@'; a plugin providing "map@k" is asked for the k the name carries), or nullopt.
std::optional<MetricMapping> map_evaluation_metric(const PluginHost& plugins, std::string_view kaggle_metric);

/// What the data files say about the task.
struct DataFacts {
    std::string id_column;                 ///< first column of sample_submission.csv
    std::vector<std::string> target_columns;  ///< the sample's other columns that are in train.csv,
                                           ///< else train.csv's columns missing from test.csv
    std::string task_type;                 ///< inferred from the target values; empty when unclear
    std::size_t target_classes = 0;        ///< distinct target values seen (classification)
    std::optional<MetricMapping> metric;   ///< the competition's metric, when a plugin answers to its name
};

/// Reads sample_submission.csv, train.csv and test.csv in `data_dir` (those that exist); the
/// metric's prediction kind tells regression from classification when the values cannot.
DataFacts inspect_data(const std::filesystem::path& data_dir, const std::optional<MetricMapping>& metric);

/// What fill_config changed.
struct FillReport {
    std::vector<std::string> filled;        ///< "metric = auc_roc (Kaggle: 'AUC')"
    std::vector<std::string> placeholders;  ///< "metric: Kaggle names it 'Foo', which no metric maps to"
};

/// Writes the competition's facts into a config.json object: competition, metric,
/// metric_direction, task_type, target_column, id_column, cv_strategy, deadline,
/// max_submissions_per_day, kaggle_username (when given). Keys that cannot be inferred are set
/// to "<PLACEHOLDER>" (competition-specific ones) or left as they are.
FillReport fill_config(boost::json::object& config, const Competition& competition, const DataFacts& data,
                       std::string_view kaggle_username = {});

class Client;

/// What download_competition did, for the CLI to print.
struct DownloadReport {
    std::string credential_source;
    std::vector<std::string> warnings;
    Competition competition;
    std::filesystem::path data_dir;
    std::vector<std::filesystem::path> files;  ///< unpacked
    FillReport config;
};

struct DownloadOptions {
    std::string api_base;  ///< empty: KAGGLE_API_BASE_URL or the real API
    bool keep_zip = false;
    std::function<void(const std::string&)> progress;  ///< one line per step
    /// The metric plugins asked for the competition's metric; nullptr: it is left to fill in.
    const PluginHost* plugins = nullptr;
};

/// The whole `init --download` flow for the workspace whose config.json is `config_file`:
/// find the competition, download and unpack its data into the config's data_dir (default
/// ./data), fill the config and rewrite it atomically. Throws ConfigError (credentials, a
/// broken config.json) or ServiceError (Kaggle refused) with the fix in the message.
DownloadReport download_competition(const std::filesystem::path& config_file, std::string_view slug,
                                    const DownloadOptions& options);
/// Same with a ready client (tests, callers that already built one).
DownloadReport download_competition(const Client& client, const std::filesystem::path& config_file,
                                    std::string_view slug, const DownloadOptions& options);

/// The report as the CLI prints it: files, what was filled, what is left as <PLACEHOLDER> and why,
/// credential warnings, and the next step.
std::string format_report(const DownloadReport& report, const std::filesystem::path& config_file);

/// The outcome of `autokaggle validate`'s credential check.
struct CredentialCheck {
    bool ok = false;
    std::string source;                 ///< which credentials were used (never the secret)
    std::string message;                ///< one line: what happened and, on failure, the fix
    std::vector<std::string> warnings;  ///< e.g. a kaggle.json readable by others
};

/// Finds the credentials and makes one cheap authenticated call (ListCompetitions for
/// `competition`). Never throws.
CredentialCheck check_credentials(std::string_view configured_api_base, std::string_view competition);

}  // namespace autokaggle::kaggle
