// A fast CSV reader for train.csv, test.csv and submissions: RFC 4180 quoting (embedded commas,
// doubled quotes, newlines inside quotes), CRLF or LF, a UTF-8 byte-order mark, blank lines
// skipped. The file is memory-mapped and parsed in one pass; only the requested columns are
// kept, each as one text buffer plus offsets (no allocation per cell).
// Errors name the file, the line and the column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::metrics {

/// One column's cells, unescaped.
class CsvColumn {
public:
    CsvColumn() = default;
    explicit CsvColumn(std::string name) : name_(std::move(name)) {}
    const std::string& name() const { return name_; }
    std::size_t size() const { return offsets_.size() - 1; }
    std::string_view operator[](std::size_t row) const {
        return std::string_view(text_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
    }
    void append(std::string_view cell) {
        text_.append(cell);
        offsets_.push_back(text_.size());
    }
    void reserve(std::size_t rows, std::size_t bytes) {
        offsets_.reserve(rows + 1);
        text_.reserve(bytes);
    }

private:
    std::string name_;
    std::string text_;
    std::vector<std::uint64_t> offsets_{0};
};

class CsvTable {
public:
    const std::filesystem::path& path() const { return path_; }
    /// Every column name of the file, in file order (also those not loaded).
    const std::vector<std::string>& header() const { return header_; }
    std::size_t rows() const { return lines_.size(); }
    /// Whether the file has this column (loaded or not).
    bool has_column(std::string_view name) const;
    /// A loaded column; throws autokaggle::Error naming the file and listing its columns.
    const CsvColumn& column(std::string_view name) const;
    /// The column's cells as numbers; an empty or non-numeric cell is an error naming the file,
    /// the line and the column. "nan"/"inf" parse (callers check finiteness with context).
    std::vector<double> numbers(std::string_view name) const;
    /// True when every cell of the loaded column parses as a number (and none is empty).
    bool is_numeric(std::string_view name) const;
    /// The 1-based line in the file where data row `row` (0-based, header excluded) starts.
    std::size_t line_of_row(std::size_t row) const { return static_cast<std::size_t>(lines_[row]); }
    /// "train.csv line 17, column 'target'": the prefix of every error about a cell.
    std::string where(std::size_t row, std::string_view column) const;

private:
    friend CsvTable read_csv(const std::filesystem::path&, const std::vector<std::string>&);
    friend CsvTable parse_csv(std::string_view, const std::filesystem::path&, const std::vector<std::string>&);
    std::filesystem::path path_;
    std::vector<std::string> header_;
    std::vector<CsvColumn> columns_;  ///< loaded columns
    std::vector<std::uint64_t> lines_;
};

/// Reads `columns` of a CSV file (all columns when empty). A requested column the file lacks is
/// an error naming the file and listing the columns it has. Rows with a different number of
/// fields than the header are errors naming the line.
CsvTable read_csv(const std::filesystem::path& path, const std::vector<std::string>& columns = {});

/// Parses CSV text already in memory; `path` is used in messages only.
CsvTable parse_csv(std::string_view text, const std::filesystem::path& path, const std::vector<std::string>& columns = {});

/// Just the header names (reads only the first record).
std::vector<std::string> read_csv_header(const std::filesystem::path& path);

/// Parses a whole cell as a double (surrounding spaces allowed). False when it is not a number.
bool parse_number(std::string_view cell, double& out);

/// A field quoted for CSV output when it needs to be (comma, quote, CR/LF, leading/trailing space).
std::string csv_quote(std::string_view field);

/// Shortest text that reads back as exactly `value` (std::to_chars).
std::string format_number(double value);

}  // namespace autokaggle::metrics
