// The submission desk against a fake submitter, the state journal, and the phase table.
#include <boost/test/unit_test.hpp>

#include "orchestrator/phase_plan.hpp"
#include "orchestrator/state_journal.hpp"
#include "orchestrator/submission_desk.hpp"
#include "support/test_support.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <chrono>
#include <future>

using namespace autokaggle;
namespace fs = std::filesystem;
namespace chr = std::chrono;
using test::TempDir;

namespace {

/// Thrown by the fake to stand for the process dying right after the upload arrived.
struct ProcessDied {};

/// A leaderboard in memory. A fresh submission reads as pending; the first status call scores it.
class FakeSubmitter final : public Submitter {
public:
    enum class Mode { ok, down, refuse, die_after_upload };
    Mode mode = Mode::ok;
    int submit_calls = 0;
    std::vector<SubmissionInfo> board;
    std::optional<Quota> reported_quota;

    SubmissionInfo submit(const SubmissionRequest& request) override {
        ++submit_calls;
        fail_if_down();
        if (mode == Mode::refuse) throw ServiceError("400 Bad Request: the submission file is not valid", 400);
        SubmissionInfo info;
        info.ref = "sub-" + std::to_string(board.size() + 1);
        info.description = request.description;
        info.date = "2030-06-01T00:00:00Z";
        board.push_back(info);
        if (mode == Mode::die_after_upload) throw ProcessDied{};
        return info;
    }
    SubmissionInfo status(const std::string& ref) override {
        fail_if_down();
        for (auto& s : board) {
            if (s.ref != ref) continue;
            s.state = SubmissionState::complete;
            s.public_score = 0.5 + 0.01 * static_cast<double>(&s - board.data());
            return s;
        }
        throw ServiceError("no submission " + ref, 404);
    }
    std::vector<SubmissionInfo> recent(int limit) override {
        fail_if_down();
        return {board.rbegin(), board.rbegin() + std::min<long>(limit, static_cast<long>(board.size()))};
    }
    std::optional<Quota> quota() override {
        fail_if_down();
        return reported_quota;
    }

private:
    void fail_if_down() const {
        if (mode == Mode::down) throw ServiceError("cannot connect to 127.0.0.1:9: Connection refused");
    }
};

struct DeskFixture {
    TempDir dir{"desk"};
    WorkspacePaths paths;
    FakeSubmitter fake;
    bool has_submitter = true;
    std::vector<std::string> log;
    std::unique_ptr<StateJournal> journal;
    std::unique_ptr<SubmissionDesk> desk;

    DeskFixture() {
        paths.root = dir.path();
        paths.rounds = dir / "rounds";
        paths.state = dir / "state.json";
        fs::create_directories(paths.rounds);
        reopen();
    }

    /// A new journal and desk on the same files, as a restarted process would have.
    void reopen() {
        journal = std::make_unique<StateJournal>(paths.state);
        journal->load({});
        DeskSettings settings;
        settings.policy.max_submissions_per_day = 5;
        settings.direction = Direction::higher;
        settings.first_poll_s = 0.01;
        settings.max_poll_s = 0.5;
        desk = std::make_unique<SubmissionDesk>([this]() -> Submitter* { return has_submitter ? &fake : nullptr; }, *journal,
                                                paths, settings, [] { return std::string(); },
                                                [this](LogLevel, const std::string& m) { log.push_back(m); });
    }

    /// A round whose CV is verified and approved, as the loop leaves it before the decision.
    void verified_round(int round, double cv) {
        journal->update([&](CampaignState& s) {
            s.round = round;
            s.current = RoundProgress{};
            s.current.verified_cv = cv;
            s.current.done["verify"] = PhaseRecord{"APPROVED", "rounds/verify.md", ""};
            s.current.decision = DecisionRecord{true, "scripted", "", ""};
        });
    }

