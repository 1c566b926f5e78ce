// The workspace as the tools see it: confinement (.., absolute paths, links out, held-out files,
// the files the core owns), bounded reads (FIFOs, huge files, huge lines), grep on RE2 with its
// budgets, and the run journal and lock.
#define BOOST_TEST_MODULE tools
#include <boost/test/unit_test.hpp>

#include "tools/run_journal.hpp"
#include "tools/tool_args.hpp"
#include "tools/workspace_files.hpp"

#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace autokaggle;
using namespace autokaggle::tools;
using autokaggle::test::TempDir;
using autokaggle::test::read_text;
using autokaggle::test::write_text;
namespace fs = std::filesystem;

namespace {

struct Workspace {
    TempDir outside{"autokaggle-outside"};
    TempDir dir;
    FileLimits limits = [] {
        FileLimits l;
        l.read_bytes = 200;
        l.output_bytes = 400;
        l.max_matches = 3;
        l.max_entries = 5;
        return l;
    }();
    WorkspaceFiles files{dir.path(), limits, {outside / "answers.csv", dir / "heldout"}};

    Workspace() {
        write_text(dir / "rounds" / "R01_plan.md", "line1\nline2\nline3\nline4\n");
        write_text(outside / "secret.txt", "outside secret");
        write_text(outside / "answers.csv", "id,target\n1,secret-answer\n");
        write_text(dir / "heldout" / "private.json", "secret private score");
        fs::create_symlink(outside.path(), dir / "escape");
        fs::create_symlink(outside / "secret.txt", dir / "secret-link.txt");
    }

