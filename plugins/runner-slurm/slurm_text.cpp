#include "slurm_text.hpp"

#include <cctype>
#include <cmath>
#include <csignal>
#include <cstring>
#include <sstream>

namespace autokaggle::slurm {
namespace fs = std::filesystem;

std::string job_name(const JobOptions& options, const RunSpec& spec) {
    std::string label = spec.label.empty() ? "R" + std::to_string(spec.round) + "_experiment" : spec.label;
    return options.job_name_prefix.empty() ? label : options.job_name_prefix + "-" + label;
}

std::string time_limit(double seconds) {
    long long minutes = static_cast<long long>(std::ceil(seconds / 60.0));
    return std::to_string(minutes < 1 ? 1 : minutes);
}

std::string shell_quote(std::string_view word) {
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

namespace {
/// Slurm expands %j, %x ... in file names; a literal % is written %%.
std::string escape_percent(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == '%') out += '%';
        out += c;
    }
    return out;
}
}  // namespace

std::vector<std::string> sbatch_args(const JobOptions& o, const RunSpec& spec, const fs::path& output_file,
                                     double timeout_s) {
    std::vector<std::string> args{"--parsable",
                                  "--job-name=" + job_name(o, spec),
                                  "--output=" + escape_percent(output_file.string()),
                                  "--chdir=" + spec.work_dir.string(),
                                  "--open-mode=truncate"};
    if (timeout_s > 0) args.push_back("--time=" + time_limit(timeout_s));
    if (!o.partition.empty()) args.push_back("--partition=" + o.partition);
    if (!o.account.empty()) args.push_back("--account=" + o.account);
    if (!o.qos.empty()) args.push_back("--qos=" + o.qos);
    if (!o.gres.empty()) args.push_back("--gres=" + o.gres);
    if (!o.constraint.empty()) args.push_back("--constraint=" + o.constraint);
    if (o.cpus > 0) args.push_back("--cpus-per-task=" + std::to_string(o.cpus));
    if (o.mem_mb > 0) args.push_back("--mem=" + std::to_string(o.mem_mb) + "M");
    return args;
}

std::string batch_script(const JobOptions& o, const RunSpec& spec, const fs::path& sentinel) {
    std::ostringstream s;
    s << "#!/bin/bash\n";
    for (const auto& d : o.extra_directives) s << "#SBATCH " << d << "\n";
    s << "# Written by AutoKaggle's slurm runner for " << spec.label << "; submitted with sbatch.\n";
    s << "sentinel=" << shell_quote(sentinel.string()) << "\n"
      << "if [ ! -e \"$sentinel\" ]; then\n"
      << "  echo \"[runner-slurm] node $(hostname) cannot see the workspace ($sentinel is missing): the runner "
      << "needs a filesystem shared between this machine and the cluster's nodes, at the same path\" >&2\n"
      << "  exit " << kNoWorkspaceExit << "\n"
      << "fi\n";
    s << "export AUTOKAGGLE_THREADS=\"${SLURM_CPUS_PER_TASK:-$(nproc)}\"\n";
    s << "export OMP_NUM_THREADS=\"$AUTOKAGGLE_THREADS\"\n";
    for (const auto& [name, value] : spec.env) s << "export " << name << "=" << shell_quote(value) << "\n";
    for (const auto& line : o.setup) s << line << "\n";
    std::string python = o.python.empty() ? spec.python.string() : o.python;
    s << "exec " << shell_quote(python) << " -u " << shell_quote(spec.script.string());
    for (const auto& a : spec.args) s << " " << shell_quote(a);
    s << "\n";
    return s.str();
}

std::optional<std::string> parse_sbatch_id(std::string_view out) {
    // The last non-empty line ("Submitted batch job" chatter may come before with some wrappers).
    std::string_view line;
    std::size_t pos = 0;
    while (pos < out.size()) {
        auto nl = out.find('\n', pos);
        std::string_view l = out.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back()))) l.remove_suffix(1);
        if (!l.empty()) line = l;
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    line = line.substr(0, line.find(';'));
    if (line.empty()) return std::nullopt;
    for (char c : line)
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
    return std::string(line);
}

