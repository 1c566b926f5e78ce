// The workspace tools on their own: confinement (.., absolute paths, symlink escapes, protected
// files), read ranges and caps, listing and grep.
#define BOOST_TEST_MODULE llm_tools
#include <boost/test/unit_test.hpp>

#include "workspace_tools.hpp"

#include "support/test_support.hpp"

#include <autokaggle/sdk/errors.hpp>

using namespace autokaggle;
using namespace autokaggle::llm_agent;
using autokaggle::test::TempDir;
using autokaggle::test::read_text;
using autokaggle::test::write_text;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

struct Workspace {
    TempDir outside{"autokaggle-outside"};
    TempDir dir;
    WorkspaceTools tools{dir.path(), ToolLimits{200, 400, 3, 5}};

    Workspace() {
        write_text(dir / "rounds" / "R01_plan.md", "line1\nline2\nline3\nline4\n");
        write_text(outside / "secret.txt", "outside secret");
        fs::create_symlink(outside.path(), dir / "escape");
        fs::create_symlink(outside / "secret.txt", dir / "secret-link.txt");
    }

    ToolResult call(const std::string& name, json::value args) { return tools.execute({"id1", name, std::move(args)}); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tools, Workspace)

BOOST_AUTO_TEST_CASE(paths_are_confined_to_the_workspace) {
    for (const char* bad : {"../x", "rounds/../../x", "/etc/passwd", "escape/secret.txt", "secret-link.txt", ""}) {
        const auto r = call("read_file", json::object{{"path", bad}});
        BOOST_TEST(r.is_error, bad);
        BOOST_TEST(r.content.find("outside secret") == std::string::npos);
    }
    const auto w = call("write_file", json::object{{"path", "escape/new.txt"}, {"content", "x"}});
    BOOST_TEST(w.is_error);
    BOOST_TEST(!fs::exists(outside / "new.txt"));
    for (const char* protected_path : {"config.json", "state.json", "data/train.csv", "agents/builder/conversation.json", "logs/x.log"})
        BOOST_TEST(call("write_file", json::object{{"path", protected_path}, {"content", "x"}}).is_error, protected_path);
}

BOOST_AUTO_TEST_CASE(write_then_read_with_ranges) {
    const auto w = call("write_file", json::object{{"path", "rounds/new/notes.md"}, {"content", "a\nb\nc\n"}});
    BOOST_TEST(!w.is_error, w.content);
    BOOST_TEST(read_text(dir / "rounds" / "new" / "notes.md") == "a\nb\nc\n");
    const auto r = call("read_file", json::object{{"path", "rounds/R01_plan.md"}, {"start_line", 2}, {"end_line", 3}});
    BOOST_TEST(!r.is_error);
    BOOST_TEST(r.content == "[rounds/R01_plan.md: lines 2-3 of 4]\nline2\nline3\n");
    BOOST_TEST(call("read_file", json::object{{"path", "rounds/R01_plan.md"}, {"start_line", 9}}).is_error);
    BOOST_TEST(call("read_file", json::object{{"path", "missing.md"}}).is_error);
}

BOOST_AUTO_TEST_CASE(reads_are_capped) {
    std::string big;
    for (int i = 0; i < 100; ++i) big += "row " + std::to_string(i) + "\n";
    write_text(dir / "big.txt", big);
    const auto r = call("read_file", json::object{{"path", "big.txt"}});
    BOOST_TEST(!r.is_error);
    BOOST_TEST(r.content.size() < 300u);
    BOOST_TEST(r.content.find("continue with start_line=") != std::string::npos, r.content);
    write_text(dir / "bin.npy", std::string("\x93NUMPY\0\0", 8));
    BOOST_TEST(call("read_file", json::object{{"path", "bin.npy"}}).is_error);
}

BOOST_AUTO_TEST_CASE(list_and_grep) {
    const auto l = call("list_files", json::object{{"path", "rounds"}});
    BOOST_TEST(l.content.find("rounds/R01_plan.md  (24 bytes)") != std::string::npos, l.content);
    const auto g = call("grep", json::object{{"pattern", "line[23]"}, {"path", "rounds"}});
    BOOST_TEST(g.content == "rounds/R01_plan.md:2: line2\nrounds/R01_plan.md:3: line3\n");
    const auto many = call("grep", json::object{{"pattern", "line"}});
    BOOST_TEST(many.content.find("more matches not shown") != std::string::npos, many.content);
    BOOST_TEST(call("grep", json::object{{"pattern", "(unclosed"}}).is_error);
    BOOST_TEST(call("grep", json::object{{"pattern", "secret"}, {"path", "escape"}}).is_error);
}

BOOST_AUTO_TEST_CASE(bad_calls_are_errors_for_the_model_not_exceptions) {
    BOOST_TEST(call("read_file", json::string("rounds/R01_plan.md")).is_error);
    BOOST_TEST(call("read_file", json::object{}).is_error);
    BOOST_TEST(call("read_file", json::object{{"path", 42}}).is_error);
    const auto unknown = call("delete_everything", json::object{});
    BOOST_TEST(unknown.is_error);
    BOOST_TEST(unknown.content.find("read_file") != std::string::npos);
    BOOST_TEST(call("run_experiment", json::object{{"script", "x.py"}}).is_error);  // not offered here
}

BOOST_AUTO_TEST_SUITE_END()
