// config.json (core/base/config.cpp): any bytes give diagnostics, never a crash; a value under
// a secret-looking key never appears in a diagnostic.
#include "fuzz.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace {

using namespace autokaggle;
namespace json = boost::json;

/// The string values under secret-looking keys, at any depth.
void secret_values(const json::value& v, std::vector<std::string>& out) {
    if (v.is_object()) {
        for (const auto& [key, child] : v.as_object()) {
            if (!key.starts_with('_') && is_secret_key(key) && child.is_string()) out.emplace_back(child.as_string());
            else secret_values(child, out);
        }
    } else if (v.is_array()) {
        for (const auto& child : v.as_array()) secret_values(child, out);
    }
}

void check(const ConfigLoadResult& result, std::string_view text) {
    fuzz::require(!(result.ok() && result.partial), "a config with errors is only partial");
    fuzz::require(result.ok() || !result.diagnostics.empty(), "a refused config says why");
    boost::system::error_code ec;
    const json::value parsed = json::parse(text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text, ec);
    if (ec) return;
    std::vector<std::string> secrets;
    secret_values(parsed, secrets);
    for (const auto& secret : secrets) {
        // Long enough to be a real value, and written once (not also the value of another key).
        if (secret.size() < 12 || text.find(secret) != text.rfind(secret)) continue;
        for (const auto& d : result.diagnostics)
            fuzz::require(d.format().find(secret) == std::string::npos, "a secret value is printed");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path file = "/nonexistent/autokaggle-fuzz/config.json";
    static const PluginHost no_plugins(std::vector<std::filesystem::path>{});
    const std::string_view text = fuzz::text(data, size);
    check(parse_config(text, file, nullptr), text);
    check(parse_config(text, file, &no_plugins), text);
    return 0;
}
