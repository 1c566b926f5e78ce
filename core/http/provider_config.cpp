#include "http/provider_config.hpp"

#include "base/plugin_options.hpp"
#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <vector>

namespace autokaggle::http {

namespace {

bool local_server(const std::string& base_url) {
    const Url url = Url::parse(base_url);
    return iequals(url.host, "localhost") || url.host.starts_with("127.") || url.host == "::1";
}

}  // namespace

std::string ProviderConfig::key_path(std::string_view key) const {
    return "llms." + configuration + ".options." + std::string(key);
}

ProviderConfig read_provider_config(const boost::json::object& given, const std::string& configuration,
                                    const ProviderDefaults& defaults) {
    // The defaults are the schema's; "empty" ones mean the provider's own (`defaults`).
    const boost::json::object options = with_schema_defaults("{" AUTOKAGGLE_LLM_COMMON_OPTIONS "}", given);
    ProviderConfig c;
    c.configuration = configuration;
    const std::string section = "config.json: llms." + configuration + ".options";
    // Every problem is collected and reported together, so that fixing one never reveals another.
    std::vector<std::string> problems;
    auto problem = [&](std::string_view key, const std::string& what) {
        problems.push_back("config.json: " + c.key_path(key) + ": " + what);
    };
    c.model = string_field(options, "model");
    if (c.model.empty())
        problem("model", "missing; name the model (e.g. \"claude-sonnet-4-5\", \"gpt-4.1\", \"qwen2.5-coder:14b\")");
    c.base_url = string_option(options, section, "base_url");
    if (c.base_url.empty()) c.base_url = defaults.base_url;
    while (c.base_url.ends_with('/')) c.base_url.pop_back();
    bool url_ok = true;
    try {
        Url::parse(c.base_url);
    } catch (const Error& e) {
        problem("base_url", e.what());
        url_ok = false;
    }
    // Ranges checked before any conversion: a huge number must not overflow into a tiny one.
    auto bounded = [&](const char* key, double min, double max, bool min_exclusive) {
        const double v = number_option(options, section, key);
        if (!(min_exclusive ? v > min : v >= min) || !(v <= max)) {
            std::ostringstream allowed;
            allowed << (min_exclusive ? "more than " : "from ") << min << (min_exclusive ? " and at most " : " to ") << max;
            std::ostringstream value;
            value << v;
            problem(key, "found " + value.str() + ", allowed: " + allowed.str());
            return min;  // never used: the problems are thrown below
        }
        return v;
    };
    constexpr double kMaxSeconds = 1e7;  // 115 days: longer waits are mistakes
    c.max_tokens = static_cast<int>(bounded("max_tokens", 0, std::numeric_limits<int>::max(), false));
    c.timeout = std::chrono::milliseconds(static_cast<long long>(bounded("timeout_s", 0, kMaxSeconds, true) * 1000));
    c.connect_timeout =
        std::chrono::milliseconds(static_cast<long long>(bounded("connect_timeout_s", 0, kMaxSeconds, true) * 1000));
    c.max_retries = static_cast<int>(bounded("max_retries", 0, 100, false));
    c.context_window = static_cast<long long>(bounded("context_window", 0, 1e12, false));
    if (const std::string ca = string_option(options, section, "ca_file"); !ca.empty()) c.ca_file = ca;
    c.prices = {number_option(options, section, "price_input"), number_option(options, section, "price_output"),
                number_option(options, section, "price_cache_write"), number_option(options, section, "price_cache_read")};

    c.api_key_env = string_option(options, section, "api_key_env");
    if (c.api_key_env.empty()) c.api_key_env = defaults.api_key_env;
    const char* key = std::getenv(c.api_key_env.c_str());
    c.api_key = key ? key : "";
    if (c.api_key.empty() && !(defaults.key_optional_for_local && url_ok && local_server(c.base_url)))
        problems.push_back("config.json: llms." + configuration + ": the environment variable " + c.api_key_env +
                           " is not set; export " + c.api_key_env + "=<your key> (or name another variable with " +
                           c.key_path("api_key_env") + "). Keys never go into config.json.");
    if (!problems.empty()) throw ConfigError(join(problems, "\n  "));
    return c;
}

Client make_client(const ProviderConfig& config) {
    ClientOptions options;
    options.ca_file = config.ca_file;
    options.user_agent = "autokaggle/" AUTOKAGGLE_VERSION;
    return Client(std::move(options));
}

RetryPolicy make_retry_policy(const ProviderConfig& config) {
    RetryPolicy policy;
    policy.max_retries = config.max_retries;
    return policy;
}

Request make_post(const ProviderConfig& config, const std::string& url, std::string json_body) {
    Request request;
    request.method = "POST";
    request.url = url;
    request.body = std::move(json_body);
    request.headers.set("Content-Type", "application/json");
    request.headers.set("Accept", "application/json");
    request.connect_timeout = config.connect_timeout;
    request.read_timeout = config.timeout;
    return request;
}

double cost_usd(const Usage& u, const Prices& p) {
    // input_tokens includes the cached parts, which have prices of their own.
    const long long uncached = std::max(0LL, u.input_tokens - u.cache_creation_input_tokens - u.cache_read_input_tokens);
    return (static_cast<double>(uncached) * p.input + static_cast<double>(u.output_tokens) * p.output +
            static_cast<double>(u.cache_creation_input_tokens) * p.cache_write +
            static_cast<double>(u.cache_read_input_tokens) * p.cache_read) /
           1e6;
}

std::string string_field(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

long long count_field(const boost::json::object& o, std::string_view key) {
    constexpr long long kMaxCount = 1LL << 53;
    const auto* v = o.if_contains(key);
    if (!v) return 0;
    if (v->is_int64()) return std::clamp<long long>(v->get_int64(), 0, kMaxCount);
    if (v->is_uint64()) return kMaxCount;  // past int64: far past any real count
    return 0;
}

ServiceError malformed_answer(const std::string& api, const Response& response, const std::string& why,
                              const std::string& request_id) {
    return ServiceError(api + " returned a malformed answer: " + why + " (body starts: " + response.body.substr(0, 300) +
                            ")",
                        response.status, "malformed_response", request_id);
}

}  // namespace autokaggle::http
