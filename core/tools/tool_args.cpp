#include "tools/tool_args.hpp"

#include <boost/json.hpp>

namespace autokaggle::tools {

namespace json = boost::json;

std::string text_arg(const json::object& args, const char* key, bool required, std::string fallback) {
    const auto* v = args.if_contains(key);
    if (!v || v->is_null()) {
        if (required) throw ToolError(std::string("missing argument \"") + key + "\"");
        return fallback;
    }
    if (!v->is_string()) throw ToolError(std::string("argument \"") + key + "\" must be a string");
    return std::string(v->get_string());
}

long long int_arg(const json::object& args, const char* key, long long fallback) {
    const auto* v = args.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<long long>(v->get_uint64());
    if (v->is_double()) return static_cast<long long>(v->get_double());
    if (v->is_string()) {  // small models quote numbers
        try {
            return std::stoll(std::string(v->get_string()));
        } catch (const std::exception&) {
        }
    }
    throw ToolError(std::string("argument \"") + key + "\" must be an integer");
}

double number_arg(const json::object& args, const char* key, double fallback) {
    const auto* v = args.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (v->is_number()) return v->to_number<double>();
    if (v->is_string()) {
        try {
            return std::stod(std::string(v->get_string()));
        } catch (const std::exception&) {
        }
    }
    throw ToolError(std::string("argument \"") + key + "\" must be a number");
}

bool bool_arg(const json::object& args, const char* key, bool fallback) {
    const auto* v = args.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (v->is_bool()) return v->get_bool();
    if (v->is_string()) return v->get_string() == "true";
    throw ToolError(std::string("argument \"") + key + "\" must be true or false");
}

json::object object_schema(json::object properties, json::array required) {
    return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

json::object property(const char* type, const char* description) { return {{"type", type}, {"description", description}}; }

std::string cap_middle(std::string text, std::size_t limit, const std::string& hint) {
    if (text.size() <= limit) return text;
    const std::size_t head = limit / 3, tail = limit - head;
    const std::size_t left_out = text.size() - head - tail;
    return text.substr(0, head) + "\n[... " + std::to_string(left_out) + " bytes left out; " + hint + " ...]\n" +
           text.substr(text.size() - tail);
}

}  // namespace autokaggle::tools