std::map<std::string, std::string> parse_scontrol_line(std::string_view line) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    std::string last_key;
    while (pos < line.size()) {
        while (pos < line.size() && std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
        auto end = pos;
        while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
        std::string_view word = line.substr(pos, end - pos);
        pos = end;
        if (word.empty()) continue;
        auto eq = word.find('=');
        // A word without '=' or starting with a non-letter continues the previous value
        // (Reason=... with spaces, Command=/path with spaces).
        if (eq == std::string_view::npos || eq == 0 || !std::isupper(static_cast<unsigned char>(word[0]))) {
            if (!last_key.empty()) out[last_key] += " " + std::string(word);
            continue;
        }
        last_key = std::string(word.substr(0, eq));
        out[last_key] = std::string(word.substr(eq + 1));
    }
    return out;
}

namespace {
std::string base_state(std::string_view state) {
    std::string s(state);
    if (auto sp = s.find(' '); sp != std::string::npos) s.resize(sp);  // "CANCELLED by 0"
    while (!s.empty() && (s.back() == '+' || s.back() == '*')) s.pop_back();
    return s;
}
}  // namespace

bool is_active_state(std::string_view state) {
    const std::string s = base_state(state);
    for (const char* active : {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED",
                               "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
                               "RESV_DEL_HOLD", "SPECIAL_EXIT"})
        if (s == active) return true;
    return false;
}

JobOutcome classify(std::string_view state, std::string_view exit_code, std::string_view reason, bool we_cancelled) {
    JobOutcome o;
    const std::string s = base_state(state);
    if (s.empty() || is_active_state(s)) return o;
    // ExitCode=a:b - a is the exit status, b the signal that ended the batch script (0: none).
    if (auto colon = exit_code.find(':'); colon != std::string_view::npos) {
        int code = std::atoi(std::string(exit_code.substr(0, colon)).c_str());
        int sig = std::atoi(std::string(exit_code.substr(colon + 1)).c_str());
        if (sig > 0) o.signal = sig;
        else o.exit_code = code;
    } else if (!exit_code.empty()) {
        o.exit_code = std::atoi(std::string(exit_code).c_str());
    }
    auto how = [&] {
        if (o.signal) return "killed by signal " + std::to_string(*o.signal) + " (" + strsignal(*o.signal) + ")";
        if (o.exit_code) return "exit code " + std::to_string(*o.exit_code);
        return std::string("no exit status");
    };
    std::string why = reason.empty() || reason == "None" ? "" : ", reason " + std::string(reason);
    if (s == "COMPLETED") {
        o.status = RunStatus::ok;
        o.message = "job COMPLETED (" + how() + ")";
    } else if (s == "TIMEOUT") {
        o.status = RunStatus::timeout;
        o.message = "job reached its Slurm time limit (JobState=TIMEOUT)";
    } else if (s == "OUT_OF_MEMORY") {
        o.status = RunStatus::oom;
        o.message = "job ran out of memory (JobState=OUT_OF_MEMORY); raise runner.options.mem_mb";
    } else if (s == "CANCELLED") {
        o.status = we_cancelled ? RunStatus::cancelled : RunStatus::crash;
        o.message = we_cancelled ? "job cancelled with scancel" : "job was cancelled outside AutoKaggle (" +
                                                                       std::string(state) + why + ")";
    } else if (s == "FAILED" && o.exit_code == kNoWorkspaceExit) {
        o.status = RunStatus::crash;
        o.message = "job could not see the workspace (exit code 97): the cluster's nodes need the workspace on a "
                    "shared filesystem at the same path";
    } else {
        o.status = RunStatus::crash;
        o.message = "job ended in state " + s + " (" + how() + why + ")";
    }
    return o;
}

}  // namespace autokaggle::slurm
