// A fake `claude` and a fake `codex` (one program, two names) whose "model" is the scripted
// competitor (tests/support/scripted_competitor.hpp) and whose only tools are the ones an MCP
// server offers: it starts the server registered on its command line exactly as the real CLI
// reads it (Claude Code: --mcp-config JSON; Codex: -c mcp_servers.autokaggle.command/args as
// TOML), does the MCP handshake, lists the tools, calls them over JSON-RPC, and prints its final
// message in the real CLI's output format. Claude Code's --allowedTools is honoured: a tool not
// allowed is a permission denial, as in the real CLI.
//
// Each call appends one JSON line to $FAKE_MCP_LOG: argv, cwd, the protocol version the server
// answered, the tools it listed, the tool calls made (name and whether the result was an error).
#include "support/scripted_competitor.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace json = boost::json;
namespace fs = std::filesystem;
using autokaggle::test::Move;
using autokaggle::test::PhaseView;

namespace {

struct ServerCommand {
    std::string command;
    std::vector<std::string> args;
};

/// A TOML basic string or an array of them (what the codex plugin writes after `=`).
std::vector<std::string> toml_strings(const std::string& value) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < value.size()) {
        if (value[i] != '"') {
            ++i;
            continue;
        }
        std::string s;
        for (++i; i < value.size() && value[i] != '"'; ++i) {
            if (value[i] == '\\' && i + 1 < value.size()) {
                const char e = value[++i];
                s += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            } else {
                s += value[i];
            }
        }
        ++i;
        out.push_back(std::move(s));
    }
    return out;
}