    /// The ToolError message of `call`, or "" when it did not throw one.
    template <class F>
    static std::string refusal(F&& call) {
        try {
            call();
        } catch (const ToolError& e) {
            return e.what();
        }
        return {};
    }
};

long max_rss_kb() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(files, Workspace)

BOOST_AUTO_TEST_CASE(paths_are_confined_to_the_workspace) {
    for (const char* bad : {"../x", "rounds/../../x", "/etc/passwd", "escape/secret.txt", "secret-link.txt", ""}) {
        BOOST_TEST(!refusal([&] { files.read_lines(bad, 1, 0); }).empty(), bad);
    }
    BOOST_TEST(!refusal([&] { files.write_text("escape/new.txt", "x"); }).empty());
    BOOST_TEST(!refusal([&] { files.read_lines((outside / "secret.txt").string(), 1, 0); }).empty());
    // An absolute path inside the workspace is as good as the relative one.
    BOOST_TEST(files.read_lines((dir / "rounds" / "R01_plan.md").string(), 1, 1).find("line1") != std::string::npos);
    BOOST_TEST(!fs::exists(outside / "new.txt"));
    BOOST_TEST(!refusal([&] { files.write_text("secret-link.txt", "x"); }).empty());
    BOOST_TEST(read_text(outside / "secret.txt") == "outside secret");
}

BOOST_AUTO_TEST_CASE(held_out_files_cannot_be_read_anywhere) {
    BOOST_TEST(refusal([&] { files.read_lines("heldout/private.json", 1, 0); }).find("held-out") != std::string::npos);
    fs::create_symlink(outside / "answers.csv", dir / "answers-link.csv");
    BOOST_TEST(!refusal([&] { files.read_lines("answers-link.csv", 1, 0); }).empty());
    BOOST_TEST(files.grep("secret", ".", false).find("secret") == std::string::npos);
    BOOST_TEST(!refusal([&] { files.write_text("heldout/private.json", "{}"); }).empty());
}

BOOST_AUTO_TEST_CASE(what_the_core_owns_is_refused_for_writing) {
    for (const char* owned : {"config.json", "state.json", "state.json.bak", "results.tsv", "experiments.json",
                              "leaderboard.json", "usage.tsv", "LEARNINGS.md", ".autokaggle.lock", "data/train.csv",
                              "agents/builder/conversation.json", "logs/x.log", "blends/blend.json",
                              "rounds/R01_verification.md", "rounds/R01_decision.md", "rounds/R01_submission.csv",
                              "rounds/R01_run.log", "rounds/R01_run.json", "rounds/R01_oof.npy", "scratch/a.npy"}) {
        const std::string why = refusal([&] { files.write_text(owned, "x"); });
        BOOST_TEST(!why.empty(), owned);
        BOOST_TEST(!fs::exists(dir / owned), owned);
    }
    BOOST_TEST(files.write_text("rounds/R01_plan.md", "new plan\n").find("wrote 9 bytes") != std::string::npos);
    BOOST_TEST(files.write_text("knowledge/notes.md", "n").find("knowledge/notes.md") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_temporary_planted_as_a_link_is_not_followed) {
    fs::create_directories(dir / "knowledge");
    fs::create_symlink(outside / "secret.txt", dir / "knowledge" / "n.md.tmp");
    files.write_text("knowledge/n.md", "note");
    BOOST_TEST(read_text(outside / "secret.txt") == "outside secret");
    BOOST_TEST(read_text(dir / "knowledge" / "n.md") == "note");
}

BOOST_AUTO_TEST_CASE(reads_give_line_ranges_and_say_where_to_continue) {
    BOOST_TEST(files.read_lines("rounds/R01_plan.md", 2, 3) == "[rounds/R01_plan.md: lines 2-3 of 4]\nline2\nline3\n");
    BOOST_TEST(!refusal([&] { files.read_lines("rounds/R01_plan.md", 9, 0); }).empty());
    BOOST_TEST(!refusal([&] { files.read_lines("missing.md", 1, 0); }).empty());
    std::string big;
    for (int i = 0; i < 100; ++i) big += "row " + std::to_string(i) + "\n";
    write_text(dir / "big.txt", big);
    const std::string r = files.read_lines("big.txt", 1, 0);
    BOOST_TEST(r.size() < 400u);
    BOOST_TEST(r.find("continue with start_line=") != std::string::npos, r);
    write_text(dir / "bin.npy", std::string("\x93NUMPY\0\0", 8));
    BOOST_TEST(refusal([&] { files.read_lines("bin.npy", 1, 0); }).find("run_python") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_line_longer_than_the_limit_comes_back_cut_not_empty) {
    write_text(dir / "one_line.json", std::string(100'000, 'x') + "\nsecond\n");
    const std::string r = files.read_lines("one_line.json", 1, 0);
    BOOST_TEST(r.find(std::string(150, 'x')) != std::string::npos);
    BOOST_TEST(r.find("continue with start_line=2") != std::string::npos, r.substr(r.size() - 200));
    BOOST_TEST(r.size() < 600u);
}

BOOST_AUTO_TEST_CASE(a_fifo_is_refused_without_blocking) {
    BOOST_REQUIRE(::mkfifo((dir / "pipe").c_str(), 0644) == 0);
    BOOST_TEST(refusal([&] { files.read_lines("pipe", 1, 0); }).find("not a regular file") != std::string::npos);
    BOOST_TEST(files.grep("x", ".", false) == "no matches\n");  // grep skips it too
}

BOOST_AUTO_TEST_CASE(reading_the_start_of_a_huge_file_holds_only_what_is_returned) {
    {
        std::ofstream out(dir / "huge.csv");
        const std::string line(99, 'v');
        for (int i = 0; i < 1'200'000; ++i) out << line << '\n';  // 120 MB
    }
    const long before = max_rss_kb();
    const std::string r = files.read_lines("huge.csv", 1, 1);
    const long grown = max_rss_kb() - before;
    BOOST_TEST_MESSAGE("read_file of a 120 MB file grew the peak RSS by " << grown << " kB");
    BOOST_TEST(r.find("lines 1-1") != std::string::npos, r);
    BOOST_TEST(grown < 20'000);
}

BOOST_AUTO_TEST_CASE(grep_survives_huge_lines_and_pathological_patterns) {
    std::string huge;
    for (int i = 0; i < 100'000; ++i) huge += "ab";
    write_text(dir / "knowledge" / "notebook.json", huge + "c\n");
    // std::regex recursed once per character here and overflowed the stack.
    BOOST_TEST(files.grep("(a|b)*c", "knowledge", false).find("knowledge/notebook.json:1:") != std::string::npos);
    // Exponential for a backtracking engine (hours at 50 characters), linear for RE2.
    write_text(dir / "knowledge" / "as.txt", std::string(5000, 'a') + "\n");
    BOOST_TEST(files.grep("(a|aa)*b", "knowledge/as.txt", false) == "no matches\n");
    BOOST_TEST(!refusal([&] { files.grep("(unclosed", ".", false); }).empty());
    BOOST_TEST(!refusal([&] { files.grep("(a)\\1", ".", false); }).empty());  // no backreferences in RE2
}

BOOST_AUTO_TEST_CASE(grep_never_follows_links_out_and_caps_its_matches) {
    BOOST_TEST(files.grep("secret", ".", false).find("outside secret") == std::string::npos);
    BOOST_TEST(!refusal([&] { files.grep("secret", "escape", false); }).empty());
    const std::string many = files.grep("line", ".", false);
    BOOST_TEST(many.find("more matches not shown") != std::string::npos, many);
    BOOST_TEST(files.grep("LINE2", "rounds", true) == "rounds/R01_plan.md:2: line2\n");
}

BOOST_AUTO_TEST_CASE(listing_shows_links_without_following_them) {
    const std::string l = files.list(".", false);
    BOOST_TEST(l.find("escape  (link)") != std::string::npos, l);
    BOOST_TEST(l.find("secret.txt  (") == std::string::npos, l);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(journal)

BOOST_AUTO_TEST_CASE(records_and_outcomes_survive_a_new_process) {
    TempDir dir;
    RunJournal journal(dir / "rounds", 3);
    BOOST_TEST(!journal.run_record().has_value());
    const boost::json::object record{{"runner", "local"}, {"pid", 42}};
    journal.save_run_record(&record);
    RunJournal again(dir / "rounds", 3);
    BOOST_TEST(again.run_record().value() == record);
    again.save_outcome({{"status", "killed_fold1"}});
    again.save_run_record(nullptr);
    BOOST_TEST(!journal.run_record().has_value());
    BOOST_TEST(recorded_run_status(dir / "rounds", 3) == "killed_fold1");
    BOOST_TEST(recorded_run_status(dir / "rounds", 4).empty());
    BOOST_TEST(journal.file().filename() == "R03_run.json");
}

BOOST_AUTO_TEST_CASE(one_run_of_a_round_at_a_time) {
    TempDir dir;
    {
        RunLock first(dir / "rounds", 2);
        try {
            RunLock second(dir / "rounds", 2);
            BOOST_FAIL("a second lock of the same round must be refused");
        } catch (const ToolError& e) {
            BOOST_TEST(std::string(e.what()).find("in progress") != std::string::npos);
        }
        RunLock other_round(dir / "rounds", 3);
    }
    RunLock after(dir / "rounds", 2);  // released with the first
}

BOOST_AUTO_TEST_SUITE_END()
