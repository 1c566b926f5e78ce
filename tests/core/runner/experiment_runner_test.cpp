// The host side with the local runner and real Python: the script contract, outcome rules, the
// fold-1 kill gate, cancellation, resume after a killed host, a real experiment on the Pima
// data verified by the metric engine, and the Python environment checks.
#define BOOST_TEST_MODULE experiment_runner
#include "runner/experiment_runner.hpp"
#include "runner/python_env.hpp"

#include "local_runner.hpp"
#include "metrics/npy.hpp"
#include "metrics/verify.hpp"
#include "support/runner_scripts.hpp"
#include "standard_metrics.hpp"
#include "support/host_double.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>

#include <csignal>
#include <cstdlib>
#include <sstream>

using namespace autokaggle;
using namespace autokaggle::test;

namespace {

/// A workspace with rounds/ and data/, a local runner and an ExperimentRunner over them.
struct Workspace {
    TempDir dir{"runner-experiment"};
    CompetitionInfo competition;
    local_runner::LocalRunner runner;
    std::vector<std::pair<std::string, bool>> records;  ///< (label, set?) in call order
    bool cancel = false;
    std::function<bool()> cancel_when;

    explicit Workspace(local_runner::Options options = quick()) : runner(options) {
        fs::create_directories(dir / "rounds");
        fs::create_directories(dir / "data");
        competition = binary_competition("synthetic", dir / "data");
        competition.seed = 7;
    }

    static local_runner::Options quick() {
        local_runner::Options o;
        o.timeout_s = 120;
        o.kill_grace_s = 1;
        o.sandbox = local_runner::Options::Sandbox::off;  // scripts report host pids
        return o;
    }

    ExperimentRunner make(KillGateConfig gate = {},
                          std::function<metrics::FoldScores(const fs::path&)> score_oof = nullptr,
                          fs::path folds_file = {}) {
        ExperimentRunner::Settings settings;
        settings.rounds_dir = dir / "rounds";
        settings.poll_interval_s = 0.2;
        settings.folds_file = std::move(folds_file);
        ExperimentRunner::Hooks hooks;
        hooks.score_oof = std::move(score_oof);
        hooks.persist_record = [this](const std::string& label, const boost::json::object* record) {
            records.emplace_back(label, record != nullptr);
        };
        hooks.cancel_requested = [this] { return cancel_when ? cancel_when() : cancel; };
        return ExperimentRunner(runner, competition, gate, settings, hooks);
    }

