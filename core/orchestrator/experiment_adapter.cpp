#include "orchestrator/experiment_adapter.hpp"

#include "orchestrator/workspace.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <chrono>
#include <cstdlib>
#include <sstream>

namespace autokaggle {
namespace fs = std::filesystem;

ExperimentAdapter::ExperimentAdapter(const Config& config, const PluginHost& plugins, HostServices& host, RecordFn record,
                                     LookupFn lookup)
    : config_(config), plugins_(plugins), host_(host), record_(std::move(record)), lookup_(std::move(lookup)) {}

Runner& ExperimentAdapter::runner() {
    if (!runner_) {
        if (config_.runner.plugin.empty()) {
            throw ConfigError("config.json: runner: no runner plugin configured; add \"runner\": {\"plugin\": \"local\"}");
        }
        PluginContext context;
        context.options = config_.runner.options;
        context.host = &host_;
        runner_ = plugins_.create_runner(config_.runner.plugin, context);
    }
    return *runner_;
}

void parse_score_lines(const std::string& text, ExperimentResult& result) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("CV_SCORE=", 0) == 0) {
            const std::string value = line.substr(9);
            char* end = nullptr;
            const double v = std::strtod(value.c_str(), &end);
            if (end != value.c_str() && *end == '\0') result.claimed_cv = v;
            else result.claimed_cv.reset();
        } else if (line.rfind("FOLD ", 0) == 0) {
            const auto pos = line.find("SCORE=");
            if (pos == std::string::npos) continue;
            char* end = nullptr;
            const double v = std::strtod(line.c_str() + pos + 6, &end);
            if (end != line.c_str() + pos + 6) result.fold_scores.push_back(v);
        }
    }
}

ExperimentResult ExperimentAdapter::run(const ExperimentRequest& request) {
    const auto& paths = host_.paths();
    const std::string label = round_tag(request.round) + "_experiment";
    RunSpec spec;
    spec.round = request.round;
    spec.label = label;
    spec.script = request.script.is_absolute() ? request.script : paths.root / request.script;
    spec.work_dir = paths.rounds;
    spec.log_file = round_file(paths, request.round, "run.log");
    spec.python = config_.competition.python;
    spec.data_dir = paths.data;
    spec.outputs = {round_file(paths, request.round, "oof.npy"), round_file(paths, request.round, "test.npy")};

    const auto started = std::chrono::steady_clock::now();
    std::unique_ptr<RunHandle> handle;
    if (auto record = lookup_(label)) {
        handle = runner().attach(spec, *record);
        if (handle) host_.log(LogLevel::info, "runner", "re-attached to " + label);
    }
    if (!handle) {
        handle = runner().start(spec);
        const auto record = handle->record();
        record_(label, &record);
    }
    std::string output;
    bool cancelled = false;
    RunPoll poll;
    while (true) {
        poll = handle->poll(1.0);
        output += poll.new_output;
        if (poll.status != RunStatus::running) break;
        if (!cancelled && host_.cancel_requested()) {
            handle->cancel("the campaign is stopping");
            cancelled = true;
        }
    }
    record_(label, nullptr);
    if (cancelled) throw Cancelled("experiment " + label + " stopped: the campaign is stopping");

    ExperimentResult result;
    result.status = poll.status;
    result.exit_code = poll.exit_code;
    result.signal = poll.signal;
    result.message = poll.message;
    result.log_file = spec.log_file;
    result.oof_file = spec.outputs[0];
    result.test_file = spec.outputs[1];
    parse_score_lines(output, result);
    std::vector<std::string> lines;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const std::size_t from = lines.size() > 20 ? lines.size() - 20 : 0;
    for (std::size_t i = from; i < lines.size(); ++i) result.log_tail += lines[i] + "\n";
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace autokaggle
