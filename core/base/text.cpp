#include "base/text.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>

namespace autokaggle {

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t end = text.find(separator, start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += separator;
        out += items[i];
    }
    return out;
}

std::string trim(std::string_view text) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return std::string(text);
}

std::string text_tail(std::string_view text, std::size_t max_chars) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    if (text.size() <= max_chars) return std::string(text);
    std::string_view cut = text.substr(text.size() - max_chars);
    auto nl = cut.find('\n');
    if (nl != std::string_view::npos && nl + 1 < cut.size()) cut.remove_prefix(nl + 1);
    return "..." + std::string(cut);
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            std::size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                       std::tolower(static_cast<unsigned char>(b[j - 1]))
                                   ? 0
                                   : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (!best || d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    if (!best) return std::nullopt;
    std::size_t longer = std::max(word.size(), best->size());
    std::size_t limit = std::clamp<std::size_t>(longer / 3, 1, 3);
    // A word that is a prefix/suffix-extension of a candidate ("folds" for "cv_folds") counts too.
    bool contained = best->find(word) != std::string::npos || std::string(word).find(*best) != std::string::npos;
    if (best_distance <= limit || (contained && word.size() >= 3)) return best;
    for (const auto& c : candidates)
        if (word.size() >= 3 && (c.find(word) != std::string::npos || std::string(word).find(c) != std::string::npos))
            return c;
    return std::nullopt;
}

std::string_view article(std::string_view word) {
    if (word.empty()) return "a";
    if (word == "llm") return "an";  // read as "an L-L-M"
    switch (std::tolower(static_cast<unsigned char>(word.front()))) {
        case 'a': case 'e': case 'i': case 'o': case 'u': return "an";
        default: return "a";
    }
}

bool metric_pattern_matches(std::string_view provided, std::string_view metric) {
    if (provided == metric) return true;
    if (provided.size() < 2 || provided.substr(provided.size() - 2) != "@k") return false;
    std::string_view prefix = provided.substr(0, provided.size() - 1);  // "map@"
    if (metric.size() <= prefix.size() || metric.substr(0, prefix.size()) != prefix) return false;
    std::string_view k = metric.substr(prefix.size());
    if (k.front() == '0') return false;
    return std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string content_hash(std::string_view text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string show_json(const boost::json::value& value, std::size_t max_length) {
    std::string text;
    if (value.is_double()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.10g", value.get_double());
        text = buf;
    } else {
        text = boost::json::serialize(value);
    }
    if (text.size() > max_length && max_length > 3) text = text.substr(0, max_length - 3) + "...";
    return text;
}

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = byte(i);
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
        if (c < 0x80) length = 1;
        else if (c >= 0xC2 && c <= 0xDF) length = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;   // no overlong forms
            if (c == 0xED) high = 0x9F;  // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;
            if (c == 0xF4) high = 0x8F;  // nothing past U+10FFFF
        }
        bool ok = length > 0 && i + length <= text.size();
        for (std::size_t k = 1; ok && k < length; ++k) {
            const unsigned char b = byte(i + k);
            ok = k == 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xBF;
        }
        if (ok) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::string strict_json(const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::string:
            return boost::json::serialize(boost::json::value(valid_utf8(value.get_string())));
        case boost::json::kind::double_:
            return std::isfinite(value.get_double()) ? boost::json::serialize(value) : "null";
        case boost::json::kind::array: {
            std::string out = "[";
            for (const auto& item : value.get_array()) out += (out.size() > 1 ? "," : "") + strict_json(item);
            return out + "]";
        }
        case boost::json::kind::object: {
            std::string out = "{";
            for (const auto& [key, item] : value.get_object())
                out += (out.size() > 1 ? "," : "") + strict_json(boost::json::value(key)) + ":" + strict_json(item);
            return out + "}";
        }
        default:
            return boost::json::serialize(value);
    }
}

}  // namespace autokaggle
