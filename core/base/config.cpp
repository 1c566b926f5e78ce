#include "base/config.hpp"

namespace autokaggle {

std::string Diagnostic::format() const {
    std::string out = "config.json";
    if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!key_path.empty()) out += key_path + ": ";
    if (severity == Severity::warning) out += "warning: ";
    return out + message;
}

}  // namespace autokaggle
