// What every LLM provider plugin shares: its common options, the API key from the environment,
// the HTTP client and retry policy built from them, and the cost of a call.
#pragma once

#include <autokaggle/support/http_client.hpp>

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/host.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

/// The options schema entries every provider declares (to be spliced into its own schema:
/// "{" AUTOKAGGLE_LLM_COMMON_OPTIONS ", ...}").
#define AUTOKAGGLE_LLM_COMMON_OPTIONS                                                                                  \
    R"("model": {"type": "string", "required": true, "doc": "model name as the server knows it"},)"                   \
    R"("base_url": {"type": "string", "default": "", "doc": "server address; empty = the provider's public API"},)"  \
    R"("api_key_env": {"type": "string", "default": "", "doc": "environment variable holding the API key"},)"         \
    R"("max_tokens": {"type": "integer", "default": 0, "doc": "cap on output tokens per call; 0 = the agent's request"},)" \
    R"("timeout_s": {"type": "number", "default": 600, "doc": "longest wait for an answer, in seconds"},)"             \
    R"("connect_timeout_s": {"type": "number", "default": 30, "doc": "longest wait to connect, in seconds"},)"         \
    R"("max_retries": {"type": "integer", "default": 4, "doc": "retries on 408/409/429/5xx and dropped connections"},)" \
    R"("context_window": {"type": "integer", "default": 0, "doc": "model context window in tokens; 0 = provider default"},)" \
    R"("ca_file": {"type": "string", "default": "", "doc": "extra trusted CA certificates (PEM) for a private server"},)" \
    R"("price_input": {"type": "number", "default": 0, "doc": "USD per million input tokens"},)"                      \
    R"("price_output": {"type": "number", "default": 0, "doc": "USD per million output tokens"},)"                    \
    R"("price_cache_write": {"type": "number", "default": 0, "doc": "USD per million cache-write tokens"},)"          \
    R"("price_cache_read": {"type": "number", "default": 0, "doc": "USD per million cache-read tokens"})"

namespace autokaggle::http {

struct Prices {  ///< USD per million tokens
    double input = 0, output = 0, cache_write = 0, cache_read = 0;
};

struct ProviderConfig {
    std::string configuration;  ///< the name under "llms" (for messages)
    std::string model;
    std::string base_url;       ///< without a trailing slash
    std::string api_key_env;
    std::string api_key;        ///< never logged; empty when the server needs none
    int max_tokens = 0;
    std::chrono::milliseconds timeout{600'000};
    std::chrono::milliseconds connect_timeout{30'000};
    int max_retries = 4;
    long long context_window = 0;
    std::optional<std::filesystem::path> ca_file;
    Prices prices;

    /// "llms.<configuration>.options.<key>"
    std::string key_path(std::string_view key) const;
};

struct ProviderDefaults {
    std::string base_url;     ///< "https://api.anthropic.com"
    std::string api_key_env;  ///< "ANTHROPIC_API_KEY"
    /// A server on this machine (localhost, 127.x, ::1) may run without a key (Ollama, vLLM).
    bool key_optional_for_local = false;
};

/// Reads the common options (already validated by the host) and the key from the environment.
/// A missing key is a ConfigError naming the variable and the option that selects it.
ProviderConfig read_provider_config(const boost::json::object& options, const std::string& configuration,
                                    const ProviderDefaults& defaults);

Client make_client(const ProviderConfig& config);
RetryPolicy make_retry_policy(const ProviderConfig& config);
Request make_post(const ProviderConfig& config, const std::string& url, std::string json_body);

/// usd of a call from its token counts and the price table: the uncached input (input_tokens
/// less the cache writes and reads) at the input price, the cache parts at theirs.
double cost_usd(const Usage& usage, const Prices& prices);

/// The string at `key` of a server's answer, or "" when absent or not a string (servers omit
/// fields freely).
std::string string_field(const boost::json::object& o, std::string_view key);
/// The integer count at `key` of a server's answer, or 0 when absent, not an integer or
/// negative; capped at 2^53, so that sums of counts can never overflow.
long long count_field(const boost::json::object& o, std::string_view key);

/// Thrown by a provider's answer parser for a body it cannot read; the provider turns it into
/// malformed_answer() with the response's status, request id and the start of the body.
class MalformedAnswer : public Error {
public:
    using Error::Error;
};

/// Thrown by a provider's answer parser for a body that reports an error (some servers answer
/// HTTP 200 with {"error": ...}); the provider reads it with parse_error().
class ErrorAnswer : public Error {
public:
    using Error::Error;
};

/// The error for an answer that cannot be read: `api` (e.g. "Anthropic API (<base_url>)"),
/// why, and the start of the body.
ServiceError malformed_answer(const std::string& api, const Response& response, const std::string& why,
                              const std::string& request_id);

}  // namespace autokaggle::http
