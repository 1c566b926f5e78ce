#include "tools/scratch_run.hpp"

#include "runner/python_env.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <chrono>

namespace autokaggle::tools {

ScratchOutcome run_to_end(ToolHost& host, const RunSpec& spec, std::size_t output_limit) {
    std::unique_ptr<RunHandle> handle = host.scratch_runner().start(spec);
    const std::size_t head_limit = output_limit / 3;
    std::string head, tail;
    std::size_t total = 0;
    bool cancelled = false;
    const auto started = std::chrono::steady_clock::now();
    ScratchOutcome outcome;
    while (true) {
        if (!cancelled && host.host().cancel_requested()) {
            handle->cancel("the campaign is stopping");
            cancelled = true;
        }
        RunPoll poll = handle->poll(0.5);
        total += poll.new_output.size();
        if (head.size() < head_limit) head += poll.new_output.substr(0, head_limit - head.size());
        tail += poll.new_output;
        if (tail.size() > 2 * output_limit) tail.erase(0, tail.size() - output_limit);
        if (poll.status != RunStatus::running) {
            outcome.end = std::move(poll);
            break;
        }
    }
    if (cancelled) throw Cancelled(spec.label + " stopped: the campaign is stopping");
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcome.output = head;
    if (total > head.size()) {
        const std::size_t rest = total - head.size();
        const std::size_t shown = std::min({tail.size(), rest, output_limit - head.size()});
        if (rest > shown)
            outcome.output += "\n[... " + std::to_string(rest - shown) + " bytes left out; the whole output is in " +
                              spec.log_file.filename().string() + " ...]\n";
        outcome.output += tail.substr(tail.size() - shown);
    }
    return outcome;
}

std::filesystem::path scratch_python(ToolHost& host) {
    const std::filesystem::path configured = host.host().competition().python;
    return configured.is_absolute() ? configured : resolve_python(configured).interpreter;
}

}  // namespace autokaggle::tools