/// A child process speaking MCP on pipes.
class McpClient {
public:
    explicit McpClient(const ServerCommand& server) {
        int in[2], out[2];
        if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], STDIN_FILENO);
            ::dup2(out[1], STDOUT_FILENO);
            ::close(in[1]);
            ::close(out[0]);
            std::vector<char*> argv{const_cast<char*>(server.command.c_str())};
            for (const auto& a : server.args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(server.command.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = out[0];
    }
    ~McpClient() {
        ::close(to_);
        int status = 0;
        ::waitpid(pid_, &status, 0);  // the server exits when its input ends
        ::close(from_);
    }

    json::object request(const std::string& method, json::object params) {
        send({{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", std::move(params)}});
        while (true) {
            json::object reply = receive();
            if (reply.contains("id") && reply.at("id") == json::value(id_)) return reply;
        }
    }
    void send(const json::object& message) {
        const std::string line = json::serialize(message) + "\n";
        std::size_t done = 0;
        while (done < line.size()) {
            const ssize_t n = ::write(to_, line.data() + done, line.size() - done);
            if (n <= 0) throw std::runtime_error("the MCP server closed its input");
            done += static_cast<std::size_t>(n);
        }
    }

private:
    json::object receive() {
        while (true) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                const std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return json::parse(line).as_object();
            }
            char b[65536];
            const ssize_t n = ::read(from_, b, sizeof b);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw std::runtime_error("the MCP server ended without answering");
            buffer_.append(b, static_cast<std::size_t>(n));
        }
    }

    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
    long long id_ = 0;
    std::string buffer_;
};

std::string session_id(const std::string& tool) { return "fake-" + tool + "-" + std::to_string(::getpid()); }

void log_call(const json::object& entry) {
    const char* file = std::getenv("FAKE_MCP_LOG");
    if (!file) return;
    std::ofstream out(file, std::ios::app);
    out << json::serialize(entry) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    const std::string tool = fs::path(argv[0]).filename().string();
    const std::vector<std::string> args(argv + 1, argv + argc);
    json::object entry{{"tool", tool}, {"cwd", fs::current_path().string()}};
    json::array argv_json;
    for (const auto& a : args) argv_json.push_back(json::string(a));
    entry["argv"] = argv_json;

    // What the real CLI reads from its command line.
    std::string prompt, resume;
    std::vector<std::string> allowed;
    std::optional<ServerCommand> server;
    std::map<std::string, std::string> codex_config;
    std::vector<std::string> positionals;
    bool codex_resume = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool has_value = i + 1 < args.size();
        if (tool == "claude") {
            if (a == "-p" && has_value) prompt = args[++i];
            else if (a.rfind("--resume=", 0) == 0) resume = a.substr(9);
            else if (a == "--allowedTools" && has_value) {
                std::stringstream list(args[++i]);
                for (std::string t; std::getline(list, t, ',');) allowed.push_back(t);
            } else if (a == "--mcp-config" && has_value) {
                const std::string value = args[++i];
                const json::value config = json::parse(value.front() == '{' ? value : [&] {
                    std::ifstream in(value);
                    return std::string(std::istreambuf_iterator<char>(in), {});
                }());
                if (const auto* s = config.at("mcpServers").as_object().if_contains("autokaggle")) {
                    ServerCommand c{std::string(s->at("command").as_string()), {}};
                    for (const auto& x : s->at("args").as_array()) c.args.emplace_back(x.as_string());
                    server = c;
                }
            } else if ((a == "--append-system-prompt" || a == "--output-format" || a == "--model" || a == "--max-turns" ||
                        a == "--permission-mode") && has_value) {
                ++i;
            }
        } else if (a == "-c" && has_value) {
            const std::string kv = args[++i];
            const auto eq = kv.find('=');
            if (eq != std::string::npos) codex_config[kv.substr(0, eq)] = kv.substr(eq + 1);
        } else if ((a == "-m" || a == "-s") && has_value) {
            ++i;
        } else if (a == "resume") {
            codex_resume = true;
        } else if (a != "exec" && a.rfind("-", 0) != 0) {
            positionals.push_back(a);
        }
    }
    if (tool == "codex") {  // exec [resume <thread id>] <prompt>
        if (codex_resume && positionals.size() >= 2) resume = positionals[0];
        if (!positionals.empty()) prompt = positionals.back();
    }
    if (tool == "codex" && codex_config.count("mcp_servers.autokaggle.command")) {
        ServerCommand c;
        const auto command = toml_strings(codex_config["mcp_servers.autokaggle.command"]);
        if (!command.empty()) c.command = command.front();
        c.args = toml_strings(codex_config["mcp_servers.autokaggle.args"]);
        server = c;
        entry["tool_timeout_sec"] = codex_config["mcp_servers.autokaggle.tool_timeout_sec"];
    }
    const std::string session = resume.empty() ? session_id(tool) : resume;

    std::string final_text;
    json::array calls;
    int turns = 0;
    try {
        if (!server) throw std::runtime_error("no autokaggle MCP server was registered on the command line");
        McpClient mcp(*server);
        const std::string version = tool == "claude" ? "2025-06-18" : "2025-03-26";
        const auto init = mcp.request("initialize", {{"protocolVersion", version}, {"capabilities", json::object{}},
                                                     {"clientInfo", json::object{{"name", tool}, {"version", "0.0-fake"}}}});
        entry["protocol"] = init.at("result").at("protocolVersion");
        mcp.send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
        json::array listed;
        const json::object tools_list = mcp.request("tools/list", {});
        for (const auto& t : tools_list.at("result").at("tools").as_array()) listed.push_back(t.at("name"));
        entry["tools"] = listed;

        auto view = autokaggle::test::parse_phase(prompt);
        if (!view) throw std::runtime_error("no phase in the prompt");
        view->workspace = fs::current_path().filename().string();
        for (; turns < 20; ++turns) {
            const Move move = autokaggle::test::next_move(*view);
            if (move.tool.empty()) {
                final_text = move.text;
                break;
            }
            const std::string full = "mcp__autokaggle__" + move.tool;
            if (tool == "claude" && std::find(allowed.begin(), allowed.end(), full) == allowed.end()) {
                calls.push_back(json::object{{"name", move.tool}, {"denied", true}});
                view->results.push_back("Claude requested permissions to use " + full + ", but you haven't granted it yet.");
                continue;
            }
            const auto reply = mcp.request("tools/call", {{"name", move.tool}, {"arguments", move.arguments}});
            std::string text;
            bool is_error = true;
            if (reply.contains("result")) {
                text = std::string(reply.at("result").at("content").at(0).at("text").as_string());
                is_error = reply.at("result").at("isError").as_bool();
            } else {
                text = "MCP error: " + std::string(reply.at("error").at("message").as_string());
            }
            calls.push_back(json::object{{"name", move.tool}, {"is_error", is_error}});
            view->results.push_back(text);
        }
    } catch (const std::exception& e) {
        entry["error"] = e.what();
        entry["calls"] = calls;
        log_call(entry);
        if (tool == "claude") {
            std::cout << json::serialize(json::object{{"type", "result"}, {"subtype", "error_during_execution"}, {"is_error", true},
                                                      {"result", e.what()}, {"session_id", session}})
                      << "\n";
        } else {
            std::cout << json::serialize(json::object{{"type", "turn.failed"}, {"error", json::object{{"message", e.what()}}}}) << "\n";
        }
        return 1;
    }
    entry["calls"] = calls;
    log_call(entry);
    if (tool == "claude") {
        std::cout << json::serialize(json::object{
                         {"type", "result"}, {"subtype", "success"}, {"is_error", false}, {"result", final_text},
                         {"session_id", session}, {"num_turns", turns + 1}, {"total_cost_usd", 0.02},
                         {"usage", json::object{{"input_tokens", 120}, {"output_tokens", 40}, {"cache_creation_input_tokens", 30},
                                                {"cache_read_input_tokens", 500}}}})
                  << "\n";
    } else {
        if (resume.empty()) std::cout << json::serialize(json::object{{"type", "thread.started"}, {"thread_id", session}}) << "\n";
        std::cout << json::serialize(json::object{{"type", "item.completed"},
                                                  {"item", json::object{{"id", "item_1"}, {"type", "agent_message"}, {"text", final_text}}}})
                  << "\n"
                  << json::serialize(json::object{{"type", "turn.completed"},
                                                  {"usage", json::object{{"input_tokens", 650}, {"cached_input_tokens", 500},
                                                                         {"output_tokens", 40}}}})
                  << "\n";
    }
    return 0;
}
