#include "cli_agent.hpp"

#include "options.hpp"
#include "role_prompt.hpp"

#include <autokaggle/support/atomic_file.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <sstream>

namespace autokaggle::cli_agent {
namespace fs = std::filesystem;
namespace json = boost::json;

fs::path resolve_executable(const std::string& configured, const std::string& option_path,
                            const std::string& tool_name, const std::string& install_hint) {
    if (auto found = find_executable(configured)) return *found;
    std::string where = configured.find('/') != std::string::npos
                            ? "'" + configured + "' is not an executable file"
                            : "'" + configured + "' was not found on PATH";
    throw ConfigError(option_path + ": the " + tool_name + " CLI " + where + ". Install it with `" + install_hint +
                      "` (and log in once), or set " + option_path + " to the full path of the executable");
}

CliSettings read_cli_settings(const Options& options, std::string plugin_name, std::string tool_name,
                              std::string install_hint) {
    CliSettings settings;
    settings.plugin_name = std::move(plugin_name);
    settings.tool_name = std::move(tool_name);
    settings.install_hint = std::move(install_hint);
    settings.executable = resolve_executable(options.string("executable"),
                                             options.path_of("executable"), settings.tool_name,
                                             settings.install_hint);
    double timeout_s = options.number("timeout_s");
    if (timeout_s < 0) throw ConfigError(options.path_of("timeout_s") + ": must be >= 0 (0 = no limit)");
    settings.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    settings.prompts_dir = options.string("prompts_dir");
    return settings;
}

std::string string_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string unreadable_output_error(std::string what, const CommandResult& result) {
    if (result.exit_code != 0) {
        if (result.signal) what += " (killed by signal " + std::to_string(*result.signal) + ")";
        else if (result.exit_code) what += " (exit code " + std::to_string(*result.exit_code) + ")";
        else what += " (ended)";
    }
    if (auto err = tail(result.err, 800); !err.empty()) what += "; stderr: " + err;
    if (auto out = tail(result.out, 400); !out.empty()) what += "; stdout: " + out;
    return what;
}

std::string last_line_token(std::string_view text) {
    const std::string_view blanks = " \t\r\n";
    const std::string_view marks = " \t*`_>";
    while (!text.empty()) {
        auto end = text.find_last_not_of(blanks);
        if (end == std::string_view::npos) return {};
        text = text.substr(0, end + 1);
        auto start = text.find_last_of('\n');
        std::string_view line = start == std::string_view::npos ? text : text.substr(start + 1);
        auto first = line.find_first_not_of(marks);
        if (first != std::string_view::npos) {
            auto last = line.find_last_not_of(marks);
            return std::string(line.substr(first, last - first + 1));
        }
        // A line of only marks ("```"): look at the one before.
        text = start == std::string_view::npos ? std::string_view{} : text.substr(0, start);
    }
    return {};
}

CliAgent::CliAgent(const PluginContext& context, CliSettings settings)
    : host_(context.host), role_(context.instance), settings_(std::move(settings)) {
    if (!host_) throw Error(settings_.plugin_name + ": created without host services");
    if (role_.empty()) throw ConfigError(settings_.plugin_name + ": created without a role (researcher, builder, reviewer)");
    workspace_ = host_->paths().root;
    std::string option_path = "agents." + role_ + ".options.prompts_dir";
    fs::path prompt_file = find_role_prompt(role_, prompt_search_dirs(workspace_, settings_.prompts_dir), option_path);
    std::vector<std::string> unknown;
    system_prompt_ = render_prompt(read_file(prompt_file), role_, *host_, unknown);
    for (const auto& name : unknown)
        host_->log(LogLevel::warn, settings_.plugin_name,
                   prompt_file.string() + ": unknown placeholder {{" + name + "}} left as written");
    load_session();
}

fs::path CliAgent::session_file() const { return host_->paths().agents / role_ / "session.json"; }

void CliAgent::load_session() {
    fs::path file = session_file();
    auto text = read_file_if_exists(file);
    if (!text) return;
    json::value doc;
    try {
        doc = json::parse(*text);
    } catch (const std::exception& e) {
        throw Error(file.string() + ": not valid JSON (" + e.what() + "); delete it to start the " + role_ +
                    " in a fresh session");
    }
    if (!doc.is_object()) throw Error(file.string() + ": expected a JSON object; delete it to start afresh");
    const auto& o = doc.as_object();
    auto str = [&](const char* key) {
        const auto* v = o.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto num = [&](const char* key) {
        const auto* v = o.if_contains(key);
        return v && v->is_number() ? v->to_number<double>() : 0.0;
    };
    if (std::string plugin = str("plugin"); !plugin.empty() && plugin != settings_.plugin_name) {
        // The role moved to another tool: its session id means nothing here.
        host_->log(LogLevel::warn, settings_.plugin_name,
                   file.string() + " belongs to plugin '" + plugin + "'; the " + role_ + " starts a fresh session");
        return;
    }
    session_id_ = str("session_id");
    pending_summary_ = str("pending_summary");
    calls_ = static_cast<long long>(num("calls"));
    session_calls_ = static_cast<long long>(num("session_calls"));
    cost_usd_ = num("cost_usd");
}

void CliAgent::save_session() const {
    json::object o;
    o["plugin"] = settings_.plugin_name;
    o["role"] = role_;
    o["session_id"] = session_id_;
    o["pending_summary"] = pending_summary_.string();
    o["calls"] = calls_;
    o["session_calls"] = session_calls_;
    o["cost_usd"] = cost_usd_;
    atomic_write(session_file(), json::serialize(o) + "\n");
}

void CliAgent::start_fresh(const fs::path& summary_file) {
    session_id_.clear();
    session_calls_ = 0;
    pending_summary_ = summary_file;
    save_session();
}

void CliAgent::respawn(const fs::path& summary_file) {
    start_fresh(summary_file);
    host_->log(LogLevel::info, settings_.plugin_name + "/" + role_,
               "re-spawned: the next call starts a fresh session seeded with " + summary_file.string());
}

std::string CliAgent::phase_prompt(const PhaseRequest& r) const {
    std::ostringstream p;
    p << r.trigger << "\n\n";
    p << "Round " << r.round << ", phase " << to_string(r.phase) << ".\n";
    if (!r.output.empty()) p << "Write the phase's output to: " << r.output.string() << "\n";
    if (!r.inputs.empty()) {
        p << "Files to read:\n";
        for (const auto& in : r.inputs) p << "- " << in.string() << "\n";
    }
    if (!pending_summary_.empty())
        p << "\nThis is a fresh session of a running campaign. Read the summary of the campaign so far first: "
          << pending_summary_.string() << "\n";
    if (!r.problem.empty())
        p << "\nYour previous answer to this phase was not accepted: " << r.problem << "\nFix that and answer again.\n";
    p << "\nEnd your reply with the phase's token alone on its last line: " << expected_reply(r.phase) << "\n";
    return p.str();
}

std::string CliAgent::failure_prefix(const PhaseRequest& r) const {
    return settings_.tool_name + " (" + settings_.plugin_name + ", " + role_ + ") failed in round " +
           std::to_string(r.round) + ", phase " + std::string(to_string(r.phase)) + ": ";
}

void CliAgent::adopt_session(const std::string& id) {
    if (id.empty() || id == session_id_) return;
    session_id_ = id;
    session_calls_ = 0;
    pending_summary_.clear();  // the fresh session exists and has seen the summary
    save_session();
}

CommandResult CliAgent::call_cli(const PhaseRequest& request, CliReply& reply) {
    CliCall call{phase_prompt(request), system_prompt_, session_id_, request.output};
    CommandSpec spec;
    spec.argv = command_line(call);
    spec.cwd = workspace_;
    spec.timeout = settings_.timeout;
    HostServices* host = host_;
    spec.should_stop = [host] { return host->cancel_requested(); };
    std::string partial_line;  // stdout since the last newline
    spec.on_stdout = [this, &partial_line](std::string_view piece) {
        partial_line.append(piece);
        for (auto nl = partial_line.find('\n'); nl != std::string::npos; nl = partial_line.find('\n')) {
            adopt_session(session_announced(std::string_view(partial_line).substr(0, nl)));
            partial_line.erase(0, nl + 1);
        }
    };

    host_->log(LogLevel::debug, settings_.plugin_name + "/" + role_,
               "round " + std::to_string(request.round) + " " + std::string(to_string(request.phase)) + ": " +
                   (session_id_.empty() ? "new session" : "resuming session " + session_id_));
    CommandResult result;
    try {
        result = run_command(spec);
    } catch (const Error& e) {
        throw Error(failure_prefix(request) + e.what() + " (set agents." + role_ +
                    ".options.executable to the tool's path if it moved)");
    }
    ++calls_;
    if (result.stopped) {
        save_session();
        throw Cancelled(failure_prefix(request) + "stopped because the campaign is stopping");
    }
    if (result.timed_out) {
        save_session();
        std::string err = tail(result.err, 800);
        throw Error(failure_prefix(request) + result.describe_end(spec) + "; raise agents." + role_ +
                    ".options.timeout_s if the phase needs longer" + (err.empty() ? "" : "; stderr: " + err));
    }

    reply = parse_output(result);
    ++session_calls_;
    if (!reply.session_missing) adopt_session(reply.session_id);
    if (reply.usage) {
        cost_usd_ += reply.usage->usd;
        host_->report_usage(role_, *reply.usage);
    }
    save_session();  // before the next phase starts, whatever happened to this one
    if (reply.error.empty() && result.exit_code != 0) {
        reply.error = result.describe_end(spec);
        if (std::string err = tail(result.err, 800); !err.empty()) reply.error += "; stderr: " + err;
    }
    return result;
}

void CliAgent::recover_lost_session(const std::string& lost_id, const std::string& reason) {
    const fs::path summary = host_->paths().agents / role_ / "recovered_summary.md";
    std::ostringstream text;
    text << "# The campaign so far, for the " << role_ << "\n\n"
         << "The " << settings_.tool_name << " session " << lost_id << " this role worked in could not be resumed ("
         << tail(reason, 300) << "). The CLI keeps its sessions per user, so a moved or copied workspace, "
         << "another HOME or the CLI's own clean-up loses them. Start again from the campaign's records:\n\n"
         << "- " << host_->paths().results.string() << ": one row per round (script, CV, LB, status)\n"
         << "- " << host_->paths().learnings.string() << ": what the campaign learned\n"
         << "- " << host_->paths().rounds.string() << ": every phase's output (R{NN}_*.md, R{NN}_experiment.py)\n";
    // The newest summary a re-spawn left (agents/summary_R{NN}.md), when there is one.
    fs::path latest;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(host_->paths().agents, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("summary_", 0) == 0 && entry.path().extension() == ".md" && entry.path() > latest)
            latest = entry.path();
    }
    if (!latest.empty()) text << "- " << latest.string() << ": the campaign's summary at its last re-spawn\n";
    if (auto results = read_file_if_exists(host_->paths().results); results && !results->empty())
        text << "\n## Results so far\n\n" << tail(*results, 4000) << "\n";
    atomic_write(summary, text.str());
    start_fresh(summary);
    host_->log(LogLevel::warn, settings_.plugin_name + "/" + role_,
               "session " + lost_id + " could not be resumed (" + tail(reason, 300) +
                   "); starting a fresh session seeded with " + summary.string());
}

std::string CliAgent::run_phase(const PhaseRequest& request) {
    if (host_->cancel_requested()) throw Cancelled("campaign stopping before " + std::string(to_string(request.phase)));
    const std::string resumed = session_id_;
    CliReply reply;
    CommandResult result = call_cli(request, reply);
    if (reply.session_missing && !resumed.empty()) {
        recover_lost_session(resumed, reply.error);
        result = call_cli(request, reply);
    }

    std::string denied;
    for (const auto& d : reply.denials) denied += (denied.empty() ? "" : "; ") + d;
    const bool output_missing = !request.output.empty() && (!fs::exists(request.output) || fs::file_size(request.output) == 0);
    if (!denied.empty() && (output_missing || !reply.error.empty())) {
        std::string what = settings_.tool_name + "'s permissions refused " + std::to_string(reply.denials.size()) +
                           " tool call(s): " + denied;
        if (output_missing) what += "; the phase's output " + request.output.string() + " was not written";
        what += ". Allow the tools the " + role_ + " needs in agents." + role_ +
                ".options (allowed_tools, permission_mode; see docs/coding-agents.md)";
        throw Error(failure_prefix(request) + (reply.error.empty() ? what : reply.error + "; " + what));
    }
    if (!reply.error.empty()) throw Error(failure_prefix(request) + reply.error);
    if (!denied.empty())
        host_->log(LogLevel::warn, settings_.plugin_name + "/" + role_,
                   "round " + std::to_string(request.round) + " " + std::string(to_string(request.phase)) + ": " +
                       settings_.tool_name + "'s permissions refused: " + denied);
    std::string token = last_line_token(reply.text);
    if (token.empty()) throw Error(failure_prefix(request) + "the final message is empty (expected " +
                                   std::string(expected_reply(request.phase)) + " on its last line)");

    char cost[32];
    std::snprintf(cost, sizeof cost, "%.4f", reply.usage ? reply.usage->usd : 0.0);
    host_->log(LogLevel::info, settings_.plugin_name + "/" + role_,
               "round " + std::to_string(request.round) + " " + std::string(to_string(request.phase)) + " -> " +
                   token + " (session " + session_id_ + (reply.detail.empty() ? "" : ", " + reply.detail) + ", $" +
                   cost + ", " + std::to_string(static_cast<long long>(result.seconds)) + " s)");
    return token;
}

}  // namespace autokaggle::cli_agent