    fs::path file(int round) const { return paths.rounds / ("R0" + std::to_string(round) + "_submission.csv"); }
    SubmitOutcome submit(int round) {
        return desk->submit(round, [](const fs::path& f) { test::write_text(f, "id,target\n1,0.5\n"); }, file(round),
                            "R0" + std::to_string(round) + " model");
    }
    bool logged(const std::string& text) const {
        return std::any_of(log.begin(), log.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(state_journal)

BOOST_AUTO_TEST_CASE(an_update_is_saved_and_a_snapshot_is_a_copy) {
    TempDir dir;
    StateJournal journal(dir / "state.json", [](CampaignState& s) { s.seconds_spent = 42; });
    journal.load({});
    const int round = journal.update([](CampaignState& s) { return s.round = 3; });
    BOOST_TEST(round == 3);
    auto copy = journal.snapshot();
    copy.round = 9;
    BOOST_TEST(journal.snapshot().round == 3);
    const auto saved = StateStore(dir / "state.json").load({});
    BOOST_TEST(saved.round == 3);
    BOOST_TEST(saved.seconds_spent == 42.0);
}

BOOST_AUTO_TEST_CASE(a_nested_update_is_refused_not_a_deadlock) {
    TempDir dir;
    StateJournal journal(dir / "state.json");
    journal.load({});
    auto nested = std::async(std::launch::async, [&] {
        journal.update([&](CampaignState& s) {
            s.round = 1;
            journal.update([](CampaignState& inner) { inner.round = 2; });
        });
    });
    BOOST_TEST_REQUIRE((nested.wait_for(chr::seconds(10)) == std::future_status::ready), "a nested update deadlocked");
    BOOST_CHECK_THROW(nested.get(), std::logic_error);
    BOOST_TEST(journal.snapshot().round == 0);  // the failed change left nothing behind
    journal.update([](CampaignState& s) { s.round = 5; });
    BOOST_TEST(journal.snapshot().round == 5);
}

BOOST_AUTO_TEST_CASE(a_change_that_throws_changes_nothing) {
    TempDir dir;
    StateJournal journal(dir / "state.json");
    journal.load({});
    BOOST_CHECK_THROW(journal.update([](CampaignState& s) {
        s.round = 7;
        throw Error("no");
    }),
                      Error);
    BOOST_TEST(journal.snapshot().round == 0);
    BOOST_TEST(!fs::exists(dir / "state.json"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(submission_desk)

BOOST_AUTO_TEST_CASE(a_verified_round_is_decided_submitted_polled_and_recorded) {
    DeskFixture f;
    f.verified_round(1, 0.8);
    f.fake.reported_quota = Quota{1, 3};
    const auto d = f.desk->decide(chr::system_clock::now());
    BOOST_TEST(d.decision.submit, d.decision.reason);
    BOOST_TEST(d.used_today == 1);
    BOOST_TEST(d.quota_note.find("1 of 3") != std::string::npos);
    BOOST_TEST(decision_markdown(1, d).find("## Submission decision") != std::string::npos);
    const auto outcome = f.submit(1);
    BOOST_TEST(outcome.token == "SUBMITTED");
    const auto s = f.journal->snapshot();
    BOOST_TEST_REQUIRE(s.submissions.size() == 1u);
    BOOST_TEST(s.submissions[0].state == "complete");
    BOOST_TEST(*s.submissions[0].lb == 0.5);
    BOOST_TEST(*s.best_lb == 0.5);
    BOOST_TEST(*s.best_submitted_cv == 0.8);
    BOOST_TEST(!s.pending_submission);
    BOOST_TEST(f.fake.submit_calls == 1);
    // Sending the same round again sends nothing.
    BOOST_TEST(f.submit(1).token == "SUBMITTED");
    BOOST_TEST(f.fake.submit_calls == 1);
}

BOOST_AUTO_TEST_CASE(without_a_submitter_nothing_is_decided_for_submission) {
    DeskFixture f;
    f.has_submitter = false;
    f.verified_round(1, 0.8);
    const auto d = f.desk->decide(chr::system_clock::now());
    BOOST_TEST(!d.decision.submit);
    BOOST_TEST(d.decision.reason.find("no submitter is configured") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failed_submission_never_deadlocks) {
    DeskFixture f;
    f.verified_round(1, 0.8);
    auto failing = std::async(std::launch::async, [&] {
        return f.desk->submit(1, [](const fs::path&) { throw Error("disk full"); }, f.file(1), "R01 model");
    });
    BOOST_TEST_REQUIRE((failing.wait_for(chr::seconds(10)) == std::future_status::ready),
                       "the desk hung after a failed submission");
    const auto outcome = failing.get();
    BOOST_TEST(outcome.token == "FAILED");
    BOOST_TEST(outcome.reason.find("could not be built: disk full") != std::string::npos);
    const auto s = f.journal->snapshot();  // the journal is free again
    BOOST_TEST(!s.current.decision->submit);
    BOOST_TEST(s.current.decision->reason == outcome.reason);
    BOOST_TEST(!s.pending_submission);
    BOOST_TEST(f.fake.submit_calls == 0);
}

BOOST_AUTO_TEST_CASE(a_refused_submission_is_not_pending) {
    DeskFixture f;
    f.verified_round(1, 0.8);
    f.fake.mode = FakeSubmitter::Mode::refuse;
    const auto outcome = f.submit(1);
    BOOST_TEST(outcome.token == "REFUSED");
    BOOST_TEST(outcome.reason.find("refused the submission: 400") != std::string::npos);
    const auto s = f.journal->snapshot();
    BOOST_TEST(!s.pending_submission);
    BOOST_TEST(s.submissions.empty());
    BOOST_TEST(!s.current.decision->submit);
}

BOOST_AUTO_TEST_CASE(an_unreachable_leaderboard_keeps_the_upload_pending_and_nothing_is_sent_until_it_answers) {
    DeskFixture f;
    f.verified_round(1, 0.8);
    f.fake.mode = FakeSubmitter::Mode::down;
    BOOST_TEST(f.submit(1).token == "FAILED");
    BOOST_TEST_REQUIRE(f.journal->snapshot().pending_submission.has_value());
    BOOST_TEST(f.journal->snapshot().pending_submission->description == "R01 model");
    BOOST_TEST(f.fake.submit_calls == 1);

    f.verified_round(2, 0.9);  // still down: round 2 is held back, the leaderboard is not even asked to take it
    const auto held = f.submit(2);
    BOOST_TEST(held.token == "FAILED");
    BOOST_TEST(held.reason.find("not submitting until it answers") != std::string::npos);
    BOOST_TEST(f.fake.submit_calls == 1);
    BOOST_TEST(f.journal->snapshot().pending_submission->round == 1);
    BOOST_CHECK_THROW(f.desk->reconcile(), ServiceError);

    f.fake.mode = FakeSubmitter::Mode::ok;  // back: R01 never arrived, so R03 goes out
    f.verified_round(3, 0.95);
    BOOST_TEST(f.submit(3).token == "SUBMITTED");
    BOOST_TEST(f.logged("never reached the leaderboard"));
    BOOST_TEST(f.fake.submit_calls == 2);
    BOOST_TEST(f.fake.board.size() == 1u);
    BOOST_TEST(!f.journal->snapshot().pending_submission);
}

BOOST_AUTO_TEST_CASE(a_crash_between_upload_and_record_never_submits_twice) {
    DeskFixture f;
    f.verified_round(1, 0.8);
    f.fake.mode = FakeSubmitter::Mode::die_after_upload;
    BOOST_CHECK_THROW(f.submit(1), ProcessDied);
    BOOST_TEST(f.fake.board.size() == 1u);
    f.fake.mode = FakeSubmitter::Mode::ok;
    f.reopen();  // a new process: only what was saved survives
    BOOST_TEST_REQUIRE(f.journal->snapshot().pending_submission.has_value());
    const auto outcome = f.submit(1);
    BOOST_TEST(outcome.token == "SUBMITTED");
    BOOST_TEST(f.fake.board.size() == 1u);
    BOOST_TEST(f.fake.submit_calls == 1);
    const auto s = f.journal->snapshot();
    BOOST_TEST_REQUIRE(s.submissions.size() == 1u);
    BOOST_TEST(s.submissions[0].ref == "sub-1");
    BOOST_TEST(s.submissions[0].round == 1);
    BOOST_TEST(!s.pending_submission);
    BOOST_TEST(f.logged("reached the leaderboard as sub-1"));
}

BOOST_AUTO_TEST_CASE(a_better_cv_with_a_worse_lb_raises_the_divergence_flag) {
    CampaignState s;
    SubmissionRecord first;
    first.round = 1;
    first.cv = 0.80;
    s.submissions.push_back(first);
    SubmissionInfo scored;
    scored.state = SubmissionState::complete;
    scored.public_score = 0.79;
    BOOST_TEST(!SubmissionDesk::apply_status(s, s.submissions[0], scored, Direction::higher));
    BOOST_TEST(s.best_lb_round == 1);
    SubmissionRecord second;
    second.round = 2;
    second.cv = 0.85;
    s.submissions.push_back(second);
    scored.public_score = 0.75;
    const auto note = SubmissionDesk::apply_status(s, s.submissions[1], scored, Direction::higher);
    BOOST_TEST_REQUIRE(note.has_value());
    BOOST_TEST(note->find("R02: CV 0.85 beats R01's 0.8") != std::string::npos, *note);
    BOOST_TEST(s.cv_lb_divergence);
    BOOST_TEST(s.best_lb_round == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(phase_table)

BOOST_AUTO_TEST_CASE(docs_show_the_table_the_loop_runs) {
    const std::string doc = test::read_text(test::source_dir() / "docs" / "orchestrator.md");
    const std::string table = phase_table_markdown();
    BOOST_TEST(doc.find(table) != std::string::npos,
               "docs/orchestrator.md does not show the round table of core/orchestrator/phase_plan.cpp; it should read:\n"
                   << table);
}

BOOST_AUTO_TEST_CASE(every_agent_phase_has_one_row_with_its_files) {
    for (Phase p : {Phase::eda, Phase::research, Phase::plan, Phase::review, Phase::revise, Phase::code, Phase::verify,
                    Phase::findings, Phase::retro}) {
        const auto& step = step_of(p);
        BOOST_TEST(step.key == to_string(p));
        BOOST_TEST(!step.trigger.empty());
    }
    WorkspacePaths paths;
    paths.root = "/w";
    paths.rounds = "/w/rounds";
    paths.results = "/w/results.tsv";
    CompetitionInfo competition;
    competition.knowledge_files = {"/w/k1.md", "/w/k2.md"};
    BOOST_TEST(resolve_reference("R{NN}_plan.md", 7, paths, competition).at(0) == fs::path("/w/rounds/R07_plan.md"));
    BOOST_TEST(resolve_reference("R{NN-1}_findings.md", 7, paths, competition).at(0) == fs::path("/w/rounds/R06_findings.md"));
    BOOST_TEST(resolve_reference("R00_eda.md", 7, paths, competition).at(0) == fs::path("/w/rounds/R00_eda.md"));
    BOOST_TEST(resolve_reference("knowledge files", 7, paths, competition).size() == 2u);
    BOOST_TEST(resolve_reference("results.tsv", 7, paths, competition).at(0) == fs::path("/w/results.tsv"));
    BOOST_TEST(resolve_reference("nonsense", 7, paths, competition).empty());
}

BOOST_AUTO_TEST_SUITE_END()
