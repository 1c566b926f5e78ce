#include "orchestrator/data_check.hpp"

#include "base/text.hpp"
#include "metrics/csv.hpp"
#include "metrics/mapped_file.hpp"
#include "metrics/target.hpp"
#include "orchestrator/workspace.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

/// The offset of the first byte that is not valid UTF-8 (overlong forms and surrogates
/// included), or nullopt.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + len > n) return i;
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char b = s[i + k];
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return i;
        }
        i += len;
    }
    return std::nullopt;
}

/// "train.csv line 7, column 'target'": where a cell is, for messages.
std::string cell_at(const metrics::CsvTable& table, std::size_t row, const std::string& column) {
    return table.path().filename().string() + " line " + std::to_string(table.line_of_row(row)) + ", column '" + column + "'";
}

bool is_missing_value(std::string_view cell) {
    const std::string v = to_lower(trim(cell));
    return v.empty() || v == "nan" || v == "na" || v == "n/a" || v == "null" || v == "none";
}

class Checker {
public:
    explicit Checker(const CompetitionInfo& c) : c_(c) {}

    std::vector<DataProblem> run() {
        const fs::path data = c_.train_csv.parent_path();
        std::error_code ec;
        if (!fs::is_directory(data, ec)) {
            error(data, "data folder not found (data_dir in config.json); put train.csv, test.csv and "
                        "sample_submission.csv there (autokaggle init --download fetches them from Kaggle)");
            return std::move(problems_);
        }
        check_train();
        check_test();
        check_sample();
        return std::move(problems_);
    }

private:
    void error(const fs::path& file, std::string message) {
        problems_.push_back({DataProblem::Severity::error, file, std::move(message)});
    }
    void warning(const fs::path& file, std::string message) {
        problems_.push_back({DataProblem::Severity::warning, file, std::move(message)});
    }

