// Honest CV on grouped data: hospital visits of patients (grouped/, made by
// make_data.py), held-out answers for patients never seen in training. A real random forest in
// Python, fitted and validated on the core's folds, scored by the core: GroupKFold's CV lands
// near the held-out score, shuffled KFold's is clearly optimistic. And the core's
// KFold, StratifiedKFold and TimeSeriesSplit against scikit-learn's on the same rows.
#include "support/metric_checks.hpp"

#include "metrics/csv.hpp"
#include "metrics/folds.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"
#include "metrics/verify.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <cmath>

using namespace autokaggle::metrics;
using autokaggle::test::TempDir;
namespace fs = std::filesystem;
using metrics_test::metric;

namespace {

const fs::path& grouped_dir() {
    static const fs::path dir = autokaggle::test::source_dir() / "tests" / "core" / "metrics" / "grouped";
    return dir;
}

struct Outcome {
    double cv = 0, held_out = 0;
    std::vector<double> folds;
};

/// The core's folds for `strategy`, the experiment script run on them, its CV scored by the core
/// and its test predictions scored on the held-out answers.
Outcome run_with(const std::string& strategy) {
    TempDir dir("grouped-cv");
    autokaggle::CompetitionInfo c =
        autokaggle::test::competition_files(grouped_dir() / "data", "binary_classification", "readmitted");
    c.cv_strategy = strategy;
    c.cv_folds = 5;
    c.seed = 42;
    c.group_column = "patient_id";
    c.folds_dir = dir / "folds";
    const fs::path folds = ensure_folds(c);
    const fs::path oof = dir / "oof.npy", test = dir / "test.npy";
    const auto run = autokaggle::test::run_process(
        {autokaggle::test::python().string(), (grouped_dir() / "experiment.py").string(), "--data-dir",
         (grouped_dir() / "data").string(), "--oof-out", oof.string(), "--test-out", test.string(), "--folds", "5"},
        dir.path(), {{"AUTOKAGGLE_FOLDS_FILE", folds.string()}, {"AUTOKAGGLE_FOLDS_FIT_FILE", fit_file_of(folds).string()}},
        std::chrono::seconds(600));
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.out + run.err);
    BOOST_TEST(run.out.find("FOLD 5 DONE") != std::string::npos);

