// A stand-in for the `claude` and `codex` CLIs: prints their real output shapes (Claude Code's
// JSON result object, Codex's JSON lines), so the agent plugins are tested without the tools.
// Which tool it plays comes from the name it was started as (a `claude` or `codex` symlink).
//
// Environment:
//   FAKE_AGENT_LOG      file that gets one JSON line per call: {"call","tool","argv","cwd","pids"}
//   FAKE_AGENT_CONTROL  JSON file {"queue": [behaviour...], "phases": {"code": behaviour, ...},
//                       "default": behaviour}; each call takes the first queue entry (and rewrites
//                       the file without it), else the entry for its phase, else "default".
// A behaviour (every field optional):
//   "action":       "answer" (default) | "hang" (announces its session, then sleeps, with a child
//                   in its process group) | "hang_detached" (the same, its child in a session of
//                   its own and deaf to SIGTERM, as the CLIs' shell tools start them) |
//                   "garbage" (prints text that is not the tool's JSON)
//   "result":       the final message (default: a line of text, then the phase's token)
//   "token":        the token to end the default message with (default from the phase:
//                   DONE / APPROVED / REVISED / CV_SCORE=0.75)
//   "is_error", "subtype":   Claude Code's fields (default false, "success")
//   "turn_failed":  Codex: end with turn.failed carrying this message
//   "exit_code":    exit status after printing (default 0)
//   "stderr":       printed to stderr
//   "write_output": write the file named on the prompt's "Write the phase's output to:" line
//                   (default true)
//   "run":          argv of a command run in the working folder before answering; "{output}" and
//                   "{round}" in its arguments are replaced; with "token": "{run}" the token is
//                   the last line the command printed
//   "session_id":   the id to report instead of the usual one
//   "cost", "input_tokens", "output_tokens", "cache_creation", "cache_read": usage to report
//                   (defaults 0.25, 1000, 200, 50, 300)
// Session ids: a new session is "<tool>-session-<call>", a resumed one keeps the id it was given.
// Claude Code's output is stream-json: the init event (with the session id) first, the result last.
#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_whole(const fs::path& p, const std::string& text) {
    fs::path tmp = p;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary);
        out << text;
    }
    fs::rename(tmp, p);
}

int count_lines(const fs::path& p) {
    std::ifstream in(p);
    int n = 0;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) ++n;
    return n;
}

/// Pops the behaviour of this call from the control file.
json::object next_behaviour(const std::string& phase) {
    std::string control = env("FAKE_AGENT_CONTROL");
    if (control.empty() || !fs::exists(control)) return {};
    json::value doc = json::parse(slurp(control));
    auto& o = doc.as_object();
    if (auto* q = o.if_contains("queue"); q && q->is_array() && !q->as_array().empty()) {
        json::object first = q->as_array().front().as_object();
        q->as_array().erase(q->as_array().begin());
        write_whole(control, json::serialize(doc));
        return first;
    }
    if (auto* by_phase = o.if_contains("phases"); by_phase && by_phase->is_object())
        if (auto* b = by_phase->as_object().if_contains(phase); b && b->is_object()) return b->as_object();
    if (auto* d = o.if_contains("default"); d && d->is_object()) return d->as_object();
    return {};
}

std::string str(const json::object& o, const char* key, const std::string& fallback = "") {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : fallback;
}
double num(const json::object& o, const char* key, double fallback) {
    const auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<double>() : fallback;
}
bool flag(const json::object& o, const char* key, bool fallback) {
    const auto* v = o.if_contains(key);
    return v && v->is_bool() ? v->as_bool() : fallback;
}

/// The value after "<label>" on the prompt's line that starts with it.
std::string prompt_line_value(const std::string& prompt, const std::string& label) {
    auto pos = prompt.find(label);
    if (pos == std::string::npos) return {};
    auto end = prompt.find('\n', pos);
    return prompt.substr(pos + label.size(), end == std::string::npos ? std::string::npos : end - pos - label.size());
}

std::string phase_of(const std::string& prompt) {
    std::string v = prompt_line_value(prompt, ", phase ");
    if (!v.empty() && v.back() == '.') v.pop_back();
    return v;
}

std::string default_token(const std::string& phase) {
    if (phase == "review" || phase == "verify") return "APPROVED";
    if (phase == "revise") return "REVISED";
    if (phase == "code") return "CV_SCORE=0.75";
    return "DONE";
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return s;
}

/// Runs the behaviour's "run" command; returns its stdout.
std::string run_command(const json::object& b, const std::string& output, const std::string& round) {
    const auto* run = b.if_contains("run");
    if (!run || !run->is_array()) return {};
    std::vector<std::string> args;
    for (const auto& a : run->as_array())
        args.push_back(replace_all(replace_all(std::string(a.as_string()), "{output}", output), "{round}", round));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return out;
}

