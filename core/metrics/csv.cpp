#include "metrics/csv.hpp"

#include "metrics/mapped_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace autokaggle::metrics {

namespace {

std::string list_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += "'" + n + "'";
    }
    return out;
}

/// One-pass parser over the mapped text. `sink(field_index, cell)` receives every field.
class Parser {
public:
    Parser(std::string_view text, const std::filesystem::path& path) : text_(text), path_(path) {
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    }

    bool at_end() const { return pos_ >= text_.size(); }
    std::size_t line() const { return line_; }

    /// Skips empty lines; false at the end of the text.
    bool next_record() {
        while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
            if (text_[pos_] == '\n') ++line_;
            ++pos_;
        }
        return pos_ < text_.size();
    }

    /// Parses one record, calling sink(index, cell) per field; returns the number of fields.
    template <class Sink>
    std::size_t record(Sink&& sink) {
        std::size_t field = 0;
        const char* data = text_.data();
        const std::size_t n = text_.size();
        for (;;) {
            if (pos_ < n && data[pos_] == '"') {
                quoted(field, sink);
            } else {
                std::size_t start = pos_;
                while (pos_ < n) {
                    char c = data[pos_];
                    if (c == ',' || c == '\n' || c == '\r') break;
                    ++pos_;
                }
                sink(field, std::string_view(data + start, pos_ - start));
            }
            ++field;
            if (pos_ >= n) return field;
            char c = data[pos_];
            if (c == ',') {
                ++pos_;
                continue;
            }
            // end of record: \n, \r\n or a lone \r
            if (c == '\r') ++pos_;
            if (pos_ < n && data[pos_] == '\n') ++pos_;
            ++line_;
            return field;
        }
    }

private:
    template <class Sink>
    void quoted(std::size_t field, Sink& sink) {
        const std::size_t start_line = line_;
        ++pos_;  // opening quote
        const std::size_t begin = pos_;
        bool doubled = false;
        for (;;) {
            const void* hit = std::memchr(text_.data() + pos_, '"', text_.size() - pos_);
            if (hit == nullptr) {
                throw Error(path_.string() + " line " + std::to_string(start_line) + ", field " + std::to_string(field + 1) +
                            ": a quoted field is never closed; close the quote or escape it as \"\"");
            }
            std::size_t q = static_cast<std::size_t>(static_cast<const char*>(hit) - text_.data());
            for (std::size_t i = pos_; i < q; ++i)
                if (text_[i] == '\n') ++line_;
            if (q + 1 < text_.size() && text_[q + 1] == '"') {
                doubled = true;
                pos_ = q + 2;
                continue;
            }
            pos_ = q + 1;
            std::string_view raw = text_.substr(begin, q - begin);
            if (!doubled) {
                sink(field, raw);
            } else {
                scratch_.clear();
                for (std::size_t i = 0; i < raw.size(); ++i) {
                    scratch_.push_back(raw[i]);
                    if (raw[i] == '"') ++i;  // skip the second quote of a pair
                }
                sink(field, std::string_view(scratch_));
            }
            break;
        }
        if (pos_ < text_.size()) {
            char c = text_[pos_];
            if (c != ',' && c != '\n' && c != '\r') {
                throw Error(path_.string() + " line " + std::to_string(line_) + ", field " + std::to_string(field + 1) +
                            ": unexpected character '" + std::string(1, c) +
                            "' after a closing quote; quote the whole field and double inner quotes");
            }
        }
    }

    std::string_view text_;
    const std::filesystem::path& path_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::string scratch_;
};

}  // namespace

bool parse_number(std::string_view cell, double& out) {
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
    if (cell.empty()) return false;
    if (cell.front() == '+') cell.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), out);
    return ec == std::errc() && ptr == cell.data() + cell.size();
}

std::string csv_quote(std::string_view field) {
    bool needs = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                 (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!needs) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string format_number(double value) {
    char buf[32];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, ptr);
}

bool CsvTable::has_column(std::string_view name) const {
    return std::find(header_.begin(), header_.end(), name) != header_.end();
}

const CsvColumn& CsvTable::column(std::string_view name) const {
    for (const auto& c : columns_)
        if (c.name() == name) return c;
    if (has_column(name))
        throw Error(path_.string() + ": column '" + std::string(name) + "' was not loaded (request it in read_csv)");
    throw Error(path_.string() + ": no column '" + std::string(name) + "'; the file has " + list_names(header_));
}

