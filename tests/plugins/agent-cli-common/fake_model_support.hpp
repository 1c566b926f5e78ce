// A scripted model behind the two wire formats the coding-agent CLIs stream, for driving the real
// Claude Code and Codex against loopback:
//   POST /v1/messages   Anthropic Messages, server-sent events (and plain JSON when not streamed)
//   POST /v1/responses  OpenAI Responses API, server-sent events
// Every other request (a proxy CONNECT, an absolute-URI request, an unknown path) is refused and
// recorded as stray: point HTTPS_PROXY/HTTP_PROXY at this server and a CLI that tries to reach
// anything but loopback shows up in stray_requests().
//
// The model is stateless: each request is answered from the conversation it carries. The prompt
// is the last user message that is not a tool result; the k-th request after it gets turn k of
// the first script (latest added first) whose `when` the prompt contains. Text, tool inputs and
// free-form tool input may use placeholders taken from the conversation:
//   {output}  the path on the prompt's "Write the phase's output to: " line
//   {round}   the number on its "Round N, phase P." line; {phase} the phase
//   {tool_output}            the text of the latest tool result
//   {tool_output_last_line}  its last non-empty line (e.g. the CV_SCORE=... an experiment printed)
#pragma once

#include "support/fake_server.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace autokaggle::test {

/// A tool call the model makes. Claude Code's tools take JSON (Write, Bash, Edit, and MCP tools
/// as mcp__<server>__<tool>); Codex's are function calls (exec_command; an MCP tool is the
/// function <tool> in the namespace mcp__<server>) or, for apply_patch, free-form text.
struct ScriptedCall {
    std::string name;
    boost::json::object input;  ///< the arguments of a JSON tool
    std::string freeform;       ///< non-empty: a free-form (custom) tool's input instead
    std::string ns;             ///< Codex: the function's namespace ("mcp__autokaggle"), if any
};

/// One answer of the model: its text, then its tool calls.
struct ModelTurn {
    std::string text;
    std::vector<ScriptedCall> calls;
    std::chrono::milliseconds delay{0};  ///< the model thinks this long before the first event
};

class FakeModelServer {
public:
    FakeModelServer();

    /// Requests whose prompt contains `when` ("" = every request) get `turns`, one per request
    /// after the prompt (the last one repeats). The first `cut_streams` answers stop before their
    /// final event, as a dropped connection does. Later scripts win.
    void script(std::string when, std::vector<ModelTurn> turns, int cut_streams = 0);

    std::string base_url() const;  ///< "http://127.0.0.1:PORT"
    /// The same server, to be set as HTTPS_PROXY/HTTP_PROXY: whatever arrives through it is stray.
    std::string proxy_url() const { return base_url(); }

    /// POST /v1/messages and /v1/responses requests, in order.
    std::vector<RecordedRequest> model_requests() const;
    /// "METHOD target" of every other request.
    std::vector<std::string> stray_requests() const;
    /// The prompt text of each model request, in order.
    std::vector<std::string> prompts() const;

private:
    struct Script {
        std::string when;
        std::vector<ModelTurn> turns;
        int cut_streams = 0;
    };
    /// The script's turn for a conversation, with its placeholders filled; `cut` is set when this
    /// answer must stop short.
    ModelTurn answer(const std::string& prompt, std::size_t turn, const std::string& tool_output, bool& cut);
    FakeResponse anthropic(const RecordedRequest& request);
    FakeResponse responses(const RecordedRequest& request);

    FakeServer server_;
    std::mutex mutex_;
    std::vector<Script> scripts_;
    long long next_id_ = 0;  ///< message, tool-use and call ids must be unique across answers
};

}  // namespace autokaggle::test
