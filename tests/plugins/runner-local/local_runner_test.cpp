// The "local" runner with real child processes under the supervisor: every way a script can
// end, no process left behind (checked by pid), runs that outlive the orchestrator, the capped
// log, the scrubbed environment and the sandbox.
#define BOOST_TEST_MODULE local_runner
#include "local_runner.hpp"
#include "base/process_tree.hpp"
#include "support/runner_scripts.hpp"

#include "base/atomic_file.hpp"
#include "base/plugin_host.hpp"
#include "support/host_double.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace autokaggle;
using namespace autokaggle::test;
using autokaggle::local_runner::LocalRunner;
using autokaggle::local_runner::Options;

namespace {

/// Without the sandbox, so that the pids a script reports are the host's (a sandbox has its own
/// pid namespace); the sandbox has its own tests below.
Options quick_options(double timeout_s = 60, long long memory_mb = 0, double grace_s = 1) {
    Options o;
    o.timeout_s = timeout_s;
    o.memory_mb = memory_mb;
    o.kill_grace_s = grace_s;
    o.sandbox = Options::Sandbox::off;
    return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ok_run_streams_output_and_installs_the_log) {
    TempDir dir("runner-ok");
    auto spec = script_spec(dir, "ok", "import os, sys\nprint('hello')\nprint('err line', file=sys.stderr)\n"
                                       "print('threads', os.environ.get('OMP_NUM_THREADS'), os.environ.get('AUTOKAGGLE_THREADS'))\n"
                                       "print('cwd', os.getcwd())\n");
    Options o = quick_options();
    o.threads = 2;
    LocalRunner runner(o);
    auto handle = runner.start(spec);
    auto f = run_to_end(*handle);
    BOOST_TEST(to_string(f.last.status) == "ok");
    BOOST_TEST(f.last.exit_code.value_or(-1) == 0);
    BOOST_TEST(f.output.find("hello") != std::string::npos);
    BOOST_TEST(f.output.find("err line") != std::string::npos);  // stderr merged
    BOOST_TEST(f.output.find("threads 2 2") != std::string::npos);
    BOOST_TEST(f.output.find("cwd " + fs::canonical(dir.path()).string()) != std::string::npos);
    BOOST_TEST(fs::exists(spec.log_file));
    BOOST_TEST(!fs::exists(fs::path(spec.log_file).concat(".partial")));
    BOOST_TEST(read_text(spec.log_file) == f.output);
    // A finished handle keeps reporting its terminal status, with no new output.
    auto again = handle->poll(0.1);
    BOOST_TEST(to_string(again.status) == "ok");
    BOOST_TEST(again.new_output.empty());
}

BOOST_AUTO_TEST_CASE(record_names_the_process_group_and_its_start_time) {
    TempDir dir("runner-record");
    auto spec = script_spec(dir, "rec", spawn_child_and_record_pids() + "time.sleep(30)\n");
    LocalRunner runner(quick_options());
    auto handle = runner.start(spec);
    auto pids = wait_for_pids(dir / "pids.txt");
    auto record = handle->record();
    BOOST_TEST(record.at("pid").to_number<int>() == pids.at(0));
    BOOST_TEST(record.at("pgid").to_number<int>() == pids.at(0));
    BOOST_TEST(::getpgid(pids.at(0)) == pids.at(0));  // its own process group
    BOOST_TEST(::getpgid(pids.at(1)) == pids.at(0));  // the grandchild inherits it
    auto stat = process::read_process_stat(pids.at(0));
    BOOST_REQUIRE(stat.has_value());
    BOOST_TEST(record.at("start_time").to_number<unsigned long long>() == stat->start_time);
    BOOST_TEST(record.at("boot_id").as_string() == process::boot_id());
    handle->cancel("test over");
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(timeout_ends_the_script_and_its_child_escalating_to_sigkill) {
    TempDir dir("runner-timeout");
    // The script ignores SIGTERM, so only SIGKILL after the grace period ends it.
    auto spec = script_spec(dir, "slow", "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" +
                                             spawn_child_and_record_pids() + "time.sleep(300)\n");
    LocalRunner runner(quick_options(/*timeout*/ 2, 0, /*grace*/ 1));
    auto handle = runner.start(spec);
    auto pids = wait_for_pids(dir / "pids.txt");
    BOOST_TEST(process_alive(pids.at(0)));
    BOOST_TEST(process_alive(pids.at(1)));
    auto f = run_to_end(*handle, std::chrono::seconds(30));
    BOOST_TEST(to_string(f.last.status) == "timeout");
    BOOST_TEST(f.last.signal.value_or(0) == SIGKILL);
    BOOST_TEST(f.last.message.find("2 s") != std::string::npos, f.last.message);
    BOOST_TEST(f.last.message.find("SIGKILL") != std::string::npos, f.last.message);
    BOOST_TEST(f.seconds < 15);
    BOOST_TEST(all_gone(pids));
    BOOST_TEST(read_text(spec.log_file).find("started") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_child_left_behind_after_a_normal_exit_is_ended) {
    TempDir dir("runner-leftover");
    auto spec = script_spec(dir, "leaves", spawn_child_and_record_pids() + "print('bye')\n");
    LocalRunner runner(quick_options());
    auto f = run_to_end(runner, spec);
    auto pids = wait_for_pids(dir / "pids.txt");
    BOOST_TEST(to_string(f.last.status) == "ok");
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(a_child_that_left_the_group_with_setsid_is_found_by_its_marker) {
    TempDir dir("runner-setsid");
    auto spec = script_spec(dir, "escape",
                            "import os, subprocess, time\n"
                            "child = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
                            "open('pids.tmp', 'w').write(f'{os.getpid()} {child.pid}\\n')\n"
                            "os.replace('pids.tmp', 'pids.txt')\n");
    LocalRunner runner(quick_options());
    auto f = run_to_end(runner, spec);
    auto pids = wait_for_pids(dir / "pids.txt");
    BOOST_TEST(to_string(f.last.status) == "ok");
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(allocation_past_the_memory_cap_is_oom) {
    TempDir dir("runner-oom");
    auto spec = script_spec(dir, "hog", "print('allocating', flush=True)\nblock = bytearray(2 * 1024**3)\nprint('unreachable')\n");
    LocalRunner runner(quick_options(60, /*memory_mb*/ 256));
    auto f = run_to_end(runner, spec);
    BOOST_TEST(to_string(f.last.status) == "oom", f.last.message);
    BOOST_TEST(f.last.message.find("256 MB") != std::string::npos, f.last.message);
    BOOST_TEST(f.output.find("MemoryError") != std::string::npos);
    BOOST_TEST(f.output.find("unreachable") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unexplained_sigkill_is_oom_under_a_cap_and_a_crash_without) {
    // What the kernel's OOM killer does, played by the script itself.
    const std::string script = "import os, signal\nprint('working', flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n";
    TempDir dir("runner-sigkill");
    {
        LocalRunner capped(quick_options(60, /*memory_mb*/ 4096));
        auto handle = capped.start(script_spec(dir, "capped", script));
        auto f = run_to_end(*handle);
        BOOST_TEST(to_string(f.last.status) == "oom", f.last.message);
        BOOST_TEST(f.last.message.find("OOM killer") != std::string::npos, f.last.message);
    }
    {
        LocalRunner uncapped(quick_options());
        auto handle = uncapped.start(script_spec(dir, "uncapped", script));
        auto f = run_to_end(*handle);
        BOOST_TEST(to_string(f.last.status) == "crash", f.last.message);
        BOOST_TEST(f.last.signal.value_or(0) == SIGKILL);
        BOOST_TEST(f.last.message.find("SIGKILL") != std::string::npos, f.last.message);
    }
}

BOOST_AUTO_TEST_CASE(segfault_is_a_crash_with_signal_11) {
    TempDir dir("runner-segv");
    auto spec = script_spec(dir, "segv", "import ctypes\nprint('about to crash', flush=True)\nctypes.string_at(0)\n");
    LocalRunner runner(quick_options());
    auto f = run_to_end(runner, spec);
    BOOST_TEST(to_string(f.last.status) == "crash");
    BOOST_TEST(f.last.signal.value_or(0) == SIGSEGV);
    BOOST_TEST(!f.last.exit_code.has_value());
    BOOST_TEST(f.last.message.find("SIGSEGV") != std::string::npos, f.last.message);
}

BOOST_AUTO_TEST_CASE(non_zero_exit_is_a_crash_with_its_code) {
    TempDir dir("runner-exit3");
    auto spec = script_spec(dir, "exit3", "import sys\nprint('bad input')\nsys.exit(3)\n");
    LocalRunner runner(quick_options());
    auto f = run_to_end(runner, spec);
    BOOST_TEST(to_string(f.last.status) == "crash");
    BOOST_TEST(f.last.exit_code.value_or(-1) == 3);
    BOOST_TEST(f.last.message.find("exit code 3") != std::string::npos, f.last.message);
}

BOOST_AUTO_TEST_CASE(megabytes_of_output_reach_the_log_complete_in_bounded_chunks) {
    TempDir dir("runner-flood");
    // 200,000 numbered lines of 64 bytes = 12.8 MB, as fast as Python can write them.
    auto spec = script_spec(dir, "flood",
                            "import sys\n"
                            "w = sys.stdout.write\n"
                            "for i in range(200000):\n"
                            "    w(f'{i:010d} ' + 'x' * 52 + '\\n')\n"
                            "w('CV_SCORE=0.5\\n')\n");
    LocalRunner runner(quick_options());
    auto f = run_to_end(runner, spec, std::chrono::seconds(60), /*keep_output*/ false);
    BOOST_TEST(to_string(f.last.status) == "ok");
    std::string log = read_text(spec.log_file);
    BOOST_TEST(log.size() == 200000u * 64u + 13u);
    BOOST_TEST(log.substr(0, 11) == "0000000000 ");
    BOOST_TEST(log.find("0000199999 ") != std::string::npos);
    BOOST_TEST(log.substr(log.size() - 13) == "CV_SCORE=0.5\n");
    // What one poll hands over is bounded (1 MiB read per poll plus one read chunk).
    BOOST_TEST(f.largest_chunk <= 1024u * 1024u + 64u * 1024u);
    BOOST_TEST_MESSAGE("12.8 MB in " << f.polls << " polls, largest " << f.largest_chunk << " bytes, " << f.seconds << " s");
}

BOOST_AUTO_TEST_CASE(cancel_ends_the_group_and_reports_cancelled) {
    TempDir dir("runner-cancel");
    auto spec = script_spec(dir, "cancel", spawn_child_and_record_pids() + "time.sleep(300)\n");
    LocalRunner runner(quick_options());
    auto handle = runner.start(spec);
    auto pids = wait_for_pids(dir / "pids.txt");
    handle->cancel("campaign stopping");
    auto p = handle->poll(0);
    BOOST_TEST(to_string(p.status) == "cancelled");
    BOOST_TEST(p.message.find("campaign stopping") != std::string::npos, p.message);
    BOOST_TEST(all_gone(pids));
    BOOST_TEST(fs::exists(spec.log_file));
}

BOOST_AUTO_TEST_CASE(destroying_a_running_handle_ends_its_processes) {
    TempDir dir("runner-raii");
    auto spec = script_spec(dir, "raii", spawn_child_and_record_pids() + "time.sleep(300)\n");
    LocalRunner runner(quick_options());
    std::vector<int> pids;
    {
        auto handle = runner.start(spec);
        pids = wait_for_pids(dir / "pids.txt");
    }
    BOOST_TEST(all_gone(pids));
}

namespace {

/// Plays an orchestrator killed during a run of `script` (runner-orphan-maker), and returns the
/// record it left and the pids the script reported.
std::pair<boost::json::object, std::vector<int>> killed_host(const TempDir& dir, const std::string& script) {
    write_text(dir / "orphan.py", script);
    auto made = run_process({RUNNER_ORPHAN_MAKER, python().string(), (dir / "orphan.py").string(), dir.path().string(),
                             (dir / "record.json").string()},
                            {}, {}, std::chrono::seconds(30));
    BOOST_TEST(made.signal == SIGKILL);  // the fake orchestrator died without cleaning up
    auto pids = wait_for_pids(dir / "pids.txt");
    return {boost::json::parse(read_text(dir / "record.json")).as_object(), pids};
}

RunSpec orphan_spec(const TempDir& dir) {
    RunSpec spec;
    spec.label = "orphan";
    spec.work_dir = dir.path();
    spec.log_file = dir / "orphan.log";
    return spec;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_killed_host_leaves_the_run_going_and_attach_follows_it_to_its_end) {
    TempDir dir("runner-orphan");
    auto [record, pids] = killed_host(dir, spawn_child_and_record_pids() + "time.sleep(3)\nprint('CV_SCORE=0.5')\n");
    // The supervisor is detached from the orchestrator: the script lives on.
    BOOST_TEST(process_alive(pids.at(0)));
    BOOST_TEST(process_alive(pids.at(1)));
    BOOST_TEST(record.at("supervisor_pid").to_number<int>() > 0);
    LocalRunner runner(quick_options());
    auto handle = runner.attach(orphan_spec(dir), record);
    BOOST_REQUIRE(handle);
    auto f = run_to_end(*handle);
    BOOST_TEST(to_string(f.last.status) == "ok", f.last.message);
    // The whole log, from the start, although this process saw none of it happen.
    BOOST_TEST(f.output.find("started") != std::string::npos, f.output);
    BOOST_TEST(f.output.find("CV_SCORE=0.5") != std::string::npos, f.output);
    BOOST_TEST(read_text(dir / "orphan.log") == f.output);
    BOOST_TEST(all_gone(pids));  // the sleeping child ended with the run
}

BOOST_AUTO_TEST_CASE(a_run_that_ended_while_nobody_followed_it_is_collected) {
    TempDir dir("runner-orphan-done");
    auto [record, pids] = killed_host(dir, spawn_child_and_record_pids() + "import sys\nsys.exit(4)\n");
    BOOST_TEST(all_gone({pids.at(0)}, std::chrono::seconds(20)));
    for (int i = 0; i < 200 && !fs::exists(dir / ".runs" / "orphan" / "exit.json"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    LocalRunner runner(quick_options());
    auto handle = runner.attach(orphan_spec(dir), record);
    BOOST_REQUIRE(handle);
    auto f = run_to_end(*handle);
    BOOST_TEST(to_string(f.last.status) == "crash", f.last.message);
    BOOST_TEST(f.last.exit_code.value_or(-1) == 4);
    BOOST_TEST(f.output.find("started") != std::string::npos, f.output);
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(cancel_through_a_reattached_handle_ends_the_whole_run) {
    TempDir dir("runner-orphan-cancel");
    auto [record, pids] = killed_host(dir, spawn_child_and_record_pids() + "time.sleep(300)\n");
    LocalRunner runner(quick_options());
    auto handle = runner.attach(orphan_spec(dir), record);
    BOOST_REQUIRE(handle);
    handle->cancel("campaign stopping");
    auto f = run_to_end(*handle);
    BOOST_TEST(to_string(f.last.status) == "cancelled", f.last.message);
    BOOST_TEST(f.last.message.find("campaign stopping") != std::string::npos, f.last.message);
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(a_run_whose_supervisor_died_has_its_leftovers_ended_by_attach) {
    TempDir dir("runner-orphan-lost");
    auto [record, pids] = killed_host(dir, spawn_child_and_record_pids() + "time.sleep(300)\n");
    // What the kernel's OOM killer might do to the supervisor: its command goes with it
    // (PR_SET_PDEATHSIG), the command's own child is left behind.
    ::kill(record.at("supervisor_pid").to_number<int>(), SIGKILL);
    BOOST_TEST(all_gone({pids.at(0)}));
    BOOST_TEST(process_alive(pids.at(1)));
    LocalRunner runner(quick_options());
    BOOST_TEST(!runner.attach(orphan_spec(dir), record));
    BOOST_TEST(all_gone(pids));
}

BOOST_AUTO_TEST_CASE(a_finished_run_stays_collectable_until_the_next_run_starts) {
    // The host records the outcome after the handle is gone: a restart in between collects it.
    TempDir dir("runner-collect");
    auto spec = script_spec(dir, "done", "print('CV_SCORE=0.5')\n");
    LocalRunner runner(quick_options());
    boost::json::object record;
    {
        auto handle = runner.start(spec);
        record = handle->record();
        BOOST_TEST(to_string(run_to_end(*handle).last.status) == "ok");
    }
    auto again = runner.attach(spec, record);
    BOOST_REQUIRE(again);
    auto f = run_to_end(*again);
    BOOST_TEST(to_string(f.last.status) == "ok", f.last.message);
    BOOST_TEST(f.output == "CV_SCORE=0.5\n");
    run_to_end(runner, script_spec(dir, "next", "print(1)\n"));
    BOOST_TEST(!fs::exists(dir / ".runs" / "done"));
    BOOST_TEST(fs::exists(dir / ".runs" / "next" / "exit.json"));
}

BOOST_AUTO_TEST_CASE(attach_ignores_records_of_another_boot_and_reused_pids) {
    LocalRunner runner(quick_options());
    RunSpec spec;
    boost::json::object other_boot{{"pid", ::getpid()}, {"pgid", ::getpgid(0)}, {"start_time", 1},
                                   {"boot_id", "00000000-not-this-boot"}, {"token", "none"}};
    BOOST_TEST(!runner.attach(spec, other_boot));
    // Same boot, but the pid now belongs to another process (start time differs): untouched.
    boost::json::object reused{{"pid", ::getpid()}, {"pgid", ::getpgid(0)}, {"start_time", 1},
                               {"boot_id", process::boot_id()}, {"token", "0123456789abcdef"}};
    BOOST_TEST(!runner.attach(spec, reused));
    BOOST_TEST(process_alive(::getpid()));
}

BOOST_AUTO_TEST_CASE(a_missing_interpreter_is_a_runner_error_naming_it) {
    TempDir dir("runner-nopython");
    auto spec = script_spec(dir, "x", "print(1)\n");
    spec.python = "/nonexistent/python3";
    LocalRunner runner(quick_options());
    try {
        runner.start(spec);
        BOOST_FAIL("start() should throw");
    } catch (const Error& e) {
        BOOST_TEST(std::string(e.what()).find("/nonexistent/python3") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(options_are_validated_with_the_key_named) {
    BOOST_CHECK_THROW(Options::from_json({{"timeout_s", -1}}), ConfigError);
    try {
        Options::from_json({{"memory_mb", "lots"}});
        BOOST_FAIL("expected ConfigError");
    } catch (const ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("runner.options.memory_mb") != std::string::npos, e.what());
    }
    auto o = Options::from_json({{"timeout_s", 5}, {"memory_mb", 100}, {"threads", 3}, {"kill_grace_s", 0.5}});
    BOOST_TEST(o.timeout_s == 5);
    BOOST_TEST(o.memory_mb == 100);
    BOOST_TEST(o.threads == 3);
    BOOST_TEST(o.kill_grace_s == 0.5);
}

BOOST_AUTO_TEST_CASE(the_plugin_loads_through_the_host_with_its_schema) {
    PluginHost host({plugin_dir()});
    const PluginInfo& info = host.find("runner", "local");
    BOOST_TEST(info.kind == "runner");
    for (const char* key : {"timeout_s", "memory_mb", "threads", "kill_grace_s"})
        BOOST_TEST(info.options_schema.contains(key), key);
    BOOST_TEST(info.options_schema.at("timeout_s").at("default").to_number<double>() == 3600);
    BOOST_TEST(info.options_schema.at("kill_grace_s").at("default").to_number<double>() == 10);
}

// ---- hardening ---------------------------------------------------------------------------------

namespace {

/// Sets environment variables for the scope of a test and restores them.
class ScopedEnv {
public:
    void set(const std::string& name, const std::string& value) {
        const char* old = std::getenv(name.c_str());
        saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
            if (it->second) ::setenv(it->first.c_str(), it->second->c_str(), 1);
            else ::unsetenv(it->first.c_str());
        }
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_script_sees_no_secrets_and_a_scratch_home) {
    ScopedEnv env;
    for (const char* name : {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "KAGGLE_KEY", "KAGGLE_USERNAME", "HF_TOKEN",
                             "SERVICE_SECRET", "GEMINI_API_KEY", "SOME_UNRELATED_SETTING"})
        env.set(name, "value-that-must-not-leak");
    env.set("MY_DATA_ROOT", "/data");
    env.set("LC_ALL", "C.UTF-8");
    TempDir dir("runner-env");
    auto spec = script_spec(dir, "env", "import json, os\nprint(json.dumps(dict(os.environ)))\n");
    Options o = quick_options();
    o.pass_env = {"MY_DATA_ROOT"};
    LocalRunner runner(o);
    auto f = run_to_end(runner, spec);
    BOOST_REQUIRE(to_string(f.last.status) == "ok");
    auto seen = boost::json::parse(f.output.substr(0, f.output.find('\n'))).as_object();
    BOOST_TEST(f.output.find("value-that-must-not-leak") == std::string::npos, f.output);
    for (const char* kept : {"PATH", "LC_ALL", "PYTHONUNBUFFERED", "AUTOKAGGLE_RUN_TOKEN", "AUTOKAGGLE_THREADS", "MY_DATA_ROOT"})
        BOOST_TEST(seen.contains(kept), kept);
    // HOME is the run's own scratch folder, not the user's.
    const std::string home(seen.at("HOME").as_string());
    BOOST_TEST(home.find(dir.path().string()) == 0u, home);
    BOOST_TEST(home != std::string(std::getenv("HOME") ? std::getenv("HOME") : ""));
    // A secret cannot be let in by name either.
    BOOST_CHECK_THROW(Options::from_json({{"pass_env", boost::json::array{"KAGGLE_KEY"}}}), ConfigError);
}

BOOST_AUTO_TEST_CASE(a_chatty_script_gets_a_capped_log_that_keeps_head_tail_and_score_lines) {
    TempDir dir("runner-chatty");
    // 40 MB of numbered lines, fold lines in the middle, CV_SCORE at the end.
    auto spec = script_spec(dir, "chatty",
                            "import sys\n"
                            "w = sys.stdout.write\n"
                            "for i in range(640000):\n"
                            "    w(f'{i:010d} ' + 'x' * 52 + '\\n')\n"
                            "    if i % 128000 == 64000: w(f'FOLD {i // 128000 + 1} SCORE=0.{i}\\n')\n"
                            "w('CV_SCORE=0.5\\n')\n");
    Options o = quick_options();
    o.log_limit_mb = 1;  // 512 KB of head, 512 KB of tail
    LocalRunner runner(o);
    auto f = run_to_end(runner, spec, std::chrono::seconds(120), /*keep_output*/ false);
    BOOST_TEST(to_string(f.last.status) == "ok", f.last.message);
    const auto size = fs::file_size(spec.log_file);
    BOOST_TEST_MESSAGE("40.96 MB of output -> run log of " << size << " bytes, largest poll " << f.largest_chunk);
    BOOST_TEST(size <= 1024u * 1024u + 4096u);
    const std::string log = read_text(spec.log_file);
    BOOST_TEST(log.substr(0, 11) == "0000000000 ");
    BOOST_TEST(log.find("0000639999 ") != std::string::npos);  // the last line
    BOOST_TEST(log.find("0000300000 ") == std::string::npos);  // the middle is gone
    BOOST_TEST(log.find("[runner] the log keeps the first") != std::string::npos);
    BOOST_TEST(log.find("bytes of output (") != std::string::npos);
    BOOST_TEST(log.find("were left out here") != std::string::npos);
    for (int k = 1; k <= 5; ++k)
        BOOST_TEST(log.find("FOLD " + std::to_string(k) + " SCORE=") != std::string::npos, "fold " << k);
    // Score lines past the head are written as they arrive (once), before the kept tail.
    BOOST_TEST(log.find("CV_SCORE=0.5\n") != std::string::npos);
    BOOST_TEST(log.find("CV_SCORE=0.5\n") == log.rfind("CV_SCORE=0.5\n"));
    BOOST_TEST(log.substr(log.size() - 64, 11) == "0000639999 ");
    BOOST_TEST(f.largest_chunk <= 1024u * 1024u);
}

BOOST_AUTO_TEST_CASE(a_silent_script_that_times_out_says_so_in_its_log) {
    TempDir dir("runner-silent");
    auto spec = script_spec(dir, "silent", "import time\ntime.sleep(300)\n");
    LocalRunner runner(quick_options(/*timeout*/ 1, 0, /*grace*/ 1));
    auto f = run_to_end(runner, spec, std::chrono::seconds(30));
    BOOST_TEST(to_string(f.last.status) == "timeout");
    const std::string log = read_text(spec.log_file);
    BOOST_TEST(log.find("[runner] timeout: exceeded the wall-clock limit of 1 s") != std::string::npos, log);
    BOOST_TEST(f.output == log);
}

BOOST_AUTO_TEST_CASE(durations_and_sizes_out_of_range_are_config_errors_naming_the_key_and_the_range) {
    auto message = [](boost::json::object options) {
        try {
            Options::from_json(options);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    auto grace = message({{"kill_grace_s", 1e300}});
    BOOST_TEST(grace.find("runner.options.kill_grace_s") != std::string::npos, grace);
    BOOST_TEST(grace.find("between 0 and 3600") != std::string::npos, grace);
    BOOST_TEST(message({{"timeout_s", 1e300}}).find("runner.options.timeout_s") != std::string::npos);
    BOOST_TEST(message({{"memory_mb", 1e300}}).find("runner.options.memory_mb") != std::string::npos);
    BOOST_TEST(message({{"log_limit_mb", -1}}).find("runner.options.log_limit_mb") != std::string::npos);
    BOOST_TEST(message({{"sandbox", "maybe"}}).find("\"auto\", \"bwrap\" or \"off\"") != std::string::npos);
    BOOST_TEST(message({{"kill_grace_s", 3600}}) == "(accepted)");
}

BOOST_AUTO_TEST_CASE(a_daemon_that_leaves_the_session_and_clears_its_environment_is_ended) {
    // Double fork, setsid, and exec with an empty environment: out of the group, away from its
    // parent, without the run's marker. Found by argv only, because a sandbox has its own pids.
    for (Options::Sandbox mode : {Options::Sandbox::off, Options::Sandbox::bwrap}) {
        const std::string marker = mode == Options::Sandbox::off ? "3171.25" : "3171.75";
        TempDir dir("runner-daemon");
        auto spec = script_spec(dir, "daemon",
                                "import os, time\n"
                                "if os.fork() == 0:\n"
                                "    os.setsid()\n"
                                "    if os.fork() == 0:\n"
                                "        os.execve('/bin/sleep', ['sleep', '" + marker + "'], {})\n"
                                "    os._exit(0)\n"
                                "time.sleep(1)\n"
                                "print('parent done', flush=True)\n");
        Options o = quick_options();
        o.sandbox = mode;
        LocalRunner runner(o);
        auto handle = runner.start(spec);
        auto f = run_to_end(*handle);
        BOOST_TEST(to_string(f.last.status) == "ok", f.last.message);
        bool gone = false;
        for (int i = 0; i < 100 && !gone; ++i) {
            gone = processes_running("sleep " + marker).empty();
            if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        BOOST_TEST(gone, "the daemon (sleep " << marker << ") survived the run");
        for (int pid : processes_running("sleep " + marker)) ::kill(pid, SIGKILL);
    }
}

// ---- the sandbox -------------------------------------------------------------------------------

namespace {

/// A loopback TCP listener the test holds open while a script tries to reach it.
class Listener {
public:
    Listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        BOOST_REQUIRE(::listen(fd_, 8) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~Listener() { ::close(fd_); }
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

/// A workspace with a fake user home holding Kaggle credentials, held-out answers, and a
/// script that tries to read the credentials, write outside its folder and open a connection.
struct Escape {
    TempDir dir{"runner-sandbox"};
    ScopedEnv env;
    Listener listener;
    test::HostDouble host{dir / "ws"};
    RunSpec spec;

    Escape() {
        write_text(dir / "home" / ".kaggle" / "kaggle.json", "{\"username\": \"someone\", \"key\": \"secret\"}");
        env.set("HOME", (dir / "home").string());
        write_text(dir / "ws" / "answers.csv", "id,target\n1,0\n");
        write_text(dir / "ws" / "config.json", "{}");
        write_text(dir / "ws" / "data" / "train.csv", "id,target\n1,0\n");
        fs::create_directories(dir / "ws" / "rounds");
        const std::string home_file = (dir / "home" / ".kaggle" / "kaggle.json").string();
        spec = script_spec(dir, "escape",
                           "import os, socket\n"
                           "def attempt(what, f):\n"
                           "    try:\n"
                           "        f()\n"
                           "        print(what, 'ok', flush=True)\n"
                           "    except Exception as e:\n"
                           "        print(what, 'refused', type(e).__name__, flush=True)\n"
                           "attempt('READ', lambda: open('" + home_file + "').read())\n"
                           "attempt('WRITE', lambda: open('" + (dir / "ws" / "data" / "planted.txt").string() +
                               "', 'w').write('x'))\n"
                           "attempt('CONNECT', lambda: socket.create_connection(('127.0.0.1', " +
                               std::to_string(listener.port()) + "), timeout=5))\n"
                           "attempt('ANSWERS', lambda: open('" + (dir / "ws" / "answers.csv").string() + "').read())\n"
                           "attempt('DATA', lambda: open('" + (dir / "ws" / "data" / "train.csv").string() + "').read())\n"
                           "attempt('OWN', lambda: open('own.txt', 'w').write('x'))\n");
        // The run goes in the workspace's round folder.
        fs::rename(spec.script, dir / "ws" / "rounds" / "escape.py");
        spec.script = dir / "ws" / "rounds" / "escape.py";
        spec.work_dir = dir / "ws" / "rounds";
        spec.log_file = dir / "ws" / "rounds" / "escape.log";
        spec.data_dir = dir / "ws" / "data";
    }

    std::string run(Options::Sandbox mode) {
        Options o = quick_options();
        o.sandbox = mode;
        LocalRunner runner(o, &host);
        auto f = run_to_end(runner, spec);
        BOOST_TEST(to_string(f.last.status) == "ok", f.last.message << "\n" << f.output);
        return f.output;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_sandbox_refuses_home_credentials_writes_outside_the_round_and_the_network) {
    auto check = check_sandbox();
    BOOST_REQUIRE_MESSAGE(check.usable, "bubblewrap must work here (scripts/install-deps.sh installs it): " << check.why_not);
    Escape escape;
    // Without the sandbox the script gets everything it tries: the test can fail.
    const std::string open = escape.run(Options::Sandbox::off);
    BOOST_TEST(open.find("READ ok") != std::string::npos, open);
    BOOST_TEST(open.find("WRITE ok") != std::string::npos, open);
    BOOST_TEST(open.find("CONNECT ok") != std::string::npos, open);
    BOOST_TEST(open.find("ANSWERS ok") != std::string::npos, open);
    fs::remove(escape.dir / "ws" / "data" / "planted.txt");

    const std::string boxed = escape.run(Options::Sandbox::bwrap);
    BOOST_TEST(boxed.find("READ refused FileNotFoundError") != std::string::npos, boxed);
    BOOST_TEST(boxed.find("WRITE refused") != std::string::npos, boxed);
    BOOST_TEST(boxed.find("CONNECT refused") != std::string::npos, boxed);
    BOOST_TEST(boxed.find("ANSWERS refused FileNotFoundError") != std::string::npos, boxed);
    // What a run needs still works: the data read, its own folder written.
    BOOST_TEST(boxed.find("DATA ok") != std::string::npos, boxed);
    BOOST_TEST(boxed.find("OWN ok") != std::string::npos, boxed);
    BOOST_TEST(!fs::exists(escape.dir / "ws" / "data" / "planted.txt"));
}

BOOST_AUTO_TEST_CASE(required_sandbox_that_cannot_work_is_a_config_error) {
    ScopedEnv env;
    env.set("PATH", "/nonexistent");  // no bwrap to be found
    try {
        decide_sandbox(Options::Sandbox::bwrap);
        BOOST_FAIL("expected ConfigError");
    } catch (const ConfigError& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("runner.options.sandbox") != std::string::npos, what);
        BOOST_TEST(what.find("bwrap is not installed") != std::string::npos, what);
    }
    auto automatic = decide_sandbox(Options::Sandbox::automatic);
    BOOST_TEST(!automatic.on);
    BOOST_TEST(automatic.reason.find("bwrap is not installed") != std::string::npos, automatic.reason);
}

BOOST_AUTO_TEST_CASE(validate_says_whether_runs_are_sandboxed_and_why_not) {
    TempDir dir("runner-validate");
    copy_competition_workspace("pima-diabetes", dir / "ws");
    auto on = run_cli({"validate", (dir / "ws").string()});
    BOOST_TEST(on.exit_code == 0, on.out << on.err);
    BOOST_TEST(on.out.find("sandbox: on (bubblewrap ") != std::string::npos, on.out);
    auto missing = run_cli({"validate", (dir / "ws").string()}, {}, {{"PATH", "/nonexistent"}});
    BOOST_TEST(missing.out.find("sandbox: off (bwrap is not installed") != std::string::npos, missing.out);
    auto config = boost::json::parse(read_text(dir / "ws" / "config.json")).as_object();
    config["runner"].as_object()["options"].as_object()["sandbox"] = "off";
    write_text(dir / "ws" / "config.json", boost::json::serialize(config));
    auto off = run_cli({"validate", (dir / "ws").string()});
    BOOST_TEST(off.out.find("sandbox: off (runner.options.sandbox is \"off\")") != std::string::npos, off.out);
}
