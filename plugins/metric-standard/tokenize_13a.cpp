// sacreBLEU's "13a" tokeniser (the mteval-v13a.pl rules), reproduced step by step: each regular
// expression substitution is a left-to-right, non-overlapping scan like Python's re.sub.
#include "standard_metrics.hpp"

#include <string>

namespace autokaggle::standard_metrics {

namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    std::string out;
    std::size_t pos = 0;
    for (;;) {
        std::size_t hit = s.find(from, pos);
        if (hit == std::string::npos) break;
        out.append(s, pos, hit - pos);
        out.append(to);
        pos = hit + from.size();
    }
    if (pos == 0) return;
    out.append(s, pos, std::string::npos);
    s = std::move(out);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// [\{-\~\[-\` -\&\(-\+\:-\@\/]: ASCII punctuation and symbols that become separate tokens.
bool is_split_symbol(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 0x7B && u <= 0x7E) || (u >= 0x5B && u <= 0x60) || (u >= 0x20 && u <= 0x26) || (u >= 0x28 && u <= 0x2B) ||
           (u >= 0x3A && u <= 0x40) || u == '/';
}

/// Length of the whitespace character at s[i] as Python's str.split() sees it (0 when none).
std::size_t whitespace_length(const std::string& s, std::size_t i) {
    auto u = [&](std::size_t j) { return j < s.size() ? static_cast<unsigned char>(s[j]) : 0u; };
    unsigned c = u(i);
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return 1;
    if (c == 0xC2 && (u(i + 1) == 0x85 || u(i + 1) == 0xA0)) return 2;                      // U+0085, U+00A0
    if (c == 0xE1 && u(i + 1) == 0x9A && u(i + 2) == 0x80) return 3;                         // U+1680
    if (c == 0xE2 && u(i + 1) == 0x80 && (u(i + 2) <= 0x8A || u(i + 2) == 0xA8 || u(i + 2) == 0xA9 || u(i + 2) == 0xAF))
        return u(i + 2) >= 0x80 ? 3 : 0;                                                     // U+2000..200A, 2028, 2029, 202F
    if (c == 0xE2 && u(i + 1) == 0x81 && u(i + 2) == 0x9F) return 3;                         // U+205F
    if (c == 0xE3 && u(i + 1) == 0x80 && u(i + 2) == 0x80) return 3;                         // U+3000
    return 0;
}

}  // namespace

std::string tokenize_13a(std::string_view input) {
    std::string line(input);
    replace_all(line, "<skipped>", "");
    replace_all(line, "-\n", "");
    replace_all(line, "\n", " ");
    if (line.find('&') != std::string::npos) {
        replace_all(line, "&quot;", "\"");
        replace_all(line, "&amp;", "&");
        replace_all(line, "&lt;", "<");
        replace_all(line, "&gt;", ">");
    }
    line = " " + line + " ";

    std::string a;  // symbols become their own tokens
    a.reserve(line.size() * 2);
    for (char c : line) {
        if (is_split_symbol(c)) {
            a += ' ';
            a += c;
            a += ' ';
        } else {
            a += c;
        }
    }
    std::string b;  // ([^0-9])([\.,]) -> "\1 \2 "
    b.reserve(a.size() * 2);
    for (std::size_t i = 0; i < a.size();) {
        if (i + 1 < a.size() && !is_digit(a[i]) && (a[i + 1] == '.' || a[i + 1] == ',')) {
            b += a[i];
            b += ' ';
            b += a[i + 1];
            b += ' ';
            i += 2;
        } else {
            b += a[i++];
        }
    }
    std::string c;  // ([\.,])([^0-9]) -> " \1 \2"
    c.reserve(b.size() * 2);
    for (std::size_t i = 0; i < b.size();) {
        if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !is_digit(b[i + 1])) {
            c += ' ';
            c += b[i];
            c += ' ';
            c += b[i + 1];
            i += 2;
        } else {
            c += b[i++];
        }
    }
    std::string d;  // ([0-9])(-) -> "\1 \2 "
    d.reserve(c.size() * 2);
    for (std::size_t i = 0; i < c.size();) {
        if (i + 1 < c.size() && is_digit(c[i]) && c[i + 1] == '-') {
            d += c[i];
            d += ' ';
            d += '-';
            d += ' ';
            i += 2;
        } else {
            d += c[i++];
        }
    }
    std::string out;  // ' '.join(line.split())
    out.reserve(d.size());
    for (std::size_t i = 0; i < d.size();) {
        std::size_t w = whitespace_length(d, i);
        if (w > 0) {
            i += w;
            continue;
        }
        std::size_t j = i;
        while (j < d.size() && whitespace_length(d, j) == 0) ++j;
        if (!out.empty()) out += ' ';
        out.append(d, i, j - i);
        i = j;
    }
    return out;
}

}  // namespace autokaggle::standard_metrics
