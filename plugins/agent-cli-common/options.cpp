#include "options.hpp"

#include <autokaggle/support/plugin_options.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/serialize.hpp>

namespace autokaggle::cli_agent {

Options::Options(std::string_view options_schema, const boost::json::object& options, std::string key_path)
    : options_(with_schema_defaults(options_schema, options)), key_path_(std::move(key_path)) {}

bool Options::has(const char* key) const {
    const auto* v = options_.if_contains(key);
    return v && !v->is_null();
}

namespace {
[[noreturn]] void wrong_type(const std::string& path, const char* expected, const boost::json::value& got) {
    throw ConfigError(path + ": expected " + expected + ", got " + boost::json::serialize(got) +
                      " - fix the value in config.json");
}
}  // namespace

std::string Options::string(const char* key) const {
    const auto* v = &option_value(options_, key);
    if (!v->is_string()) wrong_type(path_of(key), "a string", *v);
    return std::string(v->as_string());
}

long long Options::integer(const char* key) const {
    const auto* v = &option_value(options_, key);
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<long long>(v->as_uint64());
    if (v->is_double() && v->as_double() == static_cast<double>(static_cast<long long>(v->as_double())))
        return static_cast<long long>(v->as_double());
    wrong_type(path_of(key), "an integer", *v);
}

double Options::number(const char* key) const {
    const auto* v = &option_value(options_, key);
    if (v->is_double()) return v->as_double();
    if (v->is_int64()) return static_cast<double>(v->as_int64());
    if (v->is_uint64()) return static_cast<double>(v->as_uint64());
    wrong_type(path_of(key), "a number", *v);
}

bool Options::boolean(const char* key) const {
    const auto* v = &option_value(options_, key);
    if (!v->is_bool()) wrong_type(path_of(key), "true or false", *v);
    return v->as_bool();
}

std::vector<std::string> Options::strings(const char* key) const {
    const auto* v = &option_value(options_, key);
    if (!v->is_array()) wrong_type(path_of(key), "an array of strings", *v);
    std::vector<std::string> out;
    for (const auto& item : v->as_array()) {
        if (!item.is_string()) wrong_type(path_of(key), "an array of strings", *v);
        out.emplace_back(item.as_string());
    }
    return out;
}

}  // namespace autokaggle::cli_agent
