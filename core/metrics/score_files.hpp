// `autokaggle score`: one metric on a truth file and a prediction file (.csv or .npy).
//
//  - FILE[:COLUMN]: a CSV column by name, or a .npy column by index; without a column, a CSV
//    uses its only non-id column (predictions: all non-id columns, e.g. one per class) and a
//    .npy all its columns.
//  - CSV rows are aligned by the id column when both files have it (--id, else the truth file's
//    first column when the prediction file has a column of that name); otherwise by position.
//  - Class labels in a CSV truth column are encoded in sorted order (docs/metrics.md); when the
//    prediction CSV has one column per class, its column names are the classes.
#pragma once

#include <autokaggle/sdk/metric.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace autokaggle::metrics {

struct ColumnSpec {
    std::filesystem::path file;
    std::optional<std::string> column;
};

/// "data/train.csv:target" -> {file, column}. A path that exists as given is taken whole (so a
/// ':' inside a file name works); otherwise the text after the last ':' is the column.
ColumnSpec parse_column_spec(const std::string& text);

struct ScoreReport {
    std::string metric;
    Direction direction = Direction::higher;
    double score = 0;
    std::size_t rows = 0;
    std::string id_column;  ///< non-empty when rows were aligned by id
};

/// Scores `pred` against `truth`; errors name the file, line and column at fault.
ScoreReport score_files(const Metric& metric, const ColumnSpec& truth, const ColumnSpec& pred,
                        const std::optional<std::string>& id_column = std::nullopt);

}  // namespace autokaggle::metrics
