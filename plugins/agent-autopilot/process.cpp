// A child process for the Builder's own helper scripts (the EDA), through the core's process
// module: its own process group, output appended to a log file, a wall-clock limit, the
// environment of generated code (no secrets), and cancellation that ends the whole tree.
#include "autopilot.hpp"

#include <autokaggle/support/process.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <csignal>

namespace autokaggle::autopilot {

int run_process(const std::vector<std::string>& argv, const fs::path& log_file, double timeout_s,
                const HostServices* host) {
    if (argv.empty()) throw Error("autopilot: empty command");
    namespace proc = autokaggle::process;
    proc::ProcessSpec spec;
    spec.argv = argv;
    spec.env = proc::Environment::inherited().for_generated_code();
    spec.out = proc::Output::file(log_file, /*append*/ true);
    spec.err = proc::Output::to_stdout();
    spec.death_signal = SIGKILL;  // dies with the orchestrator; the EDA phase runs again
    spec.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    if (host) spec.should_stop = [host] { return host->cancel_requested(); };
    proc::ExitStatus status;
    try {
        status = proc::run(std::move(spec)).status;
    } catch (const Error& e) {
        throw Error(std::string("autopilot: ") + e.what());
    }
    if (status.stopped) throw Cancelled("autopilot: stopped " + argv[0] + " (campaign stopping)");
    return status.exit_code.value_or(-1);
}

}  // namespace autokaggle::autopilot