    /// The header of a file that exists, is UTF-8 and parses; nullopt after reporting why not.
    std::optional<std::vector<std::string>> header_of(const fs::path& file) {
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) {
            error(file, "missing; download the competition's data into " + file.parent_path().string());
            return std::nullopt;
        }
        try {
            const metrics::MappedFile mapped(file);
            if (mapped.size() == 0) {
                error(file, "empty: expected a CSV file with a header line and data rows");
                return std::nullopt;
            }
            if (const auto bad = first_invalid_utf8(mapped.view())) {
                const auto before = mapped.view().substr(0, *bad);
                char byte[8];
                std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(mapped.view()[*bad]));
                error(file, "not UTF-8 text: byte " + std::string(byte) + " on line " +
                                std::to_string(std::count(before.begin(), before.end(), '\n') + 1) +
                                "; save it as UTF-8 (for example: iconv -f latin1 -t utf-8 " + file.filename().string() +
                                " > fixed.csv)");
                return std::nullopt;
            }
            return metrics::read_csv_header(file);
        } catch (const std::exception& e) {
            error(file, std::string("empty or unreadable: expected a CSV file with a header line (") + e.what() + ")");
            return std::nullopt;
        }
    }

    bool has(const std::vector<std::string>& header, const std::string& column) const {
        return std::find(header.begin(), header.end(), column) != header.end();
    }

    void require_column(const fs::path& file, const std::vector<std::string>& header, const std::string& column,
                        const std::string& key) {
        std::string message = key + " \"" + column + "\" is not a column of " + file.filename().string() + " (columns: " +
                              join(header, ", ") + ")";
        if (auto near = nearest(column, header)) message += "; did you mean \"" + *near + "\"?";
        error(file, message);
    }

    /// The table with `columns`, or nullopt after reporting the parse error.
    std::optional<metrics::CsvTable> table_of(const fs::path& file, const std::vector<std::string>& columns) {
        try {
            return metrics::read_csv(file, columns);
        } catch (const std::exception& e) {
            error(file, std::string(e.what()) + "; fix the file (every row needs the header's number of fields)");
            return std::nullopt;
        }
    }

    void check_train() {
        const auto header = header_of(c_.train_csv);
        if (!header) return;
        train_header_ = *header;
        for (const auto& [column, key] : {std::pair{c_.group_column, "group_column"}, std::pair{c_.time_column, "time_column"}})
            if (!column.empty() && !has(*header, column)) require_column(c_.train_csv, *header, column, key);
        if (c_.target_column.empty()) return;
        if (!has(*header, c_.target_column)) return require_column(c_.train_csv, *header, c_.target_column, "target_column");
        const auto table = table_of(c_.train_csv, {c_.target_column});
        if (!table) return;
        const std::size_t rows = table->rows();
        if (rows < 2) {
            error(c_.train_csv, rows == 0 ? "has a header but no data rows; the campaign needs rows to train on"
                                          : "has only 1 data row; cross-validation needs at least 2 (cv_folds is " +
                                                std::to_string(c_.cv_folds) + ")");
            return;
        }
        if (rows < static_cast<std::size_t>(c_.cv_folds))
            warning(c_.train_csv, "has " + std::to_string(rows) + " data rows, fewer than cv_folds (" +
                                      std::to_string(c_.cv_folds) + "): some folds would be empty");
        check_target(*table);
    }

    void check_target(const metrics::CsvTable& table) {
        const bool classification = metrics::is_classification_task(c_.task_type);
        const auto& column = table.column(c_.target_column);
        std::size_t missing = 0, not_numbers = 0;
        std::optional<std::size_t> first_missing, first_text;
        std::unordered_set<std::string_view> classes;
        for (std::size_t r = 0; r < column.size(); ++r) {
            const std::string_view cell = column[r];
            double value = 0;
            if (is_missing_value(cell) || (!classification && metrics::parse_number(cell, value) && !std::isfinite(value))) {
                if (!missing++) first_missing = r;
            } else if (!classification && !metrics::parse_number(cell, value)) {
                if (!not_numbers++) first_text = r;
            } else if (classification) {
                classes.insert(cell);
            }
        }
        const std::string fix = "; drop those rows or fill in the target";
        if (missing)
            error(c_.train_csv, "target_column \"" + c_.target_column + "\" has no value (empty or NaN) in " +
                                    std::to_string(missing) + " row(s), first at " +
                                    cell_at(table, *first_missing, c_.target_column) + fix);
        if (not_numbers)
            error(c_.train_csv, "target_column \"" + c_.target_column + "\" is not a number in " +
                                    std::to_string(not_numbers) + " row(s), first at " +
                                    cell_at(table, *first_text, c_.target_column) + " (\"" +
                                    std::string(column[*first_text]) + "\"); a " + c_.task_type +
                                    " target must be numeric" + fix);
        if (classification && !missing && classes.size() == 1)
            error(c_.train_csv, "target_column \"" + c_.target_column + "\" has one class only (\"" +
                                    std::string(*classes.begin()) + "\"); a classifier needs at least two");
    }

    void check_test() {
        const auto header = header_of(c_.test_csv);
        if (!header) return;
        const std::string name = c_.test_csv.filename().string();
        if (!c_.target_column.empty() && has(*header, c_.target_column))
            warning(c_.test_csv, "has the target column \"" + c_.target_column + "\": is it the training file?");
        if (!train_header_.empty()) {
            std::vector<std::string> lacks, extra;
            for (const auto& col : train_header_)
                if (col != c_.target_column && !has(*header, col)) lacks.push_back(col);
            for (const auto& col : *header)
                if (col != c_.target_column && !has(train_header_, col)) extra.push_back(col);
            const std::string fix = "; test.csv must have train.csv's columns without the target";
            if (!lacks.empty()) error(c_.test_csv, "lacks train.csv's column(s) " + join(lacks, ", ") + fix);
            if (!extra.empty()) error(c_.test_csv, "has column(s) train.csv lacks: " + join(extra, ", ") + fix);
        }
        if (c_.id_column.empty() || !has(*header, c_.id_column)) {
            if (!c_.id_column.empty())
                warning(c_.test_csv, "id_column \"" + c_.id_column + "\" is not a column of " + name);
            test_readable_ = false;
            return;
        }
        const auto table = table_of(c_.test_csv, {c_.id_column});
        if (!table) return;
        if (table->rows() == 0) return error(c_.test_csv, "has a header but no data rows; there is nothing to predict");
        const auto& ids = table->column(c_.id_column);
        for (std::size_t r = 0; r < ids.size(); ++r) {
            if (test_ids_.emplace(std::string(ids[r]), r).second) continue;
            return error(c_.test_csv, "duplicate id \"" + std::string(ids[r]) + "\" at " + cell_at(*table, r, c_.id_column) +
                                          "; every test row needs its own id");
        }
        test_readable_ = true;
    }

    void check_sample() {
        const auto header = header_of(c_.sample_submission_csv);
        if (!header || c_.id_column.empty()) return;
        if (!has(*header, c_.id_column))
            return require_column(c_.sample_submission_csv, *header, c_.id_column, "id_column");
        if (!test_readable_) return;
        const auto table = table_of(c_.sample_submission_csv, {c_.id_column});
        if (!table) return;
        const auto& ids = table->column(c_.id_column);
        const std::string fix = "; sample_submission.csv must list exactly test.csv's ids";
        std::unordered_set<std::string_view> seen;
        for (std::size_t r = 0; r < ids.size(); ++r) {
            if (!test_ids_.count(std::string(ids[r])))
                return error(c_.sample_submission_csv, "id \"" + std::string(ids[r]) + "\" at " +
                                                           cell_at(*table, r, c_.id_column) + " is not an id of test.csv" + fix);
            if (!seen.insert(ids[r]).second)
                return error(c_.sample_submission_csv, "duplicate id \"" + std::string(ids[r]) + "\" at " +
                                                           cell_at(*table, r, c_.id_column) + fix);
        }
        if (ids.size() != test_ids_.size())
            error(c_.sample_submission_csv, "has " + std::to_string(ids.size()) + " rows, test.csv has " +
                                                std::to_string(test_ids_.size()) + fix);
    }

    const CompetitionInfo& c_;
    std::vector<DataProblem> problems_;
    std::vector<std::string> train_header_;
    std::unordered_map<std::string, std::size_t> test_ids_;
    bool test_readable_ = false;
};

}  // namespace

std::vector<DataProblem> check_competition_data(const CompetitionInfo& competition) { return Checker(competition).run(); }

void require_usable_data(const CompetitionInfo& competition, const WorkspacePaths& paths,
                         const std::function<void(const std::string&)>& warn) {
    std::string errors;
    for (const auto& p : check_competition_data(competition)) {
        const std::string line = workspace_relative(paths, p.file) + ": " + p.message;
        if (p.severity == DataProblem::Severity::error) errors += "\n  " + line;
        else if (warn) warn(line);
    }
    if (!errors.empty()) throw ConfigError("the competition's data cannot be used, so no round was run:" + errors);
}

}  // namespace autokaggle