std::string CsvTable::where(std::size_t row, std::string_view column) const {
    return path_.string() + " line " + std::to_string(line_of_row(row)) + ", column '" + std::string(column) + "'";
}

std::vector<double> CsvTable::numbers(std::string_view name) const {
    const CsvColumn& col = column(name);
    std::vector<double> out(col.size());
    for (std::size_t r = 0; r < col.size(); ++r) {
        if (!parse_number(col[r], out[r])) {
            std::string_view cell = col[r];
            throw Error(where(r, name) + ": " + (cell.empty() ? std::string("empty value") : "'" + std::string(cell.substr(0, 40)) + "'") +
                        " is not a number; fill missing values or fix the cell");
        }
    }
    return out;
}

bool CsvTable::is_numeric(std::string_view name) const {
    const CsvColumn& col = column(name);
    double v = 0;
    for (std::size_t r = 0; r < col.size(); ++r)
        if (!parse_number(col[r], v)) return false;
    return true;
}

CsvTable parse_csv(std::string_view text, const std::filesystem::path& path, const std::vector<std::string>& columns) {
    CsvTable table;
    table.path_ = path;
    Parser parser(text, path);
    if (!parser.next_record()) throw Error(path.string() + ": the file is empty; a header line was expected");
    parser.record([&](std::size_t, std::string_view cell) { table.header_.emplace_back(cell); });
    const std::size_t width = table.header_.size();

    for (std::size_t i = 0; i < width; ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (table.header_[i] == table.header_[j] && !table.header_[i].empty())
                throw Error(path.string() + " line 1: column '" + table.header_[i] + "' appears twice; rename one of them");

    // field index -> slot in columns_ (or npos when not requested)
    constexpr std::size_t skip = static_cast<std::size_t>(-1);
    std::vector<std::size_t> slot(width, skip);
    if (columns.empty()) {
        for (std::size_t i = 0; i < width; ++i) {
            slot[i] = i;
            table.columns_.emplace_back(table.header_[i]);
        }
    } else {
        for (const auto& name : columns) {
            auto it = std::find(table.header_.begin(), table.header_.end(), name);
            if (it == table.header_.end())
                throw Error(path.string() + ": no column '" + name + "'; the file has " + list_names(table.header_));
            std::size_t index = static_cast<std::size_t>(it - table.header_.begin());
            if (slot[index] != skip) continue;
            slot[index] = table.columns_.size();
            table.columns_.emplace_back(name);
        }
    }
    // Reserve from the average line length so that large files do not reallocate repeatedly.
    std::size_t estimated_rows = 0;
    if (text.size() > 4096 && width > 0) {
        std::size_t sample_lines = static_cast<std::size_t>(std::count(text.begin(), text.begin() + 4096, '\n'));
        if (sample_lines > 1) estimated_rows = text.size() / (4096 / sample_lines) + 16;
    }
    if (estimated_rows > 0) {
        table.lines_.reserve(estimated_rows);
        for (auto& c : table.columns_) c.reserve(estimated_rows, text.size() / std::max<std::size_t>(width, 1) + 16);
    }

    while (parser.next_record()) {
        std::size_t line = parser.line();
        std::size_t fields = parser.record([&](std::size_t index, std::string_view cell) {
            if (index < width && slot[index] != skip) table.columns_[slot[index]].append(cell);
        });
        if (fields != width) {
            throw Error(path.string() + " line " + std::to_string(line) + ": " + std::to_string(fields) + " fields, the header has " +
                        std::to_string(width) + "; quote fields that contain commas");
        }
        table.lines_.push_back(line);
    }
    return table;
}

CsvTable read_csv(const std::filesystem::path& path, const std::vector<std::string>& columns) {
    MappedFile file(path);
    return parse_csv(file.view(), path, columns);
}

std::vector<std::string> read_csv_header(const std::filesystem::path& path) {
    MappedFile file(path);
    std::string_view text = file.view();
    // Parse only up to the end of the first record (which may contain quoted newlines).
    std::vector<std::string> header;
    Parser parser(text, path);
    if (!parser.next_record()) throw Error(path.string() + ": the file is empty; a header line was expected");
    parser.record([&](std::size_t, std::string_view cell) { header.emplace_back(cell); });
    return header;
}

}  // namespace autokaggle::metrics
