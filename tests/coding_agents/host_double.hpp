// A HostServices for driving agent plugins without an orchestrator: a real workspace folder,
// a fixed competition, and records of every log line and usage report.
#pragma once

#include <autokaggle/sdk/host.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace autokaggle::test {

class HostDouble final : public HostServices {
public:
    explicit HostDouble(const std::filesystem::path& workspace);

    const WorkspacePaths& paths() const override { return paths_; }
    const CompetitionInfo& competition() const override { return competition_; }
    const boost::json::object& config() const override { return config_; }
    void log(LogLevel level, std::string_view source, std::string_view message) override;
    bool cancel_requested() const override { return cancel_.load(); }
    void report_usage(std::string_view role, const Usage& usage) override;
    LlmProvider& llm(std::string_view name) override;
    ExperimentResult run_experiment(const ExperimentRequest& request) override;

    void request_cancel() { cancel_ = true; }
    /// Sum of every usage reported for `role` ("" = all roles), and how many reports there were.
    Usage usage_of(const std::string& role, int* reports = nullptr) const;
    std::vector<std::string> log_lines() const;

private:
    WorkspacePaths paths_;
    CompetitionInfo competition_;
    boost::json::object config_;
    std::atomic<bool> cancel_{false};
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, Usage>> usage_;
    std::vector<std::string> log_;
};

}  // namespace autokaggle::test
