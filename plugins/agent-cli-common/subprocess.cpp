#include "subprocess.hpp"

#include <autokaggle/support/process.hpp>
#include <autokaggle/support/text.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <csignal>
#include <cstring>

namespace autokaggle::cli_agent {
namespace fs = std::filesystem;
namespace proc = autokaggle::process;

namespace {

/// Between SIGTERM and SIGKILL when a call is ended.
constexpr std::chrono::milliseconds kKillGrace(3000);

}  // namespace

std::optional<fs::path> find_executable(std::string_view name) { return proc::find_executable(name); }

std::string tail(std::string_view text, std::size_t max_chars) { return text_tail(text, max_chars); }

std::string CommandResult::describe_end(const CommandSpec& spec) const {
    if (timed_out)
        return "timed out after " + std::to_string(spec.timeout.count() / 1000) + " s (process tree ended)";
    if (stopped) return "stopped on request (process tree ended)";
    if (signal) return "killed by signal " + std::to_string(*signal) + " (" + strsignal(*signal) + ")";
    if (exit_code) return "exit code " + std::to_string(*exit_code);
    return "ended in an unknown way";
}

CommandResult run_command(const CommandSpec& spec) {
    if (spec.argv.empty()) throw Error("run_command: empty command line");
    auto exe = find_executable(spec.argv[0]);
    if (!exe) throw Error("cannot start '" + spec.argv[0] + "': not an executable file and not found on PATH");

    proc::ProcessSpec p;
    // Under the reaper, everything the tool starts stays below it (daemons and commands in
    // sessions of their own included) and ends with the call. Without it (a build without the
    // supervisor program) the tree is found by parent links and the process group.
    if (auto reaper = proc::supervisor_program())
        p.argv = {reaper->string(), "reap", "--grace-ms", std::to_string(kKillGrace.count()), "--"};
    p.argv.push_back(exe->string());
    p.argv.insert(p.argv.end(), spec.argv.begin() + 1, spec.argv.end());
    p.cwd = spec.cwd;
    std::string out;
    p.out = proc::Output::sink([&out, &spec](std::string_view piece) {
        out.append(piece);
        if (spec.on_stdout) spec.on_stdout(piece);
    });
    p.err = proc::Output::capture();
    p.death_signal = SIGTERM;  // the call ends with the orchestrator; the phase is re-run
    p.timeout = spec.timeout;
    p.should_stop = spec.should_stop;
    p.kill_grace = kKillGrace;
    auto child = proc::ChildProcess::start(std::move(p));
    proc::ExitStatus status = child.wait();

    CommandResult result;
    result.exit_code = status.exit_code;
    result.signal = status.signal;
    result.timed_out = status.timed_out;
    result.stopped = status.stopped;
    result.out = std::move(out);
    result.err = child.err();
    result.seconds = status.seconds;
    return result;
}

}  // namespace autokaggle::cli_agent
