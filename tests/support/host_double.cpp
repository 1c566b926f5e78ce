#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <fstream>

namespace autokaggle::test {

WorkspacePaths workspace_layout(const std::filesystem::path& root) {
    WorkspacePaths p;
    p.root = root;
    p.config = root / "config.json";
    p.data = root / "data";
    p.rounds = root / "rounds";
    p.agents = root / "agents";
    p.knowledge = root / "knowledge";
    p.logs = root / "logs";
    p.state = root / "state.json";
    p.results = root / "results.tsv";
    p.experiments = root / "experiments.json";
    p.learnings = root / "LEARNINGS.md";
    return p;
}

CompetitionInfo competition_files(const std::filesystem::path& data_dir, std::string task_type, std::string target_column) {
    CompetitionInfo c;
    c.task_type = std::move(task_type);
    c.target_column = std::move(target_column);
    c.id_column = "id";
    c.train_csv = data_dir / "train.csv";
    c.test_csv = data_dir / "test.csv";
    c.sample_submission_csv = data_dir / "sample_submission.csv";
    return c;
}

CompetitionInfo binary_competition(std::string name, const std::filesystem::path& data_dir) {
    CompetitionInfo c = competition_files(data_dir, "binary_classification");
    c.competition = std::move(name);
    c.metric = "auc_roc";
    c.metric_direction = "higher";
    c.cv_strategy = "StratifiedKFold";
    c.cv_folds = 5;
    c.python = python();
    return c;
}

HostDouble::HostDouble(const std::filesystem::path& root, std::string competition) : paths_(workspace_layout(root)) {
    competition_.competition = std::move(competition);
    competition_.python = "/usr/bin/python3";
}

void HostDouble::log(LogLevel level, std::string_view source, std::string_view message) {
    static constexpr const char* names[] = {"debug", "info", "warn", "error"};
    const std::string line =
        std::string(names[static_cast<int>(level)]) + " " + std::string(source) + ": " + std::string(message);
    std::lock_guard lock(mutex_);
    log_.push_back(line);
    if (!log_file_.empty()) std::ofstream(log_file_, std::ios::app) << line << "\n";
}

void HostDouble::report_usage(std::string_view role, const Usage& usage) {
    std::lock_guard lock(mutex_);
    usage_.emplace_back(std::string(role), usage);
}

LlmProvider& HostDouble::llm(std::string_view configuration_name) {
    if (llm_handler_) return llm_handler_(configuration_name);
    throw ConfigError("no LLM configuration '" + std::string(configuration_name) + "' in this test");
}

void HostDouble::offer_metric(const PluginHost& plugins) {
    on_metric([this, &plugins]() -> const Metric& { return configured_metric_.get(plugins, competition(), config(), *this); });
}

const Metric& HostDouble::metric() {
    if (metric_handler_) return metric_handler_();
    throw ConfigError("no metric in this test (the test offers none through on_metric)");
}

ExperimentResult HostDouble::run_experiment(const ExperimentRequest& request) {
    if (experiment_handler_) return experiment_handler_(request);
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

std::string HostDouble::log_text() const {
    std::string out;
    for (const auto& line : log_lines()) out += line + "\n";
    return out;
}

}  // namespace autokaggle::test
