// A HostServices for driving plugins without an orchestrator: the standard workspace layout
// under one root, a competition and config the test can change, records of every log line and
// usage report, a cancel flag the test sets, and optional llm() / metric() / run_experiment()
// callbacks (without them each throws, naming what the test did not offer).
#pragma once

#include "base/configured_metric.hpp"

#include <autokaggle/sdk/host.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autokaggle::test {

/// The workspace layout (docs/architecture.md "A campaign's workspace") under `root`; creates nothing.
WorkspacePaths workspace_layout(const std::filesystem::path& root);

/// A competition of `task_type` whose train.csv, test.csv and sample_submission.csv are in
/// `data_dir`, with columns `target_column` and "id"; nothing else is filled in.
CompetitionInfo competition_files(const std::filesystem::path& data_dir, std::string task_type,
                                  std::string target_column = "target");

/// A binary-classification competition (auc_roc, higher, target/id, StratifiedKFold, 5 folds)
/// named `name`, its CSVs in `data_dir`, run with test::python().
CompetitionInfo binary_competition(std::string name, const std::filesystem::path& data_dir);

class HostDouble : public HostServices {
public:
    using LlmHandler = std::function<LlmProvider&(std::string_view configuration_name)>;
    using ExperimentHandler = std::function<ExperimentResult(const ExperimentRequest&)>;
    using MetricHandler = std::function<const Metric&()>;

    /// Paths laid out under `root` (nothing created); the competition names only `competition`
    /// and /usr/bin/python3 until the test fills in more through mutable_competition().
    explicit HostDouble(const std::filesystem::path& root, std::string competition = "test-competition");

    const WorkspacePaths& paths() const override { return paths_; }
    const CompetitionInfo& competition() const override { return competition_; }
    const boost::json::object& config() const override { return config_; }
    /// Records "<level> <source>: <message>" (level as debug/info/warn/error).
    void log(LogLevel level, std::string_view source, std::string_view message) override;
    bool cancel_requested() const override { return cancel_.load(); }
    void report_usage(std::string_view role, const Usage& usage) override;
    LlmProvider& llm(std::string_view configuration_name) override;
    const Metric& metric() override;
    ExperimentResult run_experiment(const ExperimentRequest& request) override;

    WorkspacePaths& mutable_paths() { return paths_; }
    CompetitionInfo& mutable_competition() { return competition_; }
    boost::json::object& mutable_config() { return config_; }
    void request_cancel() { cancel_ = true; }
    void on_llm(LlmHandler handler) { llm_handler_ = std::move(handler); }
    void on_experiment(ExperimentHandler handler) { experiment_handler_ = std::move(handler); }
    void on_metric(MetricHandler handler) { metric_handler_ = std::move(handler); }
    /// metric() then creates the competition's metric from `plugins` (which must outlive this
    /// host) with config()'s metric_options, once, as the campaign's host does.
    void offer_metric(const PluginHost& plugins);
    /// Also appends every log line to this file (e.g. logs/autokaggle.log, for leak checks).
    void mirror_log_to(std::filesystem::path file) { log_file_ = std::move(file); }

    /// Sum of every usage reported for `role` ("" = all roles), and how many reports there were.
    Usage usage_of(const std::string& role, int* reports = nullptr) const;
    std::vector<std::string> log_lines() const;
    /// The log lines joined, one per line.
    std::string log_text() const;

private:
    WorkspacePaths paths_;
    CompetitionInfo competition_;
    boost::json::object config_;
    std::atomic<bool> cancel_{false};
    LlmHandler llm_handler_;
    ExperimentHandler experiment_handler_;
    MetricHandler metric_handler_;
    ConfiguredMetric configured_metric_;
    std::filesystem::path log_file_;
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, Usage>> usage_;
    std::vector<std::string> log_;
};

}  // namespace autokaggle::test
