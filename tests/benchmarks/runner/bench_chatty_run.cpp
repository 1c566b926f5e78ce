// Benchmark (prints numbers, not run by CTest): a script that prints GB of output, run through
// the host side (ExperimentRunner) and the local runner, as a campaign would. Prints the output
// size, the run log's size, and the peak resident memory of this process (the host) and of the
// supervisor, so that memory bounds are measured, not guessed.
//   bench-runner-chatty [GB, default 1] [log_limit_mb, default 64]
#include "local_runner.hpp"
#include "runner/experiment_runner.hpp"

#include "base/process_tree.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using namespace autokaggle;

namespace {

/// VmHWM (peak resident set) of a process in MB, 0 when unreadable.
double peak_mb(const std::string& pid) {
    std::ifstream in("/proc/" + pid + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const double gigabytes = argc > 1 ? std::stod(argv[1]) : 1.0;
    const double log_limit_mb = argc > 2 ? std::stod(argv[2]) : 64.0;
    std::string pattern = (fs::temp_directory_path() / "bench-chatty-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) return 1;
    const fs::path dir = pattern;
    fs::create_directories(dir / "rounds");
    fs::create_directories(dir / "data");
    const long long lines = static_cast<long long>(gigabytes * 1024 * 1024 * 1024 / 64);
    test::write_text(dir / "rounds" / "R01_experiment.py",
                     "import sys\n"
                     "w = sys.stdout.write\n"
                     "line = 'x' * 52 + '\\n'\n"
                     "for i in range(" + std::to_string(lines) + "):\n"
                     "    w(f'{i:010d} ' + line)\n"
                     "print('CV_SCORE=0.5')\n");
    local_runner::Options options;
    options.timeout_s = 3600;
    options.log_limit_mb = log_limit_mb;
    local_runner::LocalRunner runner(options);
    ExperimentRunner::Settings settings;
    settings.rounds_dir = dir / "rounds";
    settings.poll_interval_s = 0.5;
    const double host_before = peak_mb("self");
    double supervisor_peak = 0;
    ExperimentRunner::Hooks hooks;
    std::string supervisor_pid;
    hooks.persist_record = [&](const std::string&, const boost::json::object* record) {
        if (record) supervisor_pid = std::to_string(record->at("supervisor_pid").to_number<long long>());
    };
    std::atomic<bool> running{true};
    std::thread sampler([&] {
        while (running) {
            if (!supervisor_pid.empty()) supervisor_peak = std::max(supervisor_peak, peak_mb(supervisor_pid));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    ExperimentRunner experiment(runner, test::binary_competition("bench", dir / "data"), KillGateConfig{}, settings, hooks);
    const auto started = std::chrono::steady_clock::now();
    ExperimentResult result = experiment.run({1, "rounds/R01_experiment.py", "chatty"});
    running = false;
    sampler.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // The script writes no prediction files: the host calls it a crash, which is beside the point.
    std::printf("output printed      %.0f MB (%lld lines) in %.1f s, claimed CV %s\n",
                static_cast<double>(lines) * 64 / 1048576.0, lines, seconds, result.claimed_cv ? "found" : "missing");
    std::printf("run log             %.2f MB (log_limit_mb %g)\n",
                static_cast<double>(fs::file_size(result.log_file)) / 1048576.0, log_limit_mb);
    std::printf("host peak RSS       %.1f MB (%.1f MB before the run)\n", peak_mb("self"), host_before);
    std::printf("supervisor peak RSS %.1f MB (sampled every 100 ms)\n", supervisor_peak);
    fs::remove_all(dir);
    return 0;
}
