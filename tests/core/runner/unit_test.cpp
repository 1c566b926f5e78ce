// Fold-line parsing, the kill-gate decision, OOF correlation and the progress display.
#define BOOST_TEST_MODULE runner_unit
#include "runner/kill_gate.hpp"
#include "runner/progress.hpp"
#include "runner/score_lines.hpp"

#include "metrics/npy.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cmath>
#include <thread>
#include <limits>
#include <sstream>

using namespace autokaggle;
using namespace autokaggle::test;

BOOST_AUTO_TEST_SUITE(score_lines)

BOOST_AUTO_TEST_CASE(contract_lines_and_tolerated_variants) {
    auto fold = parse_score_line("FOLD 1 SCORE=0.8123");
    BOOST_REQUIRE(fold.has_value());
    BOOST_TEST((fold->kind == ScoreEvent::Kind::fold));
    BOOST_TEST(fold->fold == 1);
    BOOST_TEST(fold->value == 0.8123);
    auto prefixed = parse_score_line("[12:00:01] INFO Fold 3/5 score = -1.5e-2 (best so far)");
    BOOST_REQUIRE(prefixed.has_value());
    BOOST_TEST(prefixed->fold == 3);
    BOOST_TEST(prefixed->value == -0.015);
    auto cv = parse_score_line("CV_SCORE=0.91");
    BOOST_REQUIRE(cv.has_value());
    BOOST_TEST((cv->kind == ScoreEvent::Kind::cv));
    BOOST_TEST(cv->value == 0.91);
    BOOST_TEST(parse_score_line("  final CV_SCORE: 12.5").value().value == 12.5);
}

BOOST_AUTO_TEST_CASE(a_fold_reported_done_carries_no_score) {
    auto done = parse_score_line("[12:00:01] FOLD 2 DONE");
    BOOST_REQUIRE(done.has_value());
    BOOST_TEST((done->kind == ScoreEvent::Kind::fold));
    BOOST_TEST(done->fold == 2);
    BOOST_TEST(std::isnan(done->value));
    BOOST_TEST(!parse_score_line("FOLD 2 DONEISH").has_value());
    ScoreLineParser parser;
    parser.feed("FOLD 1 DONE\nFOLD 2 SCORE=0.7\n");
    BOOST_TEST(parser.folds().size() == 2u);                          // progress counts both
    BOOST_TEST(parser.fold_scores() == std::vector<double>({0.7}));  // only the printed score is a claim
    // The kill gate skips the score check for a fold without a score.
    KillGateConfig config;
    KillGateContext context;
    context.best_cv = 0.8;
    const auto decision = evaluate_fold1(config, context, std::numeric_limits<double>::quiet_NaN(), std::nullopt);
    BOOST_TEST(!decision.kill);
    BOOST_TEST(decision.message.find("not scored") != std::string::npos, decision.message);
}

BOOST_AUTO_TEST_CASE(noise_is_not_a_score) {
    for (const char* line : {"", "FOLD", "FOLD x SCORE=1", "FOLD 1 SCORE=", "FOLD 1 SCORE=abc", "MY_CV_SCORE=3",
                             "CV_SCORE=nan", "FOLD 0 SCORE=0.5", "CV_SCORE=inf", "SCAFFOLD 1 SCORE=0.3",
                             "unfold 2 SCORE=0.4", "FOLD 2 LOSS=0.4"})
        BOOST_TEST(!parse_score_line(line).has_value(), line);
}

