// The records' newer parts in-process: the Builder's recommendation, the regime column of
// results.tsv, the fingerprint comparison, the data check's UTF-8 reading, the SDK's reply
// grammar and score format.
#include <boost/test/unit_test.hpp>

#include "metrics/blend.hpp"
#include "orchestrator/data_check.hpp"
#include "orchestrator/experiments.hpp"
#include "orchestrator/fingerprint.hpp"
#include "orchestrator/results.hpp"
#include "support/test_support.hpp"

#include <autokaggle/sdk/agent.hpp>

using namespace autokaggle;
namespace fs = std::filesystem;
using test::TempDir;
using test::write_text;

BOOST_AUTO_TEST_SUITE(records)

BOOST_AUTO_TEST_CASE(the_recommendation_line_is_read_with_its_reason) {
    const auto yes = extract_recommendation("# R03 findings\n\n- **Recommendation: submit** - the best CV so far\n");
    BOOST_TEST_REQUIRE(yes.has_value());
    BOOST_TEST(yes->submit);
    BOOST_TEST(yes->reason == "the best CV so far");
    const auto no = extract_recommendation("recommendation: Do not submit: within the fold noise\n");
    BOOST_TEST_REQUIRE(no.has_value());
    BOOST_TEST(!no->submit);
    BOOST_TEST(no->reason == "within the fold noise");
    BOOST_TEST(!extract_recommendation("## Learnings\n- submit early\n").has_value());
    BOOST_TEST(!extract_recommendation("Recommendation: maybe\n").has_value());
}

BOOST_AUTO_TEST_CASE(results_carry_the_regime_and_old_files_read_as_regime_1) {
    TempDir dir;
    write_text(dir / "results.tsv",
               "round\tscript\tcv_score\tlb\tstatus\tsubmitted\ttimestamp\tdescription\n0\t\t\t\teda\tno\tt0\teda\n");
    auto rows = read_results(dir / "results.tsv", {}).rows;
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].regime == 1);
    ResultRow second{1, "s", "killed", "", "killed_fold1", "no", "t1", "d"};
    second.regime = 2;
    upsert_result(rows, second);
    write_results(dir / "results.tsv", rows);
    const auto back = read_results(dir / "results.tsv", {}).rows;
    BOOST_TEST_REQUIRE(back.size() == 2u);
    BOOST_TEST(back[1].regime == 2);
    BOOST_TEST(back[1].cv_score == "killed");
}

BOOST_AUTO_TEST_CASE(blends_read_only_the_current_regime) {
    TempDir dir;
    write_text(dir / "experiments.json", R"({"schema_version": 1, "regime": 2, "experiments": [
        {"id": "R01", "round": 1, "cv": 0.5, "oof": "a", "test": "b"},
        {"id": "R02", "round": 2, "cv": 0.6, "oof": "a", "test": "b", "regime": 1},
        {"id": "R03", "round": 3, "cv": 0.7, "oof": "a", "test": "b", "regime": 2}]})");
    const auto current = metrics::read_experiments(dir / "experiments.json");
    BOOST_TEST_REQUIRE(current.size() == 1u);
    BOOST_TEST(current[0].id == "R03");
    write_text(dir / "experiments.json", R"({"experiments": [{"id": "R01"}, {"id": "R02", "regime": 3}]})");
    BOOST_TEST(metrics::read_experiments(dir / "experiments.json").size() == 2u);  // no current regime named
}

BOOST_AUTO_TEST_CASE(fingerprint_changes_name_each_key_with_both_values) {
    const auto changes = compare_settings({{"cv_folds", "5"}, {"seed", "42"}, {"metric", "mae"}},
                                          {{"cv_folds", "3"}, {"seed", "42"}, {"metric", "mae"}, {"group_column", ""}});
    BOOST_TEST_REQUIRE(changes.size() == 1u);
    BOOST_TEST(describe_changes(changes) == "  cv_folds: 5 -> 3\n");
    BOOST_TEST(compare_settings({}, {{"time_column", "date"}}).size() == 1u);
    TempDir dir;
    write_text(dir / "a.csv", "abc");
    BOOST_TEST(file_sha256(dir / "a.csv") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(the_data_check_reads_utf8_and_reports_the_first_bad_byte) {
    TempDir dir;
    CompetitionInfo c;
    c.task_type = "regression";
    c.target_column = "target";
    c.id_column = "id";
    c.cv_folds = 2;
    c.train_csv = dir / "train.csv";
    c.test_csv = dir / "test.csv";
    c.sample_submission_csv = dir / "sample_submission.csv";
    write_text(c.train_csv, "id,city,target\n1,K\xc3\xb6ln,1.5\n2,\xe6\x9d\xb1\xe4\xba\xac,2.5\n");
    write_text(c.test_csv, "id,city\n3,Z\xc3\xbcrich\n");
    write_text(c.sample_submission_csv, "id,target\n3,0\n");
    BOOST_TEST(check_competition_data(c).empty());
    write_text(c.test_csv, "id,city\n3,ok\n4,\xc3\x28\n");  // a lead byte without its continuation
    const auto problems = check_competition_data(c);
    BOOST_TEST_REQUIRE(!problems.empty());
    BOOST_TEST(problems[0].file == c.test_csv);
    BOOST_TEST(problems[0].message.find("byte 0xC3 on line 3") != std::string::npos, problems[0].message);
}

BOOST_AUTO_TEST_CASE(the_sdk_reads_replies_and_formats_scores_one_way) {
    const Reply revise = parse_reply(Phase::review, "  REVISE:  add lags \n");
    BOOST_TEST(revise.valid());
    BOOST_TEST(revise.revise);
    BOOST_TEST(revise.reason == "add lags");
    const Reply cv = parse_reply(Phase::code, "CV_SCORE=0.8123");
    BOOST_TEST(*cv.cv == 0.8123);
    BOOST_TEST(parse_reply(Phase::code, "CV_SCORE=crash").crash);
    BOOST_TEST(parse_reply(Phase::plan, "DONE\nmore").problem.find("answer exactly one line: DONE") != std::string::npos);
    BOOST_TEST(role_of(Phase::verify) == "reviewer");
    BOOST_TEST(role_of(Phase::research) == "researcher");
    BOOST_TEST(role_of(Phase::findings) == "builder");
    BOOST_TEST(format_score(12345.678) == "12345.678");
    BOOST_TEST(format_score(3e-7) == "3e-07");
    BOOST_TEST(round_tag(7) == "R07");
    BOOST_TEST(round_tag(123) == "R123");
}

BOOST_AUTO_TEST_SUITE_END()
