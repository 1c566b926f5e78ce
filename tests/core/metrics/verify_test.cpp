// Target encoding, CV verification, test-prediction checks, submissions.
#include "support/metric_checks.hpp"

#include "metrics/verify.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

using namespace autokaggle::metrics;
using autokaggle::test::TempDir;
using autokaggle::test::write_text;
using metrics_test::metric;
using metrics_test::require_error;

namespace {

/// AUC by counting pairs, O(n^2): an independent reference for small data.
double auc_by_pairs(const std::vector<double>& y, const std::vector<double>& p) {
    double good = 0, pairs = 0;
    for (std::size_t i = 0; i < y.size(); ++i)
        for (std::size_t j = 0; j < y.size(); ++j)
            if (y[i] == 1 && y[j] == 0) {
                pairs += 1;
                good += p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0;
            }
    return good / pairs;
}

/// A small binary competition with string labels.
struct BinaryWorkspace {
    TempDir dir;
    autokaggle::CompetitionInfo info;
    std::vector<double> labels = {0, 1, 1, 0, 1, 0, 0, 1};  // "no" = 0, "yes" = 1 (sorted order)
    BinaryWorkspace() {
        std::string train = "id,f,target\n";
        for (std::size_t i = 0; i < labels.size(); ++i)
            train += std::to_string(i) + "," + std::to_string(i * 3 % 5) + "," + (labels[i] == 1 ? "yes" : "no") + "\n";
        write_text(dir / "train.csv", train);
        write_text(dir / "test.csv", "id,f\n100,1\n101,2\n102,3\n");
        write_text(dir / "sample_submission.csv", "id,target\n100,0.5\n101,0.5\n102,0.5\n");
        info = autokaggle::test::competition_files(dir.path(), "binary_classification");
        info.metric = "auc_roc";
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(target_encoding)

BOOST_AUTO_TEST_CASE(classes_are_sorted_numerically_or_lexicographically) {
    CsvTable numeric = parse_csv("y\n10\n9\n2\n9\n", "train.csv");
    auto t = encode_target(numeric, "y", TargetKind::classification);
    BOOST_TEST(t.class_names == std::vector<std::string>({"2", "9", "10"}));
    BOOST_TEST(t.values == std::vector<double>({2, 1, 0, 1}));
    CsvTable text = parse_csv("y\nbeta\nAlpha\nalpha\n", "train.csv");
    auto s = encode_target(text, "y", TargetKind::classification);
    BOOST_TEST(s.class_names == std::vector<std::string>({"Alpha", "alpha", "beta"}));
    BOOST_TEST(s.values == std::vector<double>({2, 0, 1}));
    // "1.0" is the class "1"
    CsvTable other = parse_csv("y\n1.0\n0\n", "valid.csv");
    BOOST_TEST(encode_labels(other, "y", {"0", "1"}) == std::vector<double>({1, 0}));
}

BOOST_AUTO_TEST_CASE(unknown_labels_and_bad_targets_are_errors) {
    CsvTable t = parse_csv("y\ncat\nbird\n", "valid.csv");
    require_error([&] { encode_labels(t, "y", {"cat", "dog"}); }, {"valid.csv line 3, column 'y'", "'bird'", "not one of the training classes"});
    CsvTable one = parse_csv("y\na\na\n", "train.csv");
    require_error([&] { encode_target(one, "y", TargetKind::classification); }, {"train.csv", "1 distinct label", "at least 2"});
    CsvTable reg = parse_csv("y\n1.5\nnan\n", "train.csv");
    require_error([&] { encode_target(reg, "y", TargetKind::regression); }, {"train.csv line 3", "not finite"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(verification)

BOOST_AUTO_TEST_CASE(recomputed_cv_agrees_or_mismatches) {
    BinaryWorkspace w;
    auto auc = metric("auc_roc");
    std::vector<double> oof = {0.2, 0.7, 0.4, 0.4, 0.9, 0.1, 0.5, 0.3};
    write_npy(w.dir / "R01_oof.npy", NpyArray::vector(oof));
    const double reference = auc_by_pairs(w.labels, oof);

    auto ok = verify_cv(*auc, w.info, w.dir / "R01_oof.npy", reference, 1e-6);
    BOOST_TEST(ok.valid);
    BOOST_TEST(ok.agree);
    BOOST_TEST(std::fabs(ok.recomputed - reference) < 1e-12);

    auto off = verify_cv(*auc, w.info, w.dir / "R01_oof.npy", reference + 0.01, 1e-6);
    BOOST_TEST(off.valid);
    BOOST_TEST(!off.agree);
    BOOST_TEST(off.message.find("MISMATCH") != std::string::npos);
    BOOST_TEST(std::fabs(off.recomputed - reference) < 1e-12);

    auto loose = verify_cv(*auc, w.info, w.dir / "R01_oof.npy", reference + 0.01, 0.05);
    BOOST_TEST(loose.agree);
}

BOOST_AUTO_TEST_CASE(a_claim_matches_at_its_printed_precision) {
    BOOST_TEST(printed_precision_tolerance("0.8123", 1e-6) == 0.5e-4, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(printed_precision_tolerance("8.123e-01", 1e-6) == 0.5e-4, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(printed_precision_tolerance("1234.5", 1e-6) == 0.05, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(printed_precision_tolerance("0.812345678", 1e-6) == 1e-6);  // finer than the configured tolerance
    BOOST_TEST(printed_precision_tolerance("0.81", 1e-6) == 1e-6);         // too few digits to mean anything
    BOOST_TEST(printed_precision_tolerance("1", 1e-6) == 1e-6);
    BOOST_TEST(printed_precision_tolerance("crash", 1e-6) == 1e-6);

    BinaryWorkspace w;
    auto logloss = metric("logloss");  // a score with many decimals
    std::vector<double> oof = {0.2, 0.7, 0.4, 0.45, 0.9, 0.1, 0.5, 0.3};
    write_npy(w.dir / "R01_oof.npy", NpyArray::vector(oof));
    const double reference = verify_cv(*logloss, w.info, w.dir / "R01_oof.npy", std::nullopt, 1e-6).recomputed;
    char printed[32];
    std::snprintf(printed, sizeof printed, "%.4f", reference);  // what `print(f"{cv:.4f}")` shows
    const double claimed = std::stod(printed);
    BOOST_REQUIRE(std::fabs(claimed - reference) > 1e-6);
    BOOST_TEST(verify_cv(*logloss, w.info, w.dir / "R01_oof.npy", claimed, printed_precision_tolerance(printed, 1e-6)).agree);
    BOOST_TEST(!verify_cv(*logloss, w.info, w.dir / "R01_oof.npy", claimed, 1e-6).agree);  // without it: rejected
    std::snprintf(printed, sizeof printed, "%.4f", reference + 0.0002);  // a different number
    BOOST_TEST(!verify_cv(*logloss, w.info, w.dir / "R01_oof.npy", std::stod(printed),
                          printed_precision_tolerance(printed, 1e-6)).agree);
}

BOOST_AUTO_TEST_CASE(bad_oof_files_are_invalid_with_a_reason) {
    BinaryWorkspace w;
    auto auc = metric("auc_roc");
    write_npy(w.dir / "short_oof.npy", NpyArray::vector({0.1, 0.2}));
    auto s = verify_cv(*auc, w.info, w.dir / "short_oof.npy", 0.5, 1e-6);
    BOOST_TEST(!s.valid);
    BOOST_TEST(s.message.find("short_oof.npy") != std::string::npos);
    BOOST_TEST(s.message.find("expected 8") != std::string::npos);

    write_npy(w.dir / "nan_oof.npy", NpyArray::vector({0.1, 0.2, 0.3, std::nan(""), 0.5, 0.6, 0.7, 0.8}));
    auto n = verify_cv(*auc, w.info, w.dir / "nan_oof.npy", 0.5, 1e-6);
    BOOST_TEST(!n.valid);
    BOOST_TEST(n.message.find("row 3") != std::string::npos);

    write_npy(w.dir / "wide_oof.npy", NpyArray::matrix(std::vector<double>(16, 0.5), 8, 2));
    auto c = verify_cv(*auc, w.info, w.dir / "wide_oof.npy", 0.5, 1e-6);
    BOOST_TEST(!c.valid);
    BOOST_TEST(c.message.find("expected 1 column, the probability of class 'yes'") != std::string::npos);

    auto missing = verify_cv(*auc, w.info, w.dir / "R07_oof.npy", 0.5, 1e-6);
    BOOST_TEST(!missing.valid);
    BOOST_TEST(missing.message.find("R07_oof.npy") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(test_predictions_are_checked_against_test_csv) {
    BinaryWorkspace w;
    auto auc = metric("auc_roc");
    write_npy(w.dir / "R01_test.npy", NpyArray::vector({0.1, 0.5, 0.9}));
    BOOST_TEST(check_test_predictions(*auc, w.info, w.dir / "R01_test.npy").ok());
    write_npy(w.dir / "R02_test.npy", NpyArray::vector({0.1, 0.5}));
    auto bad = check_test_predictions(*auc, w.info, w.dir / "R02_test.npy");
    BOOST_TEST(!bad.ok());
    BOOST_TEST(bad.message().find("expected 3") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(submissions)

BOOST_AUTO_TEST_CASE(binary_submission_has_the_sample_format) {
    BinaryWorkspace w;
    auto auc = metric("auc_roc");
    make_submission(w.info, *auc, load_train_target(w.info, auc->prediction_kind()), NpyArray::vector({0.125, 0.5, 0.875}),
                    w.dir / "sub.csv");
    BOOST_TEST(autokaggle::test::read_text(w.dir / "sub.csv") == "id,target\n100,0.125\n101,0.5\n102,0.875\n");
    BOOST_TEST(check_submission(w.info, *auc, w.dir / "sub.csv").ok());
}

BOOST_AUTO_TEST_CASE(class_columns_are_mapped_by_name) {
    TempDir dir;
    write_text(dir / "train.csv", "id,target\n1,B\n2,A\n3,C\n4,A\n");
    write_text(dir / "test.csv", "id\n7\n8\n");
    write_text(dir / "sample_submission.csv", "id,target_C,target_A,target_B\n7,0.3,0.3,0.4\n8,0.3,0.3,0.4\n");
    const auto info = autokaggle::test::competition_files(dir.path(), "multiclass_classification");
    auto ll = metric("logloss");
    // columns of the predictions: A, B, C (sorted)
    NpyArray test = NpyArray::matrix({0.5, 0.25, 0.25, 0.125, 0.125, 0.75}, 2, 3);
    make_submission(info, *ll, load_train_target(info, ll->prediction_kind()), test, dir / "sub.csv");
    BOOST_TEST(autokaggle::test::read_text(dir / "sub.csv") == "id,target_C,target_A,target_B\n7,0.25,0.5,0.25\n8,0.75,0.125,0.125\n");
    BOOST_TEST(check_submission(info, *ll, dir / "sub.csv").ok());

    // map@2 with one label column: the top-2 class names
    write_text(dir / "sample_submission.csv", "id,target\n7,A B\n8,A B\n");
    auto map2 = metric("map@2");
    make_submission(info, *map2, load_train_target(info, map2->prediction_kind()), test, dir / "top.csv");
    BOOST_TEST(autokaggle::test::read_text(dir / "top.csv") == "id,target\n7,A B\n8,C A\n");
    BOOST_TEST(check_submission(info, *map2, dir / "top.csv").ok());
}

BOOST_AUTO_TEST_CASE(invalid_submissions_name_file_row_and_column) {
    BinaryWorkspace w;
    auto auc = metric("auc_roc");
    auto ll = metric("logloss");
    auto check = [&](const std::string& text, const autokaggle::Metric& m, const std::vector<std::string>& needles) {
        write_text(w.dir / "bad.csv", text);
        auto r = check_submission(w.info, m, w.dir / "bad.csv");
        BOOST_TEST_INFO(r.message());
        BOOST_TEST(!r.ok());
        for (const auto& n : needles) BOOST_TEST(r.message().find(n) != std::string::npos, "missing '" << n << "' in " << r.message());
    };
    check("id,target\n100,0.1\n100,0.2\n102,0.3\n", *auc, {"bad.csv line 3, column 'id'", "appears twice", "'101'", "missing"});
    check("id,target\n100,0.1\n101,0.2\n", *auc, {"2 rows", "'102'"});
    check("id,target,extra\n100,0.1,1\n101,0.2,1\n102,0.3,1\n", *auc, {"column 'extra' is not in sample_submission.csv"});
    check("id,prob\n100,0.1\n101,0.2\n102,0.3\n", *auc, {"column 'target' is missing"});
    check("id,target\n100,0.1\n101,\n102,0.3\n", *auc, {"bad.csv line 3, column 'target'", "missing value"});
    check("id,target\n100,0.1\n101,high\n102,0.3\n", *auc, {"line 3", "'high' is not a finite number"});
    check("id,target\n100,0.1\n101,1.5\n102,0.3\n", *ll, {"line 3, column 'target'", "outside [0, 1]"});
    check("id,target\n100,0.1\n101,0.2\n999,0.3\n", *auc, {"line 4", "'999' is not in sample_submission.csv"});
    // AUC takes any score: 1.5 is fine there
    write_text(w.dir / "scores.csv", "id,target\n102,-3\n100,1.5\n101,0.2\n");
    BOOST_TEST(check_submission(w.info, *auc, w.dir / "scores.csv").ok());
}

BOOST_AUTO_TEST_SUITE_END()