BOOST_AUTO_TEST_CASE(lines_split_across_chunks_and_carriage_returns) {
    ScoreLineParser parser(5);
    std::string text = "loading\r\nFOLD 1 SCO";
    auto e1 = parser.feed(text);
    BOOST_TEST(e1.empty());
    auto e2 = parser.feed("RE=0.7\nprogress 10%\rprogress 20%\rFOLD 2 SCORE=0.75\r");
    BOOST_REQUIRE(e2.size() == 2u);
    BOOST_TEST(e2[0].fold == 1);
    BOOST_TEST(e2[1].fold == 2);
    parser.feed("\nFOLD 2 SCORE=0.76\n");  // a repeated fold keeps its last value
    auto last = parser.feed("CV_SCORE=0.73");
    BOOST_TEST(last.empty());               // no newline yet
    auto at_end = parser.finish();
    BOOST_REQUIRE(at_end.size() == 1u);
    BOOST_TEST(parser.cv_score().value() == 0.73);
    BOOST_TEST(parser.fold_scores() == std::vector<double>({0.7, 0.76}));
    // "\r\n" split over two chunks is one line end, not two.
    BOOST_TEST(parser.lines() == 7u);
    BOOST_TEST(parser.tail() == "progress 10%\nprogress 20%\nFOLD 2 SCORE=0.75\nFOLD 2 SCORE=0.76\nCV_SCORE=0.73\n");
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded_on_huge_lines) {
    ScoreLineParser parser(3, 100);
    std::string huge(5'000'000, 'z');
    parser.feed(huge);
    parser.feed(huge);
    parser.feed("\nFOLD 1 SCORE=0.5\n");
    BOOST_TEST(parser.tail().size() <= 3u * 101u);
    BOOST_TEST(parser.folds().at(1) == 0.5);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(kill_gate)

BOOST_AUTO_TEST_CASE(score_margin_is_relative_and_direction_aware) {
    KillGateConfig config;  // 5% margin
    KillGateContext higher;
    higher.best_cv = 0.80;
    BOOST_TEST(!evaluate_fold1(config, higher, 0.77, std::nullopt).kill);  // 3.75% worse
    auto killed = evaluate_fold1(config, higher, 0.70, std::nullopt);      // 12.5% worse
    BOOST_TEST(killed.kill);
    BOOST_TEST(killed.message.find("0.7") != std::string::npos, killed.message);
    BOOST_TEST(killed.message.find("0.8") != std::string::npos, killed.message);
    BOOST_TEST(killed.message.find("12.5%") != std::string::npos, killed.message);
    BOOST_TEST(!evaluate_fold1(config, higher, 0.95, std::nullopt).kill);  // better

    KillGateContext lower;  // e.g. RMSE
    lower.best_cv = 10.0;
    lower.higher_is_better = false;
    BOOST_TEST(!evaluate_fold1(config, lower, 10.4, std::nullopt).kill);
    BOOST_TEST(evaluate_fold1(config, lower, 10.6, std::nullopt).kill);
    BOOST_TEST(!evaluate_fold1(config, lower, 5.0, std::nullopt).kill);

    KillGateContext negative;  // a negated loss, higher is better
    negative.best_cv = -0.40;
    BOOST_TEST(evaluate_fold1(config, negative, -0.43, std::nullopt).kill);
    BOOST_TEST(!evaluate_fold1(config, negative, -0.41, std::nullopt).kill);
}

BOOST_AUTO_TEST_CASE(near_copies_of_the_best_model_are_stopped) {
    KillGateConfig config;
    KillGateContext context;  // no best CV: only the correlation check
    BOOST_TEST(!evaluate_fold1(config, context, 0.8, 0.99).kill);
    auto copy = evaluate_fold1(config, context, 0.8, 0.9995);
    BOOST_TEST(copy.kill);
    BOOST_TEST(copy.message.find("0.9995") != std::string::npos, copy.message);
}

BOOST_AUTO_TEST_CASE(a_near_copy_that_beats_the_best_on_fold_one_goes_on) {
    KillGateConfig config;
    KillGateContext higher;  // fold-1 AUC 0.851 and 0.850 against a best CV of 0.844
    higher.best_cv = 0.844;
    for (double fold1 : {0.851, 0.850}) {
        const auto d = evaluate_fold1(config, higher, fold1, 0.9995);
        BOOST_TEST(!d.kill, d.message);
        BOOST_TEST(d.message.find("not judged: fold 1 beats the best CV") != std::string::npos, d.message);
    }
    BOOST_TEST(evaluate_fold1(config, higher, 0.844, 0.9995).kill);  // a tie is no win
    BOOST_TEST(evaluate_fold1(config, higher, 0.84, 0.9995).kill);
    KillGateContext lower;  // e.g. RMSE
    lower.best_cv = 10.0;
    lower.higher_is_better = false;
    BOOST_TEST(!evaluate_fold1(config, lower, 9.9, 0.9995).kill);
    BOOST_TEST(evaluate_fold1(config, lower, 10.1, 0.9995).kill);
}

BOOST_AUTO_TEST_CASE(a_copy_is_judged_against_the_best_models_own_fold_one) {
    // The best model scored 0.8496 on fold 1 and 0.8436 over all folds: a copy of it also scores
    // 0.8496 on fold 1, which beats the CV by the fold's luck alone, not the model.
    KillGateConfig config;
    KillGateContext context;
    context.best_cv = 0.8436;
    context.best_fold1 = 0.8496;
    const auto copy = evaluate_fold1(config, context, 0.8496, 1.0);
    BOOST_TEST(copy.kill, copy.message);
    BOOST_TEST(copy.message.find("a near-copy of the best model") != std::string::npos, copy.message);
    const auto better = evaluate_fold1(config, context, 0.851, 0.9995);
    BOOST_TEST(!better.kill, better.message);
    BOOST_TEST(better.message.find("not judged: fold 1 beats the best model's fold 1, 0.8496") != std::string::npos,
               better.message);
    // A fold the best model could not be scored on alone (NaN) falls back to the CV.
    context.best_fold1 = std::numeric_limits<double>::quiet_NaN();
    BOOST_TEST(!evaluate_fold1(config, context, 0.8496, 1.0).kill);
}

BOOST_AUTO_TEST_CASE(the_gate_reads_the_best_models_files) {
    TempDir dir("runner-gate-context");
    WorkspacePaths paths;
    paths.rounds = dir.path() / "rounds";
    write_text(paths.rounds / "R03_scores.json", R"({"round":3,"cv":0.84,"fold_scores":[0.85,0.83,null]})");
    write_text(paths.rounds / "R03_oof.npy", "not empty");
    const auto gate = gate_against_best(paths, 3, 0.84, true);
    BOOST_TEST(gate.best_cv.value_or(0) == 0.84);
    BOOST_TEST(gate.best_fold1.value_or(0) == 0.85);
    BOOST_TEST(gate.best_oof.value_or("") == paths.rounds / "R03_oof.npy");
    const auto none = gate_against_best(paths, 0, std::nullopt, false);
    BOOST_TEST(!none.best_fold1.has_value());
    BOOST_TEST(!none.best_oof.has_value());
    BOOST_TEST(!none.higher_is_better);
}

BOOST_AUTO_TEST_CASE(oof_correlation_uses_only_predicted_rows) {
    TempDir dir("runner-corr");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> best{0.1, 0.9, 0.3, 0.7, 0.5, 0.2};
    // Fold 1 predicted rows 0, 2, 4 as an exact linear function of the best model's values.
    metrics::write_npy(dir / "partial.npy", metrics::NpyArray::vector({0.2, nan, 0.6, nan, 1.0, nan}));
    metrics::write_npy(dir / "best.npy", metrics::NpyArray::vector(best));
    auto r = oof_correlation(dir / "partial.npy", dir / "best.npy");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == 1.0, boost::test_tools::tolerance(1e-12));
    // Anti-correlated rows.
    metrics::write_npy(dir / "anti.npy", metrics::NpyArray::vector({0.9, nan, 0.5, nan, 0.1, nan}));
    BOOST_TEST(*oof_correlation(dir / "anti.npy", dir / "best.npy") == -1.0, boost::test_tools::tolerance(1e-12));
    // Shape mismatch, missing file, too few rows: no answer (the check is skipped, nothing killed).
    metrics::write_npy(dir / "short.npy", metrics::NpyArray::vector({0.1, 0.2}));
    BOOST_TEST(!oof_correlation(dir / "short.npy", dir / "best.npy").has_value());
    BOOST_TEST(!oof_correlation(dir / "absent.npy", dir / "best.npy").has_value());
    metrics::write_npy(dir / "two.npy", metrics::NpyArray::vector({0.2, nan, 0.6, nan, nan, nan}));
    BOOST_TEST(!oof_correlation(dir / "two.npy", dir / "best.npy").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(progress)

struct FakeClock {
    ProgressDisplay::Clock::time_point now{};
    std::function<ProgressDisplay::Clock::time_point()> fn() {
        return [this] { return now; };
    }
};

BOOST_AUTO_TEST_CASE(tty_redraws_one_line) {
    std::ostringstream out;
    FakeClock clock;
    ProgressDisplay display(out, ProgressDisplay::Mode::tty, 200, std::chrono::seconds(10), clock.fn());
    display.begin(3, "experiment", "logistic regression");
    clock.now += std::chrono::seconds(75);
    display.folds(2, 5, 0.8123);
    BOOST_TEST(display.line() == "R03 experiment 01:15 fold 2/5 last 0.8123 - logistic regression");
    display.end("ok CV 0.81");
    std::string text = out.str();
    BOOST_TEST(text.find('\n') == text.size() - 1);  // one line, finished once
    BOOST_TEST(text.find("\r\x1b[KR03 experiment 01:15 fold 2/5 last 0.8123 - logistic") != std::string::npos);
    BOOST_TEST(text.find("-> ok CV 0.81") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_mode_prints_at_most_one_line_per_interval) {
    std::ostringstream out;
    FakeClock clock;
    ProgressDisplay display(out, ProgressDisplay::Mode::plain, 80, std::chrono::seconds(10), clock.fn());
    display.begin(12, "experiment", "");
    for (int i = 0; i < 25; ++i) {
        clock.now += std::chrono::seconds(1);
        display.tick();
    }
    display.end("timeout");
    std::string text = out.str();
    BOOST_TEST(text.find('\r') == std::string::npos);
    auto lines = std::count(text.begin(), text.end(), '\n');
    // begin, after 10 s, after 20 s, end.
    BOOST_TEST(lines == 4);
    BOOST_TEST(text.find("R12 experiment 00:25 -> timeout\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(clear_erases_a_pending_tty_line_only) {
    std::ostringstream out;
    ProgressDisplay display(out, ProgressDisplay::Mode::tty);
    display.clear();
    BOOST_TEST(out.str().empty());
    display.begin(1, "research", "");
    display.clear();
    BOOST_TEST(out.str().substr(out.str().size() - 4) == "\r\x1b[K");
}

/// Counts ticks (the ticker's thread calls it).
struct CountingSink : ProgressSink {
    std::atomic<int> ticks{0};
    void begin(int, std::string_view, std::string_view) override {}
    void folds(int, int, std::optional<double>) override {}
    void tick() override { ++ticks; }
    void end(std::string_view) override {}
    void clear() override {}
};

BOOST_AUTO_TEST_CASE(a_ticker_ticks_while_it_lives_and_stops_with_it) {
    CountingSink sink;
    {
        ProgressTicker ticker(sink, std::chrono::milliseconds(5));
        for (int i = 0; i < 400 && sink.ticks.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    int after = sink.ticks.load();
    BOOST_TEST(after >= 3);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    BOOST_TEST(sink.ticks.load() == after);
}

BOOST_AUTO_TEST_CASE(elapsed_formatting) {
    BOOST_TEST(format_elapsed(std::chrono::seconds(5)) == "00:05");
    BOOST_TEST(format_elapsed(std::chrono::seconds(3725)) == "1:02:05");
}

BOOST_AUTO_TEST_SUITE_END()