    const auto auc = metric("auc_roc");
    const TargetEncoding target = load_train_target(c, auc->prediction_kind());
    const FoldScores scores = score_folds(*auc, target, load_folds(c), read_npy(oof), "oof.npy");
    const CsvTable answers = read_csv(grouped_dir() / "answers.csv", {"readmitted"});
    const std::vector<double> truth = encode_labels(answers, "readmitted", target.class_names);
    return {scores.cv, score_predictions(*auc, target, truth, read_npy(test), "test.npy"), scores.folds};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(honest_cv)

BOOST_AUTO_TEST_CASE(the_committed_data_is_what_the_generator_makes) {
    TempDir dir("grouped-data");
    const auto run = autokaggle::test::run_process(
        {autokaggle::test::python().string(), (grouped_dir() / "make_data.py").string(), dir.path().string()});
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    for (const char* file : {"data/train.csv", "data/test.csv", "data/sample_submission.csv", "answers.csv"})
        BOOST_TEST(autokaggle::test::read_text(dir / file) == autokaggle::test::read_text(grouped_dir() / file), file);
}

BOOST_AUTO_TEST_CASE(group_kfold_cv_is_close_to_the_held_out_score_shuffled_kfold_is_optimistic) {
    const Outcome grouped = run_with("GroupKFold");
    const Outcome shuffled = run_with("KFold");
    BOOST_TEST_MESSAGE("GroupKFold CV " << grouped.cv << " held-out " << grouped.held_out << "; KFold CV " << shuffled.cv
                                        << " held-out " << shuffled.held_out);
    BOOST_TEST(grouped.folds.size() == 5u);
    BOOST_TEST(std::fabs(grouped.cv - grouped.held_out) < 0.04);
    BOOST_TEST(shuffled.cv - shuffled.held_out > 0.06);  // patients leak between training and validation
    BOOST_TEST(shuffled.cv - grouped.cv > 0.06);
}

BOOST_AUTO_TEST_CASE(kfold_and_stratified_kfold_are_scikit_learns_row_for_row) {
    // 103 rows, three string classes in unequal shares and scrambled order, seed 42 and 7.
    TempDir dir("sklearn-folds");
    std::string train = "id,label\n";
    for (int i = 0; i < 103; ++i) {
        const int h = (i * 7919) % 1000;
        train += std::to_string(i) + "," + (h < 500 ? "b" : h < 800 ? "c" : "a") + "\n";
    }
    autokaggle::test::write_text(dir / "train.csv", train);
    const char* reference = R"PY(
import sys
import numpy as np, pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold
y = pd.read_csv(sys.argv[1])["label"].values
for seed in (42, 7):
    for splitter in (KFold(5, shuffle=True, random_state=seed), StratifiedKFold(5, shuffle=True, random_state=seed)):
        fold = np.empty(len(y), dtype=int)
        for k, (_, valid) in enumerate(splitter.split(np.zeros(len(y)), y)):
            fold[valid] = k
        print(" ".join(map(str, fold)))
)PY";
    autokaggle::test::write_text(dir / "reference.py", reference);
    const auto run = autokaggle::test::run_process(
        {autokaggle::test::python().string(), (dir / "reference.py").string(), (dir / "train.csv").string()});
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    autokaggle::CompetitionInfo c = autokaggle::test::competition_files(dir.path(), "multiclass_classification", "label");
    c.cv_folds = 5;
    std::string ours;
    for (int seed : {42, 7}) {
        c.seed = seed;
        for (const char* strategy : {"KFold", "StratifiedKFold"}) {
            c.cv_strategy = strategy;
            std::string line;
            for (int f : make_folds(c).fold) line += (line.empty() ? "" : " ") + std::to_string(f);
            ours += line + "\n";
        }
    }
    BOOST_TEST(run.out == ours);
}

BOOST_AUTO_TEST_CASE(time_series_split_matches_scikit_learn_on_the_same_rows) {
    // 47 rows, 4 folds, gap 3, the time column out of file order.
    TempDir dir("time-folds");
    std::string train = "id,day,y\n";
    for (int i = 0; i < 47; ++i) train += std::to_string(i) + "," + std::to_string((i * 19) % 47) + "," + std::to_string(i % 2) + "\n";
    autokaggle::test::write_text(dir / "train.csv", train);
    autokaggle::CompetitionInfo c = autokaggle::test::competition_files(dir.path(), "regression", "y");
    c.cv_strategy = "TimeSeriesSplit";
    c.cv_folds = 4;
    c.cv_gap = 3;
    c.time_column = "day";
    const FoldAssignment a = make_folds(c);
    const char* reference = R"PY(
import sys
import numpy as np, pandas as pd
from sklearn.model_selection import TimeSeriesSplit
day = pd.read_csv(sys.argv[1])["day"].values
order = np.argsort(day, kind="stable")
for fit, valid in TimeSeriesSplit(n_splits=4, gap=3).split(order):
    print(" ".join(map(str, sorted(order[fit]))) + "|" + " ".join(map(str, sorted(order[valid]))))
)PY";
    autokaggle::test::write_text(dir / "reference.py", reference);
    const auto run = autokaggle::test::run_process(
        {autokaggle::test::python().string(), (dir / "reference.py").string(), (dir / "train.csv").string()});
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    std::string expected;
    for (int k = 0; k < 4; ++k) {
        std::string fit, valid;
        for (std::size_t r = 0; r < a.rows(); ++r) {
            if (a.fits(r, k)) fit += (fit.empty() ? "" : " ") + std::to_string(r);
            if (a.fold[r] == k) valid += (valid.empty() ? "" : " ") + std::to_string(r);
        }
        expected += fit + "|" + valid + "\n";
    }
    BOOST_TEST(run.out == expected);
}

BOOST_AUTO_TEST_SUITE_END()
