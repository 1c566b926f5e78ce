// Running a scratch script (run_python, the environment probe) to its end through the scratch
// runner: the output kept within a budget (head and tail), the campaign's stop honoured.
#pragma once

#include "tools/tool_host.hpp"

#include <autokaggle/sdk/runner.hpp>

#include <filesystem>
#include <string>

namespace autokaggle::tools {

struct ScratchOutcome {
    RunPoll end;         ///< the terminal poll: status, exit code, signal, message
    std::string output;  ///< stdout+stderr, its middle left out beyond `output_limit` (with a note)
    double seconds = 0;
};

/// Starts `spec` on host.scratch_runner() and follows it to its end. Throws Cancelled (after
/// ending the run) when the campaign stops.
ScratchOutcome run_to_end(ToolHost& host, const RunSpec& spec, std::size_t output_limit);

/// The interpreter for scratch code: the competition's when it is a path, else the one
/// resolve_python() picks.
std::filesystem::path scratch_python(ToolHost& host);

}  // namespace autokaggle::tools