    /// rounds/R{NN}_experiment.py from the scripted experiment with these settings.
    ExperimentRequest scripted(int round, const std::string& settings) {
        std::string body = read_text(source_dir() / "tests/core/runner/fixture/scripted_experiment.py");
        auto script = dir / "rounds" / (ExperimentRunner::round_tag(round) + "_experiment.py");
        write_text(script, settings + "\n" + body);
        return ExperimentRequest{round, fs::path("rounds") / script.filename(), "scripted"};
    }
};

std::string settings(const std::string& folds, const std::string& cv, int sleep_after = 0,
                     const std::string& partial_from = "None", bool write = true) {
    return "FOLD_SCORES = [" + folds + "]\nCV = " + cv + "\nSLEEP_AFTER = " + std::to_string(sleep_after) +
           "\nPARTIAL_FROM = " + partial_from + "\nWRITE_OUTPUTS = " + (write ? "True" : "False") + "\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_contract_run_is_ok_with_folds_cv_outputs_and_the_record_lifecycle) {
    Workspace ws;
    auto runner = ws.make();
    auto result = runner.run(ws.scripted(3, settings("0.81, 0.83, 0.80, 0.82, 0.84", "0.82")));
    BOOST_TEST(to_string(result.status) == "ok", result.message);
    BOOST_TEST(result.claimed_cv.value_or(0) == 0.82);
    BOOST_TEST(result.fold_scores == std::vector<double>({0.81, 0.83, 0.80, 0.82, 0.84}));
    BOOST_TEST(result.log_file == ws.dir / "rounds" / "R03_run.log");
    BOOST_TEST(result.oof_file == ws.dir / "rounds" / "R03_oof.npy");
    BOOST_TEST(result.test_file == ws.dir / "rounds" / "R03_test.npy");
    BOOST_TEST(fs::exists(result.log_file));
    BOOST_TEST(metrics::read_npy(result.oof_file).rows == 100u);
    BOOST_TEST(!fs::exists(ws.dir / "rounds" / "R03_oof_partial.npy"));  // scratch removed
    BOOST_TEST(result.log_tail.find("CV_SCORE=0.82") != std::string::npos);
    BOOST_REQUIRE(ws.records.size() == 2u);
    BOOST_TEST(ws.records[0].first == "R03_experiment");
    BOOST_TEST(ws.records[0].second);   // persisted before waiting
    BOOST_TEST(!ws.records[1].second);  // cleared at the end
}

BOOST_AUTO_TEST_CASE(the_script_receives_the_contract_arguments_and_environment) {
    Workspace ws;
    auto runner = ws.make();
    write_text(ws.dir / "rounds" / "R01_experiment.py",
               "import json, os, sys\n"
               "env = {k: v for k, v in os.environ.items() if k.startswith('AUTOKAGGLE_') or k == 'PYTHONUNBUFFERED'}\n"
               "json.dump({'argv': sys.argv[1:], 'env': env}, open('probe.json', 'w'))\n");
    auto result = runner.run({1, "rounds/R01_experiment.py", "probe"});
    auto probe = boost::json::parse(read_text(ws.dir / "rounds" / "probe.json")).as_object();
    auto rounds = (ws.dir / "rounds").string();
    std::vector<std::string> argv;
    for (const auto& a : probe.at("argv").as_array()) argv.emplace_back(a.as_string());
    std::vector<std::string> expected{"--data-dir",    (ws.dir / "data").string(), "--oof-out",  rounds + "/R01_oof.npy",
                                      "--test-out",    rounds + "/R01_test.npy",   "--oof-partial", rounds + "/R01_oof_partial.npy",
                                      "--folds",       "5",                        "--seed",     "7"};
    BOOST_TEST(argv == expected, boost::test_tools::per_element());
    const auto& env = probe.at("env").as_object();
    BOOST_TEST(env.at("AUTOKAGGLE_ROUND").as_string() == "1");
    BOOST_TEST(env.at("AUTOKAGGLE_METRIC").as_string() == "auc_roc");
    BOOST_TEST(env.at("AUTOKAGGLE_TARGET_COLUMN").as_string() == "target");
    BOOST_TEST(env.at("AUTOKAGGLE_SEED").as_string() == "7");
    BOOST_TEST(!env.contains("AUTOKAGGLE_FOLDS_FILE"));  // no assignment given
    BOOST_TEST(env.at("PYTHONUNBUFFERED").as_string() == "1");
    BOOST_TEST(env.contains("AUTOKAGGLE_RUN_TOKEN"));
    // It exited 0 but broke the contract.
    BOOST_TEST(to_string(result.status) == "crash");

    // With the competition's fold assignment, its two files.
    auto with_folds = ws.make({}, nullptr, ws.dir / "folds" / "KFold-5-seed7-x" / "folds.npy");
    with_folds.run({1, "rounds/R01_experiment.py", "probe"});
    const auto folds_env = boost::json::parse(read_text(ws.dir / "rounds" / "probe.json")).as_object().at("env").as_object();
    BOOST_TEST(folds_env.at("AUTOKAGGLE_FOLDS_FILE").as_string() == (ws.dir / "folds/KFold-5-seed7-x/folds.npy").string());
    BOOST_TEST(folds_env.at("AUTOKAGGLE_FOLDS_FIT_FILE").as_string() == (ws.dir / "folds/KFold-5-seed7-x/fit.npy").string());
}

BOOST_AUTO_TEST_CASE(exit_zero_without_cv_score_is_a_crash_saying_why) {
    Workspace ws;
    auto runner = ws.make();
    auto result = runner.run(ws.scripted(2, settings("0.8, 0.8, 0.8, 0.8, 0.8", "None")));
    BOOST_TEST(to_string(result.status) == "crash");
    BOOST_TEST(result.exit_code.value_or(-1) == 0);
    BOOST_TEST(result.message.find("CV_SCORE") != std::string::npos, result.message);
    BOOST_TEST(!result.claimed_cv.has_value());
    BOOST_TEST(result.fold_scores.size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_script_that_prints_no_score_is_scored_by_the_core) {
    Workspace ws;
    std::vector<std::string> scored;
    auto runner = ws.make({}, [&](const fs::path& oof) {
        scored.push_back(oof.filename().string());
        metrics::FoldScores s;
        s.cv = 0.7;
        s.folds = {0.6, 0.8};
        return s;
    });
    auto result = runner.run(ws.scripted(2, settings("None, None, None, None, None", "None")));
    BOOST_TEST(to_string(result.status) == "ok", result.message);
    BOOST_TEST(scored == std::vector<std::string>({"R02_oof.npy"}));
    BOOST_TEST(!result.claimed_cv.has_value());
    BOOST_TEST(result.fold_scores.empty());  // "FOLD k DONE" claims no score
    BOOST_TEST(result.scored_cv.value_or(0) == 0.7);
    BOOST_TEST(result.scored_fold_scores == std::vector<double>({0.6, 0.8}));

    // An OOF file the core cannot score, and no claim: a crash that says both.
    auto failing = ws.make({}, [](const fs::path& oof) -> metrics::FoldScores {
        throw MetricError(oof.filename().string() + ": row 3 (validated in fold 4) is nan");
    });
    auto crash = failing.run(ws.scripted(3, settings("None, None", "None")));
    BOOST_TEST(to_string(crash.status) == "crash");
    BOOST_TEST(crash.message.find("printed no CV_SCORE=x line and the core could not score R03_oof.npy: R03_oof.npy: "
                                  "row 3 (validated in fold 4) is nan") != std::string::npos, crash.message);
    // A claim stays a claim: the run is ok, verification will judge the claim.
    auto claimed = failing.run(ws.scripted(4, settings("0.8", "0.8")));
    BOOST_TEST(to_string(claimed.status) == "ok", claimed.message);
    BOOST_TEST(!claimed.scored_cv.has_value());
}

BOOST_AUTO_TEST_CASE(the_gate_scores_exactly_the_first_fold_of_the_assignment) {
    Workspace ws;
    // Truth alternates 0/1; the partial OOF predicts rows 0, 5, 10... (i % 5 == 0) perfectly,
    // rows 1, 6, 11... inverted, and leaves the others NaN.
    metrics::TargetEncoding target;
    target.classification = true;
    target.class_names = {"0", "1"};
    std::vector<double> partial(100, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < 100; ++i) {
        target.values.push_back(static_cast<double>(i % 2));
        const double rank = 0.001 * static_cast<double>(i);
        if (i % 5 == 0) partial[i] = i % 2 ? 0.9 - rank : 0.1 + rank;
        if (i % 5 == 1) partial[i] = i % 2 ? 0.1 + rank : 0.9 - rank;
    }
    metrics::write_npy(ws.dir / "partial.npy", metrics::NpyArray::vector(partial));
    auto auc = standard_metrics::make_metric("auc_roc", {});
    BOOST_REQUIRE(auc);
    std::vector<int> fold(100);
    for (std::size_t i = 0; i < 100; ++i) fold[i] = static_cast<int>(i % 5);
    // The first validation fold: rows i % 5 == 0 only, whatever else was predicted.
    BOOST_TEST(partial_oof_scorer(*auc, target, fold)(ws.dir / "partial.npy").value_or(-1) == 1.0);
    // Without the assignment every predicted row counts, the inverted ones too.
    BOOST_TEST(partial_oof_scorer(*auc, target)(ws.dir / "partial.npy").value_or(-1) < 0.9);
    // The first fold is not complete in the file: no recomputed score rather than a guess.
    for (std::size_t i = 0; i < 100; ++i) fold[i] = i < 20 ? 0 : 1 + static_cast<int>(i % 4);
    BOOST_TEST(!partial_oof_scorer(*auc, target, fold)(ws.dir / "partial.npy").has_value());
    // Time series: rows no fold validates come first and are never fold 1.
    for (std::size_t i = 0; i < 100; ++i) fold[i] = i % 5 == 0 ? 0 : metrics::kNotValidated;
    BOOST_TEST(partial_oof_scorer(*auc, target, fold)(ws.dir / "partial.npy").value_or(-1) == 1.0);
}

BOOST_AUTO_TEST_CASE(exit_zero_without_the_prediction_files_is_a_crash_naming_them) {
    Workspace ws;
    auto runner = ws.make();
    auto result = runner.run(ws.scripted(2, settings("0.8", "0.8", 0, "None", /*write*/ false)));
    BOOST_TEST(to_string(result.status) == "crash");
    BOOST_TEST(result.message.find("R02_oof.npy") != std::string::npos, result.message);
    BOOST_TEST(result.message.find("R02_test.npy") != std::string::npos, result.message);
}

BOOST_AUTO_TEST_CASE(a_weak_fold_one_is_killed_with_the_numbers) {
    Workspace ws;
    auto runner = ws.make();
    KillGateContext gate;
    gate.best_cv = 0.80;
    auto started = std::chrono::steady_clock::now();
    auto result = runner.run(ws.scripted(4, settings("0.60, 0.61, 0.62, 0.60, 0.61", "0.61", /*sleep*/ 120)), gate);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(to_string(result.status) == "killed_fold1", result.message);
    BOOST_TEST(result.message.find("0.6") != std::string::npos, result.message);
    BOOST_TEST(result.message.find("0.8") != std::string::npos, result.message);
    BOOST_TEST(result.message.find("25%") != std::string::npos, result.message);
    BOOST_TEST(result.fold_scores == std::vector<double>({0.60}));
    BOOST_TEST(seconds < 30);  // far below the 120 s the script would have slept
    BOOST_TEST(all_gone(wait_for_pids(ws.dir / "rounds" / "pids.txt")));
    BOOST_TEST(!ws.records.back().second);
}

BOOST_AUTO_TEST_CASE(a_fold_one_within_the_margin_runs_to_the_end) {
    Workspace ws;
    auto runner = ws.make();
    KillGateContext gate;
    gate.best_cv = 0.80;
    auto result = runner.run(ws.scripted(5, settings("0.78, 0.79, 0.80, 0.81, 0.82", "0.80")), gate);
    BOOST_TEST(to_string(result.status) == "ok", result.message);
    BOOST_TEST(result.fold_scores.size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_near_copy_of_the_best_model_is_killed_by_oof_correlation) {
    Workspace ws;
    auto runner = ws.make();
    std::vector<double> best(100);
    for (std::size_t i = 0; i < best.size(); ++i) best[i] = static_cast<double>((i * 37) % 100) / 100.0;
    metrics::write_npy(ws.dir / "best_oof.npy", metrics::NpyArray::vector(best));
    KillGateContext gate;
    gate.best_cv = 0.80;
    gate.best_oof = ws.dir / "best_oof.npy";
    // Fold 1 scores a little below the best (within the score margin), and its predictions are
    // the best model's.
    auto result = runner.run(
        ws.scripted(6, settings("0.79, 0.79, 0.79, 0.79, 0.79", "0.79", 120, "'" + (ws.dir / "best_oof.npy").string() + "'")),
        gate);
    BOOST_TEST(to_string(result.status) == "killed_fold1", result.message);
    BOOST_TEST(result.message.find("correlation") != std::string::npos, result.message);
    BOOST_TEST(result.message.find("0.999") != std::string::npos, result.message);
}

BOOST_AUTO_TEST_CASE(the_gate_judges_fold_one_by_its_recomputed_score_not_the_printed_one) {
    Workspace ws;
    auto runner = ws.make();
    // Truth: rows alternate 0/1. The partial OOF (copied from this file) predicts the opposite.
    std::vector<double> inverted(100);
    metrics::TargetEncoding target;
    target.classification = true;
    target.class_names = {"0", "1"};
    for (std::size_t i = 0; i < 100; ++i) {
        target.values.push_back(static_cast<double>(i % 2));
        inverted[i] = i % 2 ? 0.1 + 0.001 * static_cast<double>(i) : 0.9 - 0.001 * static_cast<double>(i);
    }
    metrics::write_npy(ws.dir / "inverted.npy", metrics::NpyArray::vector(inverted));
    auto auc = standard_metrics::make_metric("auc_roc", {});
    BOOST_REQUIRE(auc);
    KillGateContext gate;
    gate.best_cv = 0.80;
    gate.score_fold1 = partial_oof_scorer(*auc, target);
    auto result = runner.run(
        ws.scripted(7, settings("0.99, 0.99, 0.99, 0.99, 0.99", "0.99", 120, "'" + (ws.dir / "inverted.npy").string() + "'")),
        gate);
    BOOST_TEST(to_string(result.status) == "killed_fold1", result.message);
    BOOST_TEST(result.message.find("recomputed") != std::string::npos, result.message);
    BOOST_TEST(result.message.find("fold 1 score 0 ") != std::string::npos, result.message);  // AUC 0 on fold 1
}

BOOST_AUTO_TEST_CASE(a_stopping_campaign_cancels_the_run_and_throws_cancelled) {
    Workspace ws;
    auto runner = ws.make();
    fs::path pids = ws.dir / "rounds" / "pids.txt";
    ws.cancel_when = [&] { return fs::exists(pids); };
    auto request = ws.scripted(8, settings("0.8", "0.8", 120));
    BOOST_CHECK_THROW(runner.run(request), Cancelled);
    BOOST_TEST(all_gone(wait_for_pids(pids)));
    BOOST_TEST(fs::exists(ws.dir / "rounds" / "R08_run.log"));
    BOOST_TEST(!ws.records.back().second);
}

BOOST_AUTO_TEST_CASE(resume_ends_the_leftovers_of_a_killed_host_and_runs_again) {
    Workspace ws;
    write_text(ws.dir / "orphan.py", spawn_child_and_record_pids() + "time.sleep(300)\n");
    auto made = run_process({RUNNER_ORPHAN_MAKER, python().string(), (ws.dir / "orphan.py").string(),
                             ws.dir.path().string(), (ws.dir / "record.json").string()},
                            {}, {}, std::chrono::seconds(30));
    BOOST_TEST(made.signal == SIGKILL);
    auto leftover = wait_for_pids(ws.dir / "pids.txt");
    BOOST_TEST(process_alive(leftover.at(1)));
    auto record = boost::json::parse(read_text(ws.dir / "record.json")).as_object();
    auto runner = ws.make();
    auto result = runner.resume(ws.scripted(9, settings("0.8, 0.8, 0.8, 0.8, 0.8", "0.8")), record);
    BOOST_TEST(all_gone(leftover));
    BOOST_TEST(to_string(result.status) == "ok", result.message);
}

BOOST_AUTO_TEST_CASE(a_real_experiment_on_pima_is_verified_by_the_metric_engine) {
    const fs::path pima = test::competition_dir("pima-diabetes");
    Workspace ws;
    ws.competition.competition = "pima-diabetes";
    ws.competition.target_column = "diabetes";
    ws.competition.seed = 42;
    ws.competition.train_csv = pima / "data" / "train.csv";
    ws.competition.test_csv = pima / "data" / "test.csv";
    ws.competition.sample_submission_csv = pima / "data" / "sample_submission.csv";
    auto auc = standard_metrics::make_metric("auc_roc", {});
    BOOST_REQUIRE(auc);
    auto target = metrics::load_train_target(ws.competition, auc->prediction_kind());
    std::ostringstream progress_out;
    ProgressDisplay progress(progress_out, ProgressDisplay::Mode::plain, 80, std::chrono::seconds(0));
    ExperimentRunner::Settings settings;
    settings.rounds_dir = ws.dir / "rounds";
    ExperimentRunner::Hooks hooks;
    hooks.progress = &progress;
    ExperimentRunner runner(ws.runner, ws.competition, KillGateConfig{}, settings, hooks);
    fs::copy_file(source_dir() / "tests/core/runner/fixture/pima_experiment.py", ws.dir / "rounds" / "R01_experiment.py");
    KillGateContext gate;
    gate.best_cv = 0.70;  // fold 1 of a logistic regression is well above: no kill
    gate.score_fold1 = partial_oof_scorer(*auc, target);
    auto result = runner.run({1, "rounds/R01_experiment.py", "logistic regression"}, gate);

    BOOST_TEST(to_string(result.status) == "ok", result.message << "\n" << result.log_tail);
    BOOST_TEST(result.fold_scores.size() == 5u);
    BOOST_REQUIRE(result.claimed_cv.has_value());
    auto oof = metrics::read_npy(result.oof_file);
    auto test_pred = metrics::read_npy(result.test_file);
    BOOST_TEST(oof.rows == target.rows());
    BOOST_TEST(oof.cols == 1u);
    BOOST_TEST(test_pred.rows == metrics::count_test_rows(ws.competition));
    BOOST_TEST(test_pred.cols == 1u);
    auto verified = metrics::verify_cv(*auc, target, result.oof_file, result.claimed_cv, 1e-9);
    BOOST_TEST(verified.valid, verified.message);
    BOOST_TEST(verified.agree, verified.message);
    BOOST_TEST(verified.recomputed > 0.75);  // a logistic regression on Pima scores about 0.83
    BOOST_TEST(metrics::check_test_predictions(*auc, ws.competition, result.test_file).ok());
    // The progress display followed the folds.
    BOOST_TEST(progress_out.str().find("fold 5/5") != std::string::npos, progress_out.str());
    BOOST_TEST(progress_out.str().find("-> ok CV") != std::string::npos, progress_out.str());
    BOOST_TEST_MESSAGE("pima logistic regression: CV " << *result.claimed_cv << " in " << result.seconds << " s");
}

BOOST_AUTO_TEST_SUITE(python_environment)

/// An interpreter that runs but sees no site packages (python3 -S): numpy and friends missing.
fs::path bare_python(const TempDir& dir) {
    fs::path wrapper = dir / "bin" / "python3";
    write_text(wrapper, "#!/bin/sh\nexec " + python().string() + " -S \"$@\"\n");
    fs::permissions(wrapper, fs::perms::owner_all);
    return wrapper;
}

BOOST_AUTO_TEST_CASE(the_system_interpreter_has_the_scientific_stack) {
    auto check = check_python(python());
    BOOST_TEST(check.ok(), check.report());
    BOOST_TEST(check.runs);
    BOOST_TEST(!check.python_version.empty());
    for (const auto& m : check.modules) BOOST_TEST(m.version.has_value(), m.module << ": " << m.error);
    BOOST_TEST(check.install_command().empty());
}

BOOST_AUTO_TEST_CASE(missing_modules_are_reported_with_debian_packages) {
    TempDir dir("runner-python");
    auto check = check_python(bare_python(dir));
    BOOST_TEST(check.runs);
    BOOST_TEST(!check.ok());
    BOOST_TEST(check.missing(true) == std::vector<std::string>({"numpy", "pandas", "sklearn"}));
    BOOST_TEST(check.install_command() ==
               "sudo apt-get install -y python3-numpy python3-pandas python3-sklearn python3-scipy python3-xgboost");
    BOOST_TEST(check.report().find("MISSING (required)") != std::string::npos, check.report());
    auto absent = check_python("/nonexistent/python3");
    BOOST_TEST(!absent.runs);
    BOOST_TEST(absent.error.find("not found") != std::string::npos, absent.error);
}

BOOST_AUTO_TEST_CASE(resolve_skips_a_bare_python3_on_path_and_says_why) {
    TempDir dir("runner-resolve");
    bare_python(dir);
    std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", ((dir / "bin").string() + ":" + old_path).c_str(), 1);
    PythonChoice choice;
    try {
        choice = resolve_python("");
    } catch (...) {
        ::setenv("PATH", old_path.c_str(), 1);
        throw;
    }
    ::setenv("PATH", old_path.c_str(), 1);
    BOOST_TEST(choice.interpreter == fs::path("/usr/bin/python3"));
    BOOST_REQUIRE(choice.rejected.size() == 1u);
    BOOST_TEST(choice.rejected[0].find("python3 on PATH") != std::string::npos, choice.rejected[0]);
    BOOST_TEST(choice.rejected[0].find("numpy") != std::string::npos, choice.rejected[0]);
    BOOST_TEST(choice.reason.find("/usr/bin/python3") != std::string::npos, choice.reason);
}

BOOST_AUTO_TEST_CASE(a_configured_interpreter_without_the_stack_is_a_config_error_with_the_fix) {
    TempDir dir("runner-configured");
    try {
        resolve_python(bare_python(dir));
        BOOST_FAIL("expected ConfigError");
    } catch (const ConfigError& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("config.json: python") != std::string::npos, what);
        BOOST_TEST(what.find("python3-numpy") != std::string::npos, what);
        BOOST_TEST(what.find("\"python\": \"/usr/bin/python3\"") != std::string::npos, what);
    }
    auto chosen = resolve_python(python());
    BOOST_TEST(chosen.reason.find("configured") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
