// run_experiment (the round's experiment, through HostServices::run_experiment: the configured
// runner, the fold-1 kill gate, run records) and run_python (scratch code through a local
// runner with the scratch limits, in scratch/<role>/, never a round's experiment).
#include "tools/experiment_verdict.hpp"
#include "tools/run_journal.hpp"
#include "tools/scratch_run.hpp"
#include "tools/tool_args.hpp"
#include "tools/tool_groups.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"
#include "runner/experiment_runner.hpp"
#include "runner/supervised_run.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <mutex>
#include <sstream>

namespace autokaggle::tools {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string round_tag(int round) { return ExperimentRunner::round_tag(round); }

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

// ---- run_experiment ------------------------------------------------------------------------

std::string describe(const json::object& outcome, const std::string& log_tail) {
    auto text = [&](const char* key) {
        const auto* v = outcome.if_contains(key);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    std::ostringstream out;
    out << "status: " << text("status") << "\n";
    if (const auto* f = outcome.if_contains("fold_scores"); f && f->is_array() && !f->get_array().empty()) {
        out << "fold scores:";
        for (const auto& v : f->get_array()) out << " " << format_cv(v.to_number<double>());
        out << "\n";
    }
    out << "printed CV_SCORE: " << (text("printed_cv").empty() ? "none" : text("printed_cv")) << "\n";
    out << "verified: " << text("verification") << "\n";
    if (!text("message").empty()) out << "message: " << text("message") << "\n";
    if (const auto* s = outcome.if_contains("seconds"); s && s->is_number())
        out << "seconds: " << seconds_text(s->to_number<double>()) << "\n";
    out << "log: " << text("log") << " (grep it; do not read it whole)\n";
    out << "answer for the code phase: " << text("answer") << "\n";
    if (!log_tail.empty()) out << "--- log tail ---\n" << log_tail;
    return out.str();
}

std::string run_experiment(ToolHost& host, const WorkspaceFiles& files, const ToolSettings& settings,
                           const ToolCallContext& context, const json::object& args) {
    if (!context.phase.empty() && context.phase != "code")
        throw ToolError("run_experiment runs the round's experiment and belongs to the code phase (now: " +
                        context.phase + "); for EDA and analysis use run_python");
    if (context.round < 1) throw ToolError("round 0 has no experiment; use run_python for the EDA");
    const std::string script = text_arg(args, "script", true);
    const fs::path file = files.resolve_for_read(script);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw ToolError("no such script: " + script + "; write it first with write_file");
    const auto& paths = host.host().paths();
    const RunLock lock(paths.rounds, context.round);
    const RunJournal journal(paths.rounds, context.round);
    const std::string hash = content_hash(read_file(file));
    const fs::path log = paths.rounds / (round_tag(context.round) + "_run.log");

    if (auto previous = journal.outcome(); previous && reusable(*previous, hash, paths, context.round)) {
        return describe(*previous, {}) + "(recorded earlier: this exact script already ran, so it was not run "
                                         "again; change the script to run a new experiment)\n";
    }
    ExperimentRequest request;
    request.round = context.round;
    request.script = file;
    request.description = text_arg(args, "description", false);
    const ExperimentResult result = host.host().run_experiment(request);
    json::object outcome = experiment_outcome(host, settings, result);
    outcome["script"] = files.relative(file);
    outcome["script_hash"] = hash;
    outcome["log"] = files.relative(log);
    journal.save_outcome(outcome);
    std::string text = describe(outcome, result.log_tail);
    const fs::path expected = paths.rounds / (round_tag(context.round) + "_experiment.py");
    if (file != expected)
        text += "note: the code phase's output is " + files.relative(expected) + "; save the script you stand by there\n";
    return text;
}

// ---- run_python ----------------------------------------------------------------------------

/// Runs scratch code through the scratch runner, one call at a time per process.
class ScratchRunner {
public:
    ScratchRunner(ToolHost& host, Files files, const ToolSettings& settings)
        : host_(host), files_(std::move(files)), settings_(settings) {}

    std::string run(const ToolCallContext& context, const std::string& code, double timeout_s) {
        std::lock_guard lock(mutex_);
        const auto& paths = host_.host().paths();
        const std::string role = context.role.empty() ? "agent" : context.role;
        const fs::path dir = paths.root / "scratch" / role;
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw Error("cannot create " + dir.string() + ": " + ec.message());
        link_workspace_folders(dir);
        const std::string name = next_name(dir, context.round);
        RunSpec spec;
        spec.round = context.round;
        spec.label = "scratch_" + role + "_" + name;
        spec.script = dir / (name + ".py");
        spec.work_dir = dir;
        spec.log_file = dir / (name + ".log");
        spec.python = python();
        spec.data_dir = paths.data;
        spec.env = {{"PYTHONUNBUFFERED", "1"},
                    {"AUTOKAGGLE_WORKSPACE", paths.root.string()},
                    {"AUTOKAGGLE_DATA_DIR", paths.data.string()},
                    {"AUTOKAGGLE_ROUND", std::to_string(context.round)}};
        spec.timeout_s = timeout_s;
        atomic_write(spec.script, code);
        return follow(spec, files_->relative(spec.script), files_->relative(spec.log_file));
    }

private:
    /// data, rounds and knowledge inside scratch/<role>/ (relative links), so that code written
    /// for the workspace root ("data/train.csv") works from the scratch folder.
    void link_workspace_folders(const fs::path& dir) const {
        const auto& paths = host_.host().paths();
        for (const fs::path& target : {paths.data, paths.rounds, paths.knowledge}) {
            std::error_code ec;
            const fs::path link = dir / target.filename();
            if (!is_within(target.lexically_normal(), paths.root) || fs::exists(fs::symlink_status(link, ec))) continue;
            fs::create_directory_symlink(target.lexically_relative(dir), link, ec);
        }
    }

    static std::string next_name(const fs::path& dir, int round) {
        for (int n = 1;; ++n) {
            char name[32];
            std::snprintf(name, sizeof name, "R%02d_%03d", round, n);
            std::error_code ec;
            if (!fs::exists(dir / (std::string(name) + ".py"), ec)) return name;
        }
    }

    fs::path python() {
        if (python_.empty()) python_ = scratch_python(host_);
        return python_;
    }

    std::string follow(const RunSpec& spec, const std::string& script, const std::string& log) {
        const ScratchOutcome run = run_to_end(host_, spec, settings_.tools.output_limit_bytes);
        std::ostringstream out;
        out << "status: " << to_string(run.end.status);
        if (run.end.exit_code) out << " (exit code " << *run.end.exit_code << ")";
        if (run.end.signal) out << " (signal " << *run.end.signal << ")";
        out << ", " << seconds_text(run.seconds) << "\n";
        if (!run.end.message.empty() && run.end.status != RunStatus::ok) out << "message: " << run.end.message << "\n";
        // The runner's own lines ("[runner] memory cap ...") are notes about the run, not output
        // of the code: shown apart so that the output is what the code printed.
        std::string output;
        std::istringstream lines(run.output);
        for (std::string line; std::getline(lines, line);) {
            if (line.starts_with(supervised::kRunnerNotePrefix))
                out << "note: " << line.substr(supervised::kRunnerNotePrefix.size()) << "\n";
            else output += line + "\n";
        }
        out << "script: " << script << " (output also in " << log << ")\n--- output ---\n"
            << (output.empty() ? std::string("(no output)\n") : output);
        return out.str();
    }

    ToolHost& host_;
    Files files_;
    const ToolSettings& settings_;
    std::mutex mutex_;
    fs::path python_;
};

}  // namespace

void add_run_tools(std::vector<ToolDefinition>& table, Files files, ToolHost& host, const ToolSettings& settings) {
    auto scratch = std::make_shared<ScratchRunner>(host, files, settings);
    const double max_timeout = settings.tools.run_python_timeout_s;
    table.push_back(
        {"run_python",
         "Run scratch Python code (EDA, analysis, looking inside .npy files) with the campaign's interpreter, "
         "time- and memory-limited, in the folder scratch/<role>/, where data/, rounds/ and knowledge/ lead to the "
         "workspace's folders (also: environment variables AUTOKAGGLE_WORKSPACE and AUTOKAGGLE_DATA_DIR). Returns "
         "the status and the output. Never counts as the round's experiment; a failure here records nothing.",
         object_schema({{"code", property("string", "the Python source to run")},
                        {"timeout_s", property("number", "wall-clock limit in seconds (at most the configured limit)")}},
                       {"code"}),
         {},
         [scratch, max_timeout](const ToolCallContext& context, const json::object& args) {
             const double asked = number_arg(args, "timeout_s", max_timeout);
             return scratch->run(context, text_arg(args, "code", true), asked > 0 ? std::min(asked, max_timeout) : max_timeout);
         }});
    table.push_back(
        {"run_experiment",
         "Run the round's experiment script through the configured runner (code phase only). It receives the "
         "contract's arguments (--data-dir, --oof-out, --test-out, --oof-partial, --folds, --seed); the fold-1 kill "
         "gate may stop a run that is clearly weaker than the best model or a near-copy of it. Blocks until it "
         "ends; returns the status, the fold scores, the CV the core recomputed from the OOF file, and the exact "
         "answer to give for the code phase.",
         object_schema({{"script", property("string", "script path relative to the workspace, e.g. rounds/R03_experiment.py")},
                        {"description", property("string", "one line: what this run tests")}},
                       {"script"}),
         {"builder"},
         [files, &host, &settings](const ToolCallContext& context, const json::object& args) {
             return run_experiment(host, *files, settings, context, args);
         }});
}

}  // namespace autokaggle::tools
