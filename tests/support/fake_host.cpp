#include "support/fake_host.hpp"

#include "base/plugin_host.hpp"
#include "metrics/folds.hpp"
#include "metrics/npy.hpp"
#include "metrics/verify.hpp"
#include "runner/run_scores.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

namespace autokaggle::test {

CompetitionSpec pima() { return {"pima-diabetes", "binary_classification", "auc_roc", "higher", "diabetes"}; }
CompetitionSpec vehicle() { return {"vehicle", "multiclass_classification", "logloss", "lower", "Class"}; }
CompetitionSpec boston() { return {"boston-housing", "regression", "rmse", "lower", "cmedv"}; }

FakeHost::FakeHost(const fs::path& root, const CompetitionSpec& spec, int max_rounds)
    : HostDouble(root, spec.name), plugins_({plugin_dir()}) {
    const auto source = competition_dir(spec.name);
    fs::create_directories(root / "data");
    for (const char* f : {"train.csv", "test.csv", "sample_submission.csv"})
        fs::copy_file(source / "data" / f, root / "data" / f, fs::copy_options::overwrite_existing);
    fs::create_directories(held_out());
    fs::copy_file(source / "answers.csv", held_out() / "answers.csv", fs::copy_options::overwrite_existing);
    fs::permissions(held_out() / "answers.csv", fs::perms::owner_write, fs::perm_options::add);
    for (const auto& d : {paths().rounds, paths().agents, paths().logs}) fs::create_directories(d);
    CompetitionInfo& c = mutable_competition();
    c.task_type = spec.task_type;
    c.metric = spec.metric;
    c.metric_direction = spec.direction;
    c.target_column = spec.target;
    c.id_column = "id";
    c.cv_strategy = spec.task_type == "regression" ? "KFold" : "StratifiedKFold";
    c.cv_folds = 5;
    c.seed = 42;
    c.train_csv = root / "data" / "train.csv";
    c.test_csv = root / "data" / "test.csv";
    c.sample_submission_csv = root / "data" / "sample_submission.csv";
    c.python = python();
    c.max_rounds = max_rounds;
    c.folds_dir = root / "folds";
    mutable_config()["competition"] = spec.name;
    offer_metric(plugins_);
}

FakeHost::~FakeHost() {
    std::error_code ec;
    fs::remove_all(held_out(), ec);
}

fs::path FakeHost::held_out() const {
    return paths().root.parent_path() / (paths().root.filename().string() + "-heldout");
}

ExperimentResult FakeHost::run_experiment(const ExperimentRequest& request) {
    char tag[16];
    std::snprintf(tag, sizeof tag, "R%02d", request.round);
    ExperimentResult result;
    result.oof_file = paths().rounds / (std::string(tag) + "_oof.npy");
    result.test_file = paths().rounds / (std::string(tag) + "_test.npy");
    result.log_file = paths().rounds / (std::string(tag) + "_run.log");
    for (const auto& f : {result.oof_file, result.test_file}) fs::remove(f);
    std::vector<std::string> argv{python().string(), request.script.string(), "--data-dir", paths().data.string(),
                                  "--oof-out", result.oof_file.string(), "--test-out", result.test_file.string(),
                                  "--oof-partial", (paths().rounds / (std::string(tag) + "_oof_partial.npy")).string(),
                                  "--folds", "5", "--seed", "42"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    const fs::path folds = metrics::ensure_folds(competition());
    const auto run = run_process(argv, paths().rounds,
                                 {{"AUTOKAGGLE_FOLDS_FILE", folds.string()},
                                  {"AUTOKAGGLE_FOLDS_FIT_FILE", metrics::fit_file_of(folds).string()}},
                                 std::chrono::seconds(900));
    write_text(result.log_file, run.out + run.err);
    result.exit_code = run.exit_code;
    result.log_tail = run.err.size() > 2000 ? run.err.substr(run.err.size() - 2000) : run.err;
    std::istringstream in(run.out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("CV_SCORE=", 0) == 0) result.claimed_cv = std::stod(line.substr(9));
        auto pos = line.find("SCORE=");
        if (line.rfind("FOLD ", 0) == 0 && pos != std::string::npos) result.fold_scores.push_back(std::stod(line.substr(pos + 6)));
        if (line.rfind("FOLD ", 0) == 0) ++folds_reported;
    }
    // As the core: the OOF file scored over the competition's folds by the metric plugin.
    if (run.exit_code == 0 && fs::exists(result.oof_file) && fs::exists(result.test_file)) {
        try {
            const Metric& scoring = metric();
            const auto target = metrics::load_train_target(competition(), scoring.prediction_kind());
            const auto scores = metrics::score_folds(scoring, target, metrics::load_folds(competition()),
                                                     metrics::read_npy(result.oof_file), result.oof_file.string());
            result.scored_cv = scores.cv;
            result.scored_fold_scores = scores.folds;
        } catch (const std::exception& e) {
            result.message = e.what();
        }
    }
    const auto cv_value = result.claimed_cv ? result.claimed_cv : result.scored_cv;
    result.status = run.exit_code == 0 && cv_value ? RunStatus::ok : RunStatus::crash;
    if (result.status != RunStatus::ok) result.message += " exit " + std::to_string(run.exit_code) + ": " + result.log_tail;
    write_run_scores(paths().rounds / (std::string(tag) + "_scores.json"), request.round, competition().metric, result);
    char cv[64] = "crash";
    if (cv_value) std::snprintf(cv, sizeof cv, "%.6f", *cv_value);
    record_result(paths().results, request.round, cv, result.status == RunStatus::ok ? "ok" : "crash", request.description);
    return result;
}

void record_result(const fs::path& results, int round, const std::string& cv, const std::string& status,
                   const std::string& description) {
    std::map<int, std::string> rows;
    std::istringstream in(fs::exists(results) ? read_text(results) : std::string());
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (header) {
            header = false;
            continue;
        }
        if (!line.empty()) rows[std::stoi(line.substr(0, line.find('\t')))] = line;
    }
    rows[round] = std::to_string(round) + "\trounds/R" + (round < 10 ? "0" : "") + std::to_string(round) +
                  "_experiment.py\t" + cv + "\t\t" + status + "\tno\t2026-01-01T00:00:00Z\t" + description;
    std::string out = "round\tscript\tcv_score\tlb\tstatus\tsubmitted\ttimestamp\tdescription\n";
    for (const auto& [r, l] : rows) out += l + "\n";
    write_text(results, out);
}

}  // namespace autokaggle::test
