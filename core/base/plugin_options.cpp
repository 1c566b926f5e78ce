#include "base/plugin_options.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace autokaggle {

namespace json = boost::json;

json::object with_schema_defaults(std::string_view options_schema, json::object options) {
    std::error_code ec;
    json::value schema = json::parse(options_schema, ec);
    if (ec || !schema.is_object())
        throw std::logic_error("options schema is not a JSON object of option -> {type, default, doc}");
    for (const auto& [key, spec] : schema.as_object()) {
        const json::value* def = spec.is_object() ? spec.as_object().if_contains("default") : nullptr;
        if (!def) continue;
        const json::value* given = options.if_contains(key);
        if (!given || given->is_null()) options[key] = *def;
    }
    return options;
}

const json::value& option_value(const json::object& options, std::string_view key) {
    const json::value* v = options.if_contains(key);
    if (!v) throw std::logic_error("option '" + std::string(key) + "' has no default in the plugin's options schema");
    return *v;
}

namespace {
[[noreturn]] void wrong_type(std::string_view section, std::string_view key, const char* expected,
                             const json::value& got) {
    throw ConfigError(std::string(section) + "." + std::string(key) + " must be " + expected + ", got " +
                      json::serialize(got));
}
}  // namespace

double number_option(const json::object& options, std::string_view section, std::string_view key) {
    const json::value& v = option_value(options, key);
    if (!v.is_number()) wrong_type(section, key, "a number", v);
    return v.to_number<double>();
}

std::string string_option(const json::object& options, std::string_view section, std::string_view key) {
    const json::value& v = option_value(options, key);
    if (!v.is_string()) wrong_type(section, key, "a string", v);
    return std::string(v.as_string());
}

bool bool_option(const json::object& options, std::string_view section, std::string_view key) {
    const json::value& v = option_value(options, key);
    if (!v.is_bool()) wrong_type(section, key, "true or false", v);
    return v.as_bool();
}

std::vector<std::string> strings_option(const json::object& options, std::string_view section, std::string_view key) {
    const json::value& v = option_value(options, key);
    if (!v.is_array()) wrong_type(section, key, "an array of strings", v);
    std::vector<std::string> out;
    for (const auto& item : v.as_array()) {
        if (!item.is_string()) wrong_type(section, key, "an array of strings", v);
        out.emplace_back(item.as_string());
    }
    return out;
}

}  // namespace autokaggle
