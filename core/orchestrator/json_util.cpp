#include "orchestrator/json_util.hpp"

#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace autokaggle::json_util {
namespace json = boost::json;

namespace {
const json::object& empty_object() {
    static const json::object empty;
    return empty;
}
const json::object& as_object_or_throw(const json::value& v, const std::string& where) {
    if (v.is_null()) return empty_object();
    if (!v.is_object()) throw Error(where + ": expected a JSON object");
    return v.get_object();
}
}  // namespace

Fields::Fields(const json::value& value, std::string where)
    : obj_(as_object_or_throw(value, where)), where_(std::move(where)) {}

void Fields::wrong(std::string_view key, std::string_view expected) const {
    throw Error(where_ + "." + std::string(key) + ": expected " + std::string(expected) + "; fix or remove the field");
}

const json::value* Fields::find(std::string_view key) const {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->value().is_null()) return nullptr;
    return &it->value();
}

std::string Fields::str(std::string_view key, std::string fallback) const {
    const auto* v = find(key);
    if (!v) return fallback;
    if (!v->is_string()) wrong(key, "a string");
    return std::string(v->get_string());
}

long long Fields::integer(std::string_view key, long long fallback) const {
    const auto* v = find(key);
    if (!v) return fallback;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<long long>(v->get_uint64());
    // Within range before converting: 1e300 is not a count and would not convert.
    if (v->is_double() && std::floor(v->get_double()) == v->get_double() && std::abs(v->get_double()) < 9e18)
        return static_cast<long long>(v->get_double());
    wrong(key, "an integer");
}

double Fields::number(std::string_view key, double fallback) const {
    auto v = opt_number(key);
    return v ? *v : fallback;
}

std::optional<double> Fields::opt_number(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    // JSON has no infinity: 1e400 parses to one, and would be written back as null.
    if (v->is_double() && !std::isfinite(v->get_double())) wrong(key, "a finite number");
    // Integers too: 16843575248281131 is not exact as a double, and a number must read the same
    // before and after a save.
    if (v->is_double()) return canonical(v->get_double());
    if (v->is_int64()) return canonical(static_cast<double>(v->get_int64()));
    if (v->is_uint64()) return canonical(static_cast<double>(v->get_uint64()));
    wrong(key, "a number");
}

bool Fields::boolean(std::string_view key, bool fallback) const {
    const auto* v = find(key);
    if (!v) return fallback;
    if (!v->is_bool()) wrong(key, "true or false");
    return v->get_bool();
}

Fields Fields::child(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return Fields(json::value(), where_ + "." + std::string(key));
    if (!v->is_object()) wrong(key, "an object");
    return Fields(*v, where_ + "." + std::string(key));
}

const json::array& Fields::array(std::string_view key) const {
    static const json::array empty;
    const auto* v = find(key);
    if (!v) return empty;
    if (!v->is_array()) wrong(key, "an array");
    return v->get_array();
}

double canonical(double v) {
    if (!std::isfinite(v)) return v;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return std::strtod(buf, nullptr);
}

json::value opt(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

namespace {
void pretty_to(std::ostringstream& os, const json::value& v, int indent) {
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
    if (v.is_object()) {
        const auto& o = v.get_object();
        if (o.empty()) { os << "{}"; return; }
        os << "{\n";
        bool first = true;
        for (const auto& kv : o) {
            if (!first) os << ",\n";
            first = false;
            os << inner << strict_json(json::value(kv.key())) << ": ";
            pretty_to(os, kv.value(), indent + 1);
        }
        os << "\n" << pad << "}";
    } else if (v.is_array()) {
        const auto& a = v.get_array();
        if (a.empty()) { os << "[]"; return; }
        os << "[\n";
        bool first = true;
        for (const auto& e : a) {
            if (!first) os << ",\n";
            first = false;
            os << inner;
            pretty_to(os, e, indent + 1);
        }
        os << "\n" << pad << "]";
    } else {
        os << strict_json(v);  // always JSON that reads back (no raw bytes, no Infinity)
    }
}
}  // namespace

std::string pretty(const json::value& value) {
    std::ostringstream os;
    pretty_to(os, value, 0);
    os << "\n";
    return os.str();
}

}  // namespace autokaggle::json_util
