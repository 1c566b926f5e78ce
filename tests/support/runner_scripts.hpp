// Helpers shared by the runner and process suites: specs for small scripts, running a handle to
// its end, reading pids a script wrote.
#pragma once

#include "support/test_support.hpp"

#include <autokaggle/sdk/runner.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace autokaggle::test {

/// A spec that runs `script_text` (written to dir/name.py) with the test interpreter.
inline RunSpec script_spec(const TempDir& dir, const std::string& name, const std::string& script_text) {
    RunSpec spec;
    spec.label = name;
    spec.script = dir / (name + ".py");
    spec.work_dir = dir.path();
    spec.log_file = dir / (name + ".log");
    spec.python = python();
    spec.data_dir = dir.path();
    spec.env = {{"PYTHONUNBUFFERED", "1"}};
    write_text(spec.script, script_text);
    return spec;
}

struct Finished {
    RunPoll last;
    std::string output;
    std::size_t polls = 0;
    std::size_t largest_chunk = 0;
    double seconds = 0;
};

/// Polls until a terminal status (or `limit`, then the test fails).
inline Finished run_to_end(RunHandle& handle, std::chrono::seconds limit = std::chrono::seconds(60),
                           bool keep_output = true) {
    Finished f;
    auto start = std::chrono::steady_clock::now();
    for (;;) {
        RunPoll p = handle.poll(0.5);
        ++f.polls;
        f.largest_chunk = std::max(f.largest_chunk, p.new_output.size());
        if (keep_output) f.output += p.new_output;
        if (p.status != RunStatus::running) {
            f.last = std::move(p);
            break;
        }
        if (std::chrono::steady_clock::now() - start > limit) BOOST_FAIL("run did not end within " << limit.count() << " s");
    }
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return f;
}

/// Starts `spec` on `runner` and polls it to a terminal status, as above.
inline Finished run_to_end(Runner& runner, const RunSpec& spec, std::chrono::seconds limit = std::chrono::seconds(60),
                           bool keep_output = true) {
    auto handle = runner.start(spec);
    return run_to_end(*handle, limit, keep_output);
}

/// Waits until `path` holds a line (a script writes pids there), then returns its numbers.
inline std::vector<int> wait_for_pids(const fs::path& path, std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (fs::exists(path)) {
            std::string text = read_text(path);
            if (!text.empty() && text.back() == '\n') {
                std::istringstream in(text);
                std::vector<int> pids;
                for (int pid; in >> pid;) pids.push_back(pid);
                return pids;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_FAIL("no pids written to " << path);
    return {};
}

/// True when every pid is gone within `limit` (a killed process may take a moment to be reaped).
inline bool all_gone(const std::vector<int>& pids, std::chrono::seconds limit = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        bool any = false;
        for (int pid : pids) any = any || process_alive(pid);
        if (!any) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

/// A script fragment: starts `sleep 300` as a child and writes "<own pid> <child pid>\n" to pids.txt.
inline std::string spawn_child_and_record_pids() {
    return "import os, subprocess, sys, time\n"
           "child = subprocess.Popen(['sleep', '300'])\n"
           "with open('pids.tmp', 'w') as f:\n"
           "    f.write(f'{os.getpid()} {child.pid}\\n')\n"
           "os.replace('pids.tmp', 'pids.txt')\n"
           "print('started', flush=True)\n";
}

}  // namespace autokaggle::test
