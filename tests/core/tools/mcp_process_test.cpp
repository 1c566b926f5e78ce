// `autokaggle mcp` as a process, driven over its stdin/stdout as a coding-agent CLI would: the
// handshake, the tools of a role, scratch code, the held-out answers out of reach, an experiment
// in the code phase recorded where the orchestrator looks, a server killed mid-run whose
// successor re-attaches instead of running twice, and a clean exit when the input ends. The
// transcript is printed (docs/coding-agents.md shows one).
#include <boost/test/unit_test.hpp>

#include "tools_support.hpp"

#include "tools/run_journal.hpp"

#include <csignal>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

/// `autokaggle mcp --dir WS --role ROLE` with pipes on stdin and stdout.
class McpProcess {
public:
    McpProcess(const fs::path& ws, const std::string& role) {
        int in[2], out[2];
        BOOST_REQUIRE(::pipe(in) == 0 && ::pipe(out) == 0);
        pid_ = ::fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(in[0], STDIN_FILENO);
            ::dup2(out[1], STDOUT_FILENO);
            ::close(in[1]);
            ::close(out[0]);
            const std::string exe = cli().string(), dir = ws.string();
            ::execl(exe.c_str(), exe.c_str(), "mcp", "--dir", dir.c_str(), "--role", role.c_str(), nullptr);
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = out[0];
    }
    ~McpProcess() {
        if (to_ >= 0) ::close(to_);
        if (pid_ > 0 && !waited_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(from_);
    }

    json::object request(const std::string& method, json::object params) {
        const json::object message{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", std::move(params)}};
        send(message);
        return receive();
    }
    void send(const json::object& message) {
        const std::string line = json::serialize(message) + "\n";
        transcript += "-> " + line;
        BOOST_REQUIRE(::write(to_, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    }
    json::object receive(int timeout_s = 300) {
        for (int waited = 0; waited < timeout_s * 10; ++waited) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                const std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                transcript += "<- " + line + "\n";
                return json::parse(line).as_object();
            }
            pollfd p{from_, POLLIN, 0};
            if (::poll(&p, 1, 100) > 0) {
                char b[65536];
                const ssize_t n = ::read(from_, b, sizeof b);
                if (n <= 0) break;
                buffer_.append(b, static_cast<std::size_t>(n));
            }
        }
        BOOST_FAIL("autokaggle mcp did not answer");
        return {};
    }
    /// Closes stdin and returns the exit code.
    int finish() {
        ::close(to_);
        to_ = -1;
        int status = 0;
        ::waitpid(pid_, &status, 0);
        waited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    void kill_now() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        waited_ = true;
    }
    json::object call(const std::string& tool, json::object arguments) {
        return request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
    }
    static std::string text_of(const json::object& reply) {
        return std::string(reply.at("result").at("content").at(0).at("text").as_string());
    }

    std::string transcript;

private:
    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
    int id_ = 0;
    bool waited_ = false;
    std::string buffer_;
};

void handshake(McpProcess& mcp, const std::string& version) {
    const auto init = mcp.request("initialize", {{"protocolVersion", version},
                                                 {"capabilities", json::object{}},
                                                 {"clientInfo", json::object{{"name", "test-client"}, {"version", "1.0"}}}});
    BOOST_TEST(init.at("result").at("protocolVersion").as_string() == version);
    mcp.send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_session_over_stdio_serves_the_builders_tools) {
    ToolWorkspace w;
    w.set_state(0, "eda");
    McpProcess mcp(w.ws, "builder");
    handshake(mcp, "2025-06-18");
    const auto list = mcp.request("tools/list", {});
    std::vector<std::string> names;
    for (const auto& t : list.at("result").at("tools").as_array()) names.emplace_back(t.at("name").as_string());
    for (const char* expected : {"read_file", "write_file", "list_files", "grep", "run_python", "run_experiment", "blend", "leaderboard"})
        BOOST_TEST((std::find(names.begin(), names.end(), expected) != names.end()), expected);
    const auto eda = mcp.call("run_python", {{"code", "import pandas as pd\nprint(pd.read_csv('data/train.csv').shape)"}});
    BOOST_TEST(McpProcess::text_of(eda).find("status: ok") != std::string::npos, McpProcess::text_of(eda));
    const auto answers = mcp.call("read_file", {{"path", "../" + w.ws.filename().string() + "-heldout/answers.csv"}});
    BOOST_TEST(answers.at("result").at("isError").as_bool());
    const auto unknown = mcp.request("tools/call", {{"name", "kaggle_notebooks"}, {"arguments", json::object{}}});
    BOOST_TEST(unknown.at("error").at("code").as_int64() == -32602);
    BOOST_TEST(mcp.finish() == 0);
    BOOST_TEST_MESSAGE("MCP transcript:\n" << mcp.transcript);
    BOOST_TEST(!fs::exists(w.ws / "results.tsv"));
}

BOOST_AUTO_TEST_CASE(an_experiment_killed_with_its_server_is_resumed_not_run_twice) {
    ToolWorkspace w;
    w.set_state(1, "code");
    // Slow enough to be caught running: a pause before the folds.
    std::string script = experiment_script("LogisticRegression(max_iter=500)", 6);
    script.replace(script.find("for k, (tr, va)"), 0, "import time; time.sleep(4)\n");
    w.write("rounds/R01_experiment.py", script);
    {
        McpProcess first(w.ws, "builder");
        handshake(first, "2025-03-26");
        first.send({{"jsonrpc", "2.0"}, {"id", 50}, {"method", "tools/call"},
                    {"params", json::object{{"name", "run_experiment"}, {"arguments", json::object{{"script", "rounds/R01_experiment.py"}}}}}});
        const tools::RunJournal journal(w.ws / "rounds", 1);
        for (int i = 0; i < 100 && !journal.run_record(); ++i) ::usleep(100'000);
        BOOST_REQUIRE_MESSAGE(journal.run_record().has_value(), "the run record was not written while running");
        first.kill_now();  // a crash of the CLI and its server
    }
    McpProcess second(w.ws, "builder");
    handshake(second, "2025-11-25");
    const auto r = second.call("run_experiment", {{"script", "rounds/R01_experiment.py"}});
    const std::string text = McpProcess::text_of(r);
    BOOST_TEST_MESSAGE(text);
    BOOST_TEST(text.find("status: ok") != std::string::npos, text);
    BOOST_TEST(!tools::RunJournal(w.ws / "rounds", 1).run_record().has_value());  // cleared after the run
    BOOST_TEST(tools::recorded_run_status(w.ws / "rounds", 1) == "ok");
    const auto again = second.call("run_experiment", {{"script", "rounds/R01_experiment.py"}});
    BOOST_TEST(McpProcess::text_of(again).find("not run again") != std::string::npos);
    BOOST_TEST(second.finish() == 0);
    // The orchestrator's log tells what happened to the first run.
    const std::string log = read_text(w.ws / "logs" / "autokaggle.log");
    BOOST_TEST(log.find("serving the builder's tools over MCP") != std::string::npos);
}
