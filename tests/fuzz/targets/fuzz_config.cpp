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

const std::filesystem::path kFile = "/nonexistent/autokaggle-fuzz/config.json";

/// Where a secret-looking key is: the object holding it and the key.
struct Secret {
    json::object* holder;
    std::string key;
};

void find_secrets(json::value& v, std::vector<Secret>& out) {
    if (v.is_object()) {
        for (auto& [key, child] : v.as_object()) {
            if (!key.starts_with('_') && is_secret_key(key) && child.is_string()) out.push_back({&v.as_object(), key});
            else find_secrets(child, out);
        }
    } else if (v.is_array()) {
        for (auto& child : v.as_array()) find_secrets(child, out);
    }
}

bool printed(const ConfigLoadResult& result, std::string_view value) {
    for (const auto& d : result.diagnostics)
        if (d.format().find(value) != std::string::npos) return true;
    return false;
}

void check(const ConfigLoadResult& result, std::string_view text, const PluginHost* plugins) {
    fuzz::require(!(result.ok() && result.partial), "a config with errors is only partial");
    fuzz::require(result.ok() || !result.diagnostics.empty(), "a refused config says why");
    boost::system::error_code ec;
    json::value parsed = json::parse(text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text, ec);
    if (ec) return;
    std::vector<Secret> secrets;
    find_secrets(parsed, secrets);
    for (const auto& [holder, key] : secrets) {
        const std::string value(holder->at(key).as_string());
        // Long enough to be a real value, written once (not also the value of another key).
        if (value.size() < 12 || text.find(value) != text.rfind(value) || !printed(result, value)) continue;
        // Printed: a leak, unless the messages say the same without that value (the fuzzer
        // likes to copy message text into values). The value is replaced in the text itself,
        // so that everything else the messages are about (duplicate keys, positions) stays.
        std::string without(text);
        without.replace(without.find(value), value.size(), "-");
        const bool message_text = printed(parse_config(without, kFile, plugins), value);
        fuzz::require(message_text, "a secret value is printed");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const PluginHost no_plugins(std::vector<std::filesystem::path>{});
    const std::string_view text = fuzz::text(data, size);
    check(parse_config(text, kFile, nullptr), text, nullptr);
    check(parse_config(text, kFile, &no_plugins), text, &no_plugins);
    return 0;
}
