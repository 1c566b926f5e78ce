#include "kaggle/json_text.hpp"

#include "base/text.hpp"

namespace autokaggle::kaggle {

namespace {
void write(const boost::json::value& v, std::string& out, int indent) {
    auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
    if (v.is_object() && !v.as_object().empty()) {
        out += "{\n";
        bool first = true;
        for (const auto& kv : v.as_object()) {
            if (!first) out += ",\n";
            first = false;
            pad(indent + 1);
            out += strict_json(boost::json::value(kv.key())) + ": ";
            write(kv.value(), out, indent + 1);
        }
        out += "\n";
        pad(indent);
        out += "}";
    } else if (v.is_array() && !v.as_array().empty()) {
        out += "[\n";
        bool first = true;
        for (const auto& item : v.as_array()) {
            if (!first) out += ",\n";
            first = false;
            pad(indent + 1);
            write(item, out, indent + 1);
        }
        out += "\n";
        pad(indent);
        out += "]";
    } else {
        out += strict_json(v);  // always JSON that reads back (no raw bytes, no Infinity)
    }
}
}  // namespace

std::string pretty_json(const boost::json::value& value) {
    std::string out;
    write(value, out, 0);
    out += "\n";
    return out;
}

}  // namespace autokaggle::kaggle
