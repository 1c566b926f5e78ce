#include "http/provider_config.hpp"

#include <algorithm>

#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cstdlib>

namespace autokaggle::http {

namespace {

double number_option(const boost::json::object& o, const char* key, double fallback) {
    const auto* v = o.if_contains(key);
    if (!v) return fallback;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    return fallback;
}

std::chrono::milliseconds seconds_option(const boost::json::object& o, const char* key, double fallback) {
    return std::chrono::milliseconds(static_cast<long long>(number_option(o, key, fallback) * 1000));
}

bool local_server(const std::string& base_url) {
    const Url url = Url::parse(base_url);
    return iequals(url.host, "localhost") || url.host.starts_with("127.") || url.host == "::1";
}

}  // namespace

std::string ProviderConfig::key_path(std::string_view key) const {
    return "llms." + configuration + ".options." + std::string(key);
}

ProviderConfig read_provider_config(const boost::json::object& options, const std::string& configuration,
                                    const ProviderDefaults& defaults) {
    ProviderConfig c;
    c.configuration = configuration;
    c.model = string_field(options, "model");
    if (c.model.empty())
        throw ConfigError("config.json: " + c.key_path("model") + ": missing; name the model (e.g. \"claude-sonnet-4-5\", \"gpt-4.1\", \"qwen2.5-coder:14b\")");
    c.base_url = string_field(options, "base_url");
    if (c.base_url.empty()) c.base_url = defaults.base_url;
    while (c.base_url.ends_with('/')) c.base_url.pop_back();
    try {
        Url::parse(c.base_url);
    } catch (const Error& e) {
        throw ConfigError("config.json: " + c.key_path("base_url") + ": " + e.what());
    }
    c.max_tokens = static_cast<int>(number_option(options, "max_tokens", 0));
    c.timeout = seconds_option(options, "timeout_s", 600);
    c.connect_timeout = seconds_option(options, "connect_timeout_s", 30);
    c.max_retries = static_cast<int>(number_option(options, "max_retries", 4));
    if (c.max_tokens < 0 || c.max_retries < 0 || c.timeout.count() <= 0 || c.connect_timeout.count() <= 0)
        throw ConfigError("config.json: llms." + configuration +
                          ".options: max_tokens and max_retries must be >= 0, timeout_s and connect_timeout_s > 0");
    c.context_window = static_cast<long long>(number_option(options, "context_window", 0));
    if (const std::string ca = string_field(options, "ca_file"); !ca.empty()) c.ca_file = ca;
    c.prices = {number_option(options, "price_input", 0), number_option(options, "price_output", 0),
                number_option(options, "price_cache_write", 0), number_option(options, "price_cache_read", 0)};

    c.api_key_env = string_field(options, "api_key_env");
    if (c.api_key_env.empty()) c.api_key_env = defaults.api_key_env;
    const char* key = std::getenv(c.api_key_env.c_str());
    c.api_key = key ? key : "";
    if (c.api_key.empty() && !(defaults.key_optional_for_local && local_server(c.base_url)))
        throw ConfigError("config.json: llms." + configuration + ": the environment variable " + c.api_key_env +
                          " is not set; export " + c.api_key_env + "=<your key> (or name another variable with " +
                          c.key_path("api_key_env") + "). Keys never go into config.json.");
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
    const auto* v = o.if_contains(key);
    if (!v) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<long long>(v->get_uint64());
    return 0;
}

ServiceError malformed_answer(const std::string& api, const Response& response, const std::string& why,
                              const std::string& request_id) {
    return ServiceError(api + " returned a malformed answer: " + why + " (body starts: " + response.body.substr(0, 300) +
                            ")",
                        response.status, "malformed_response", request_id);
}

}  // namespace autokaggle::http
