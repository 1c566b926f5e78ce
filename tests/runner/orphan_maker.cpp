// Plays an orchestrator that is killed in the middle of an experiment: starts a run with the
// local runner (outside the sandbox), waits until the script reports its pids, writes the run's
// record and then dies by SIGKILL without ending anything.
// usage: runner-orphan-maker PYTHON SCRIPT WORK_DIR RECORD_FILE
#include "local_runner.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    if (argc != 5) {
        std::cerr << "usage: runner-orphan-maker PYTHON SCRIPT WORK_DIR RECORD_FILE\n";
        return 2;
    }
    autokaggle::RunSpec spec;
    spec.label = "orphan";
    spec.python = argv[1];
    spec.script = argv[2];
    spec.work_dir = argv[3];
    spec.log_file = fs::path(argv[3]) / "orphan.log";
    spec.env = {{"PYTHONUNBUFFERED", "1"}};
    autokaggle::local_runner::Options options;
    options.sandbox = autokaggle::local_runner::Options::Sandbox::off;  // the script reports host pids
    autokaggle::local_runner::LocalRunner runner(options);
    auto handle = runner.start(spec);
    for (int i = 0; i < 400 && !fs::exists(fs::path(argv[3]) / "pids.txt"); ++i) {
        handle->poll(0.05);
    }
    {
        std::ofstream out(std::string(argv[4]) + ".tmp");
        out << boost::json::serialize(handle->record()) << "\n";
    }
    fs::rename(std::string(argv[4]) + ".tmp", argv[4]);
    std::raise(SIGKILL);
    return 1;
}
