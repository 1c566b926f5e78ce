#include "learnings/markdown_sections.hpp"

#include "base/text.hpp"

#include <cctype>
#include <sstream>

namespace autokaggle::learnings {

std::vector<std::string> bullets_under(std::string_view markdown, const std::function<bool(std::string_view)>& wanted) {
    std::vector<std::string> out;
    bool inside = false;
    std::istringstream in{std::string(markdown)};
    for (std::string raw; std::getline(in, raw);) {
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        if (!raw.empty() && raw[0] == '#') {
            inside = wanted(raw);
            continue;
        }
        if (!inside) continue;
        const auto b = raw.find_first_not_of(" \t");
        if (b == std::string::npos || (raw[b] != '-' && raw[b] != '*') || b + 1 >= raw.size() || raw[b + 1] != ' ') continue;
        std::string item = trim(raw.substr(b + 1));
        if (!item.empty()) out.push_back(std::move(item));
    }
    return out;
}

std::vector<std::string> learnings_bullets(std::string_view markdown) {
    return bullets_under(markdown, [](std::string_view heading) { return contains(to_lower(heading), "learn"); });
}

std::string replace_section(std::string text, std::string_view heading, std::string_view body) {
    std::string section = std::string(heading) + "\n" + std::string(body);
    if (!section.empty() && section.back() != '\n') section += "\n";
    std::size_t start = std::string::npos;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto nl = text.find('\n', pos);
        if (text.compare(pos, (nl == std::string::npos ? text.size() : nl) - pos, heading) == 0 &&
            (nl == std::string::npos ? text.size() : nl) - pos == heading.size()) {
            start = pos;
            break;
        }
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    if (start == std::string::npos) {
        if (body.empty()) return text;
        if (!text.empty() && text.back() != '\n') text += "\n";
        return text + "\n" + section;
    }
    auto end = text.find("\n## ", start + heading.size());
    end = end == std::string::npos ? text.size() : end + 1;
    if (end < text.size()) section += "\n";
    text.replace(start, end - start, section);
    return text;
}

bool is_round_heading(std::string_view heading) {
    if (heading.rfind("## R", 0) != 0 || heading.size() < 5) return false;
    std::size_t i = 4;
    while (i < heading.size() && std::isdigit(static_cast<unsigned char>(heading[i]))) ++i;
    return i > 4 && (i == heading.size() || heading[i] == ' ');
}

}  // namespace autokaggle::learnings
