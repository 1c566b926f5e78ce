#include "host_double.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/runner.hpp>

namespace autokaggle::test {

HostDouble::HostDouble(const std::filesystem::path& root) {
    paths_.root = root;
    paths_.config = root / "config.json";
    paths_.data = root / "data";
    paths_.rounds = root / "rounds";
    paths_.agents = root / "agents";
    paths_.knowledge = root / "knowledge";
    paths_.logs = root / "logs";
    paths_.state = root / "state.json";
    paths_.results = root / "results.tsv";
    paths_.experiments = root / "experiments.json";
    paths_.learnings = root / "LEARNINGS.md";
    competition_.competition = "playground-test";
    competition_.task_type = "binary_classification";
    competition_.metric = "auc_roc";
    competition_.metric_direction = "higher";
    competition_.target_column = "target";
    competition_.id_column = "id";
    competition_.cv_strategy = "StratifiedKFold";
    competition_.cv_folds = 5;
    competition_.train_csv = paths_.data / "train.csv";
    competition_.test_csv = paths_.data / "test.csv";
    competition_.sample_submission_csv = paths_.data / "sample_submission.csv";
    competition_.python = "/usr/bin/python3";
}

void HostDouble::log(LogLevel level, std::string_view source, std::string_view message) {
    static constexpr const char* names[] = {"debug", "info", "warn", "error"};
    std::lock_guard lock(mutex_);
    log_.push_back(std::string(names[static_cast<int>(level)]) + " " + std::string(source) + ": " +
                   std::string(message));
}

void HostDouble::report_usage(std::string_view role, const Usage& usage) {
    std::lock_guard lock(mutex_);
    usage_.emplace_back(std::string(role), usage);
}

LlmProvider& HostDouble::llm(std::string_view name) {
    throw ConfigError("no LLM configuration '" + std::string(name) + "' in this test");
}

ExperimentResult HostDouble::run_experiment(const ExperimentRequest&) {
    throw Error("run_experiment is not offered by this test host");
}

Usage HostDouble::usage_of(const std::string& role, int* reports) const {
    std::lock_guard lock(mutex_);
    Usage sum;
    int n = 0;
    for (const auto& [r, u] : usage_)
        if (role.empty() || r == role) {
            sum += u;
            ++n;
        }
    if (reports) *reports = n;
    return sum;
}

std::vector<std::string> HostDouble::log_lines() const {
    std::lock_guard lock(mutex_);
    return log_;
}

}  // namespace autokaggle::test