/// The last non-empty line of `text`.
std::string last_line(const std::string& text) {
    std::istringstream in(text);
    std::string line, last;
    while (std::getline(in, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
    return last;
}

}  // namespace

int main(int argc, char** argv) {
    std::string tool = fs::path(argv[0]).filename().string();
    if (tool != "claude" && tool != "codex") tool = env("FAKE_AGENT_TOOL").empty() ? "claude" : env("FAKE_AGENT_TOOL");
    std::vector<std::string> args(argv + 1, argv + argc);

    fs::path log = env("FAKE_AGENT_LOG");
    int call = (log.empty() ? 0 : count_lines(log)) + 1;

    // What the plugin asked for.
    std::string prompt, resume;
    if (tool == "claude") {
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (args[i] == "-p" && i + 1 < args.size()) prompt = args[i + 1];
            if (args[i].rfind("--resume=", 0) == 0) resume = args[i].substr(9);
            if (args[i] == "--resume" && i + 1 < args.size()) resume = args[i + 1];
        }
    } else {
        // codex exec [opts] PROMPT  |  codex exec resume [opts] ID PROMPT
        bool is_resume = args.size() > 1 && args[1] == "resume";
        if (!args.empty()) prompt = args.back();
        if (is_resume && args.size() >= 2) resume = args[args.size() - 2];
    }
    json::object behaviour = next_behaviour(phase_of(prompt));
    std::string action = str(behaviour, "action", "answer");
    std::string session = str(behaviour, "session_id", resume.empty() ? tool + "-session-" + std::to_string(call) : resume);

    pid_t helper = 0;
    if (action == "hang" || action == "hang_detached") {
        helper = fork();  // a child the plugin must end with the CLI
        if (helper == 0) {
            if (action == "hang_detached") {
                setsid();
                signal(SIGTERM, SIG_IGN);
            }
            for (;;) pause();
        }
    }
    if (!log.empty()) {
        json::object rec{{"call", call}, {"tool", tool}, {"cwd", fs::current_path().string()},
                         {"pids", json::array{getpid(), helper}}};
        json::array a;
        for (const auto& s : args) a.emplace_back(s);
        rec["argv"] = std::move(a);
        std::ofstream out(log, std::ios::app);
        out << json::serialize(rec) << "\n";
    }
    if (!str(behaviour, "stderr").empty()) std::cerr << str(behaviour, "stderr") << std::endl;
    if (action == "garbage") {
        std::cout << "Error: something went wrong\n<html>not json</html>" << std::endl;
        return static_cast<int>(num(behaviour, "exit_code", 0));
    }
    if (tool == "claude")
        std::cout << json::serialize(json::object{{"type", "system"}, {"subtype", "init"}, {"session_id", session},
                                                  {"cwd", fs::current_path().string()}})
                  << std::endl;
    else
        std::cout << json::serialize(json::object{{"type", "thread.started"}, {"thread_id", session}}) << std::endl;
    if (action == "hang" || action == "hang_detached") {
        for (;;) pause();
    }

    std::string output = prompt_line_value(prompt, "Write the phase's output to: ");
    std::string phase = phase_of(prompt);
    std::string round = prompt_line_value(prompt, "Round ");
    round = round.substr(0, round.find(','));
    if (flag(behaviour, "write_output", true) && !output.empty()) {
        std::ofstream out(output, std::ios::app);
        out << "# " << tool << " wrote this for phase " << phase << " (round " << round << ", call " << call << ")\n";
    }
    std::string run_output = run_command(behaviour, output, round);

    std::string token = str(behaviour, "token", default_token(phase));
    if (token == "{run}") token = last_line(run_output);
    std::string result = str(behaviour, "result", "Finished the " + phase + " phase.\n\n" + token);
    double cost = num(behaviour, "cost", 0.25);
    auto tokens = [&](const char* key, double fallback) { return static_cast<long long>(num(behaviour, key, fallback)); };

    if (tool == "claude") {
        bool is_error = flag(behaviour, "is_error", false);
        json::object r{{"type", "result"},
                       {"subtype", str(behaviour, "subtype", "success")},
                       {"is_error", is_error},
                       {"duration_ms", 1234},
                       {"num_turns", 7},
                       {"result", result},
                       {"session_id", session},
                       {"total_cost_usd", cost},
                       {"usage", {{"input_tokens", tokens("input_tokens", 1000)},
                                  {"output_tokens", tokens("output_tokens", 200)},
                                  {"cache_creation_input_tokens", tokens("cache_creation", 50)},
                                  {"cache_read_input_tokens", tokens("cache_read", 300)}}}};
        std::cout << json::serialize(r) << std::endl;
    } else {
        std::cout << json::serialize(json::object{{"type", "turn.started"}}) << "\n";
        std::cout << json::serialize(json::object{
                         {"type", "item.completed"},
                         {"item", {{"id", "item_0"}, {"type", "reasoning"}, {"text", "Reading the files."}}}})
                  << "\n";
        if (std::string failed = str(behaviour, "turn_failed"); !failed.empty()) {
            std::cout << json::serialize(json::object{{"type", "error"}, {"message", failed}}) << "\n";
            std::cout << json::serialize(json::object{{"type", "turn.failed"}, {"error", {{"message", failed}}}})
                      << std::endl;
            return static_cast<int>(num(behaviour, "exit_code", 1));
        }
        std::cout << json::serialize(json::object{
                         {"type", "item.completed"},
                         {"item", {{"id", "item_1"}, {"type", "agent_message"}, {"text", result}}}})
                  << "\n";
        std::cout << json::serialize(json::object{
                         {"type", "turn.completed"},
                         {"usage", {{"input_tokens", tokens("input_tokens", 1000)},
                                    {"cached_input_tokens", tokens("cache_read", 300)},
                                    {"output_tokens", tokens("output_tokens", 200)}}}})
                  << std::endl;
    }
    return static_cast<int>(num(behaviour, "exit_code", 0));
}
