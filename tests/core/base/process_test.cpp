// The process module (core/base/process.hpp) with real processes: output routing, the explicit
// environment, exec failures with their step and errno, timeouts with TERM-grace-KILL, the stop
// callback, the parent-death signal, and ending a whole tree, including children that moved to
// a session of their own; and a coding-agent CLI call (cli_agent::run_command) under the
// supervisor's reaper, which ends daemons its tools leave.
#define BOOST_TEST_MODULE process
#include "base/process.hpp"

#include "support/runner_scripts.hpp"
#include "subprocess.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace autokaggle;
using namespace autokaggle::test;
namespace proc = autokaggle::process;
using std::chrono::milliseconds;

namespace {

proc::ProcessSpec shell(const std::string& script) {
    proc::ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.out = proc::Output::capture();
    spec.err = proc::Output::capture();
    return spec;
}

proc::ProcessSpec command(const std::string& program) {
    proc::ProcessSpec spec;
    spec.argv = {program};
    return spec;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(stdout_and_stderr_are_captured_apart_with_the_exit_code) {
    auto done = proc::run(shell("echo out; echo err >&2; exit 3"));
    BOOST_TEST(done.out == "out\n");
    BOOST_TEST(done.err == "err\n");
    BOOST_TEST(done.status.exit_code.value_or(-1) == 3);
    BOOST_TEST(!done.status.signal.has_value());
    BOOST_TEST(done.status.describe() == "exit code 3");
}

BOOST_AUTO_TEST_CASE(stderr_can_join_stdout_and_output_can_go_to_a_file_or_a_sink) {
    TempDir dir("process-output");
    auto merged = shell("echo one; echo two >&2; echo three");
    merged.err = proc::Output::to_stdout();
    BOOST_TEST(proc::run(merged).out == "one\ntwo\nthree\n");

    auto to_file = shell("echo first");
    to_file.out = proc::Output::file(dir / "log.txt");
    proc::run(to_file);
    to_file.argv[2] = "echo second";
    to_file.out = proc::Output::file(dir / "log.txt", /*append*/ true);
    proc::run(to_file);
    BOOST_TEST(read_text(dir / "log.txt") == "first\nsecond\n");

    std::string received;
    auto sunk = shell("for i in 1 2 3; do echo line $i; done");
    sunk.out = proc::Output::sink([&](std::string_view chunk) { received += chunk; });
    auto status = proc::run(sunk).status;
    BOOST_TEST(status.exit_code.value_or(-1) == 0);
    BOOST_TEST(received == "line 1\nline 2\nline 3\n");
}

BOOST_AUTO_TEST_CASE(the_environment_is_exactly_the_one_given) {
    proc::Environment env;
    env.set("PATH", "/usr/bin:/bin");
    env.set("ONLY_THIS", "yes");
    auto spec = shell("env | sort");
    spec.env = env;
    auto out = proc::run(spec).out;
    BOOST_TEST(out.find("ONLY_THIS=yes") != std::string::npos, out);
    BOOST_TEST(out.find("HOME=") == std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(generated_code_sees_no_secrets_and_only_what_python_needs) {
    auto env = proc::Environment::inherited();
    env.set("OPENAI_API_KEY", "sk-1");
    env.set("ANTHROPIC_API_KEY", "sk-2");
    env.set("KAGGLE_KEY", "k");
    env.set("KAGGLE_USERNAME", "someone");
    env.set("GITHUB_TOKEN", "t");
    env.set("MY_SECRET", "s");
    env.set("AUTOKAGGLE_API_KEY", "leak");
    env.set("DATABASE_PASSWORD", "p");
    env.set("RANDOM_SETTING", "x");
    env.set("PATH", "/usr/bin");
    env.set("LANG", "C.UTF-8");
    env.set("LC_ALL", "C.UTF-8");
    env.set("OMP_NUM_THREADS", "2");
    env.set("OPENBLAS_NUM_THREADS", "2");
    env.set("AUTOKAGGLE_ROUND", "3");
    env.set("PYTHONPATH", "/opt/lib");
    env.set("EXTRA_ALLOWED", "1");
    auto clean = env.for_generated_code({"EXTRA_ALLOWED"});
    for (const char* gone : {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "KAGGLE_KEY", "KAGGLE_USERNAME", "GITHUB_TOKEN",
                             "MY_SECRET", "AUTOKAGGLE_API_KEY", "DATABASE_PASSWORD", "RANDOM_SETTING"})
        BOOST_TEST(!clean.get(gone).has_value(), gone);
    for (const char* kept : {"PATH", "LANG", "LC_ALL", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "AUTOKAGGLE_ROUND",
                             "PYTHONPATH", "EXTRA_ALLOWED"})
        BOOST_TEST(clean.get(kept).has_value(), kept);
    BOOST_TEST(proc::looks_like_secret("openaiApiKey"));
    BOOST_TEST(proc::looks_like_secret("aws_access_key_id"));
    BOOST_TEST(!proc::looks_like_secret("MONKEY"));
    BOOST_TEST(!proc::looks_like_secret("HOME"));
    BOOST_TEST(!env.without_secrets().get("ANTHROPIC_API_KEY").has_value());
    BOOST_TEST(env.without_secrets().get("RANDOM_SETTING").has_value());
}

BOOST_AUTO_TEST_CASE(exec_failures_name_the_step_and_the_os_error) {
    TempDir dir("process-exec");
    auto missing = error_of([] { proc::run(command("/nonexistent/tool")); });
    BOOST_TEST(missing.find("/nonexistent/tool") != std::string::npos, missing);
    BOOST_TEST(missing.find("not an executable file") != std::string::npos, missing);

    auto no_folder = shell("true");
    no_folder.cwd = dir / "no-such-folder";
    auto folder = error_of([&] { proc::run(no_folder); });
    BOOST_TEST(folder.find("cannot enter the folder " + (dir / "no-such-folder").string()) != std::string::npos, folder);
    BOOST_TEST(folder.find("No such file or directory") != std::string::npos, folder);

    // An executable file whose interpreter does not exist: exec itself fails.
    write_text(dir / "tool", "#!/nonexistent/interpreter\n");
    fs::permissions(dir / "tool", fs::perms::owner_all);
    auto bad_exec = error_of([&] { proc::run(command((dir / "tool").string())); });
    BOOST_TEST(bad_exec.find("exec: No such file or directory") != std::string::npos, bad_exec);

    auto hooked = shell("true");
    hooked.pre_exec = [](const char*& what) {
        what = "joining the test's cgroup";
        return EACCES;
    };
    auto hook = error_of([&] { proc::run(hooked); });
    BOOST_TEST(hook.find("joining the test's cgroup: Permission denied") != std::string::npos, hook);
}

BOOST_AUTO_TEST_CASE(find_executable_searches_the_path_given) {
    TempDir dir("process-find");
    write_text(dir / "bin" / "mytool", "#!/bin/sh\n");
    fs::permissions(dir / "bin" / "mytool", fs::perms::owner_all);
    write_text(dir / "bin" / "notexec", "x");
    BOOST_TEST(proc::find_executable("mytool", (dir / "bin").string() + ":/usr/bin").value() == dir / "bin" / "mytool");
    BOOST_TEST(!proc::find_executable("notexec", (dir / "bin").string()).has_value());
    BOOST_TEST(proc::find_executable("sh").value().filename() == "sh");
    BOOST_TEST(proc::find_executable((dir / "bin" / "mytool").string()).has_value());
    BOOST_TEST(!proc::find_executable("").has_value());
}

BOOST_AUTO_TEST_CASE(a_timeout_sends_term_then_kill_after_the_grace_period) {
    auto spec = shell("trap '' TERM; echo started; while true; do sleep 0.1; done");
    spec.timeout = milliseconds(1500);  // time enough for the shell to start on a busy machine
    spec.kill_grace = milliseconds(500);
    auto started = std::chrono::steady_clock::now();
    auto done = proc::run(spec);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST(done.status.timed_out);
    BOOST_TEST(done.status.killed);
    BOOST_TEST(done.status.signal.value_or(0) == SIGKILL);
    BOOST_TEST(done.out == "started\n");
    BOOST_TEST(seconds < 10);
    BOOST_TEST(done.status.describe(spec.timeout).find("timed out after 1.5 s") != std::string::npos,
               done.status.describe(spec.timeout));
}

BOOST_AUTO_TEST_CASE(a_stop_request_ends_the_child_with_sigterm) {
    bool stop = false;
    auto spec = shell("echo ready; sleep 300");
    spec.should_stop = [&] { return stop; };
    auto child = proc::ChildProcess::start(spec);
    BOOST_TEST(!child.poll(milliseconds(200)).has_value());
    stop = true;
    auto status = child.wait();
    BOOST_TEST(status.stopped);
    BOOST_TEST(!status.killed);
    BOOST_TEST(status.signal.value_or(0) == SIGTERM);
}

BOOST_AUTO_TEST_CASE(ending_reaches_children_that_moved_to_their_own_session) {
    TempDir dir("process-setsid");
    // What Claude Code's Bash tool does for every command: a new session, out of the group.
    auto spec = shell("setsid sleep 300 & echo $! > " + (dir / "pid").string() + "; sleep 300");
    auto child = proc::ChildProcess::start(spec);
    auto pids = wait_for_pids(dir / "pid");
    BOOST_REQUIRE(process_alive(pids.at(0)));
    for (int i = 0; i < 500 && ::getpgid(pids.at(0)) == child.pid(); ++i) std::this_thread::sleep_for(milliseconds(20));
    BOOST_TEST(::getpgid(pids.at(0)) != child.pid());  // not in the child's group any more
    auto status = child.end();
    BOOST_TEST(status.stopped);
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(a_normal_exit_ends_what_the_child_left_in_its_group) {
    TempDir dir("process-leftover");
    auto spec = shell("sleep 300 & echo $! > " + (dir / "pid").string());
    auto done = proc::run(spec);
    BOOST_TEST(done.status.exit_code.value_or(-1) == 0);
    BOOST_TEST(all_gone(wait_for_pids(dir / "pid")));
    // end_leftovers = false keeps them (the caller's choice).
    spec.end_leftovers = false;
    proc::run(spec);
    auto kept = wait_for_pids(dir / "pid");
    BOOST_TEST(process_alive(kept.at(0)));
    ::kill(kept.at(0), SIGKILL);
}

BOOST_AUTO_TEST_CASE(destroying_a_running_child_ends_its_tree) {
    TempDir dir("process-raii");
    std::vector<int> pids;
    {
        auto child = proc::ChildProcess::start(shell("sleep 300 & echo $! > " + (dir / "pid").string() + "; sleep 300"));
        pids = wait_for_pids(dir / "pid");
        pids.push_back(child.pid());
    }
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(the_death_signal_fires_when_the_starting_thread_ends) {
    pid_t pid = 0;
    std::thread starter([&] {
        auto spec = shell("sleep 300");
        spec.death_signal = SIGKILL;
        auto child = proc::ChildProcess::start(spec);
        pid = child.pid();
        child.release();
    });
    starter.join();
    int raw = 0;
    BOOST_REQUIRE(::waitpid(pid, &raw, 0) == pid);
    BOOST_TEST(WIFSIGNALED(raw));
    BOOST_TEST(WTERMSIG(raw) == SIGKILL);
}

BOOST_AUTO_TEST_CASE(a_group_or_a_session_is_led_by_the_child) {
    auto group = shell("cut -d' ' -f5,6 /proc/$$/stat");
    auto g = proc::run(group);
    auto session = group;
    session.grouping = proc::Grouping::session;
    auto s = proc::run(session);
    std::istringstream gin(g.out), sin(s.out);
    int g_pgid = 0, g_sid = 0, s_pgid = 0, s_sid = 0;
    gin >> g_pgid >> g_sid;
    sin >> s_pgid >> s_sid;
    BOOST_TEST(g_pgid != ::getpgid(0));
    BOOST_TEST(g_sid == ::getsid(0));
    BOOST_TEST(s_sid == s_pgid);
    BOOST_TEST(s_sid != ::getsid(0));
}

// ---- a coding-agent CLI and everything its tools start ----------------------------------------

namespace {

bool none_left(const std::string& marker) {
    for (int i = 0; i < 100; ++i) {
        if (processes_running(marker).empty()) return true;
        std::this_thread::sleep_for(milliseconds(50));
    }
    for (int pid : processes_running(marker)) ::kill(pid, SIGKILL);
    return false;
}

/// A tool that does what Claude Code's Bash tool and a careless command do: a command in a
/// session of its own, and a daemon that double-forks, changes session and clears its environment.
std::string cli_leaving(const std::string& session_marker, const std::string& daemon_marker, const std::string& then) {
    return "setsid sleep " + session_marker + " &\n"
           "python3 -c \"import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
           "        os.execve('/bin/sleep', ['sleep', '" + daemon_marker + "'], {})\n    os._exit(0)\n\"\n"
           "echo answered\n" + then;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_cli_call_ends_with_everything_its_tools_started) {
    BOOST_REQUIRE_MESSAGE(proc::supervisor_program(), "autokaggle-supervise is built with the core");
    cli_agent::CommandSpec spec;
    spec.argv = {"/bin/sh", "-c", cli_leaving("3172.25", "3172.5", "exit 0")};
    auto result = cli_agent::run_command(spec);
    BOOST_TEST(result.exit_code.value_or(-1) == 0);
    BOOST_TEST(result.out.find("answered") != std::string::npos, result.out);
    BOOST_TEST(none_left("sleep 3172.25"), "the command in its own session survived the call");
    BOOST_TEST(none_left("sleep 3172.5"), "the daemon survived the call");
}

BOOST_AUTO_TEST_CASE(a_cli_call_that_times_out_ends_with_its_tree) {
    cli_agent::CommandSpec spec;
    spec.argv = {"/bin/sh", "-c", cli_leaving("3173.25", "3173.5", "sleep 300")};
    spec.timeout = std::chrono::seconds(4);
    auto started = std::chrono::steady_clock::now();
    auto result = cli_agent::run_command(spec);
    BOOST_TEST(result.timed_out);
    BOOST_TEST(result.describe_end(spec).find("timed out after 4 s") != std::string::npos, result.describe_end(spec));
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(20)));
    BOOST_TEST(none_left("sleep 3173.25"));
    BOOST_TEST(none_left("sleep 3173.5"));
}

BOOST_AUTO_TEST_CASE(the_reaper_ends_as_its_program_did) {
    cli_agent::CommandSpec spec;
    spec.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
    auto exited = cli_agent::run_command(spec);
    BOOST_TEST(exited.exit_code.value_or(-1) == 3);
    BOOST_TEST(exited.out == "out\n");
    BOOST_TEST(exited.err == "err\n");
    spec.argv = {"/bin/sh", "-c", "kill -SEGV $$"};
    auto crashed = cli_agent::run_command(spec);
    BOOST_TEST(crashed.signal.value_or(0) == SIGSEGV);
    BOOST_TEST(!crashed.exit_code.has_value());
}
