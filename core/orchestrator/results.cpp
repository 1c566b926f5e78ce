#include "orchestrator/results.hpp"

#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {
std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    return out;
}

std::optional<ResultRow> parse_row(const std::string& line) {
    auto f = split_tabs(line);
    if (f.size() != 8 && f.size() != 9) return std::nullopt;
    ResultRow r;
    const auto [ptr, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), r.round);
    if (ec != std::errc() || ptr != f[0].data() + f[0].size() || r.round < 0) return std::nullopt;
    r.script = f[1];
    r.cv_score = f[2];
    r.lb = f[3];
    r.status = f[4];
    r.submitted = f[5];
    r.timestamp = f[6];
    r.description = f[7];
    if (f.size() == 9) {
        const auto [end, error] = std::from_chars(f[8].data(), f[8].data() + f[8].size(), r.regime);
        if (error != std::errc() || end != f[8].data() + f[8].size() || r.regime < 1) return std::nullopt;
    }
    if (r.status.empty() || r.timestamp.empty()) return std::nullopt;
    return r;
}
}  // namespace

ResultsFile read_results(const fs::path& file, const std::function<void(const std::string&)>& warn) {
    const auto text = read_file_if_exists(file);
    if (!text) return {};
    return parse_results(*text, file.string(), warn);
}

ResultsFile parse_results(std::string_view text, const std::string& source,
                          const std::function<void(const std::string&)>& warn) {
    ResultsFile out;
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            if (warn) warn(source + ": last line has no line end (half-written): dropped '" + std::string(text.substr(start)) + "'");
            out.repaired = true;
            break;
        }
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string line(lines[i]);
        if (i == 0 && line.rfind("round\t", 0) == 0) continue;
        if (line.empty()) continue;
        auto row = parse_row(line);
        if (!row) {
            if (i + 1 == lines.size()) {
                if (warn) warn(source + ": last line " + std::to_string(i + 1) + " is incomplete: dropped '" + line + "'");
                out.repaired = true;
                continue;
            }
            throw Error(source + ":" + std::to_string(i + 1) + ": not a results row (tab-separated fields: " +
                        kResultsHeader + "); fix or delete the line");
        }
        upsert_result(out.rows, std::move(*row));
    }
    return out;
}

void write_results(const fs::path& file, const std::vector<ResultRow>& rows) { atomic_write(file, format_results(rows)); }

std::string format_results(const std::vector<ResultRow>& rows) {
    std::ostringstream os;
    os << kResultsHeader << "\n";
    for (const auto& r : rows) {
        os << r.round << '\t' << tsv_field(r.script) << '\t' << tsv_field(r.cv_score) << '\t' << tsv_field(r.lb) << '\t'
           << tsv_field(r.status) << '\t' << tsv_field(r.submitted) << '\t' << tsv_field(r.timestamp) << '\t'
           << tsv_field(r.description) << '\t' << r.regime << "\n";
    }
    return os.str();
}

void upsert_result(std::vector<ResultRow>& rows, ResultRow row) {
    auto it = std::lower_bound(rows.begin(), rows.end(), row.round,
                               [](const ResultRow& r, int round) { return r.round < round; });
    if (it != rows.end() && it->round == row.round) *it = std::move(row);
    else rows.insert(it, std::move(row));
}

const ResultRow* find_result(const std::vector<ResultRow>& rows, int round) {
    for (const auto& r : rows)
        if (r.round == round) return &r;
    return nullptr;
}

std::string tsv_field(std::string text) {
    for (char& c : text)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return text;
}

std::string one_line(std::string text, std::size_t max) {
    text = tsv_field(std::move(text));
    if (text.size() > max) {
        std::size_t cut = max - 3;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
        text = text.substr(0, cut) + "...";
    }
    return text;
}

}  // namespace autokaggle
