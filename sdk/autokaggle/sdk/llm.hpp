// LLM provider plugins: one chat completion with tools, in a provider-neutral shape. The
// provider maps it onto its wire format (Anthropic Messages, OpenAI Chat Completions...).
//
// Ownership: the host owns providers (HostServices::llm). Thread-safety: chat() may be called
// from several threads; implementations keep no per-call state in members.
#pragma once

#include <autokaggle/sdk/abi.hpp>
#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/tool.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace autokaggle {

enum class Role { user, assistant };

/// One conversation turn. A user turn carries text and/or tool results; an assistant turn
/// carries text and/or tool calls.
struct Message {
    Role role = Role::user;
    std::string text;
    std::vector<ToolCall> tool_calls;
    std::vector<ToolResult> tool_results;
};

struct ChatRequest {
    std::string system;                ///< stable prefix; providers may cache it
    std::vector<Message> messages;
    std::vector<ToolSpec> tools;
    int max_tokens = 4096;
};

struct ChatResponse {
    Message message;          ///< role == assistant
    std::string stop_reason;  ///< "end_turn", "tool_use", "max_tokens", ... (provider's word)
    /// usd filled from the provider's price options; input_tokens counts every prompt token,
    /// cached or not (see Usage).
    Usage usage;
    std::string model;        ///< as the server reported it
    std::string request_id;
    double latency_s = 0;
};

class AUTOKAGGLE_SDK_VISIBLE LlmProvider {
public:
    virtual ~LlmProvider() = default;
    /// Retries transient failures itself; throws autokaggle::ServiceError with status, the
    /// provider's error type and message, and the request id when it gives up.
    virtual ChatResponse chat(const ChatRequest& request) = 0;
    virtual std::string model() const = 0;
    /// Context window in tokens, for agents deciding when to compact (0 = unknown). Providers
    /// ask the server when it can tell (vLLM's max_model_len, Ollama's model info).
    virtual long long context_window() const { return 0; }
};

}  // namespace autokaggle
