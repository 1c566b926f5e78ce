// CSV files (core/metrics/csv.cpp): train.csv, test.csv, submissions. Any text reads or is
// refused with an Error; every column can be asked for as numbers or as a target; a table
// written back with csv_quote reads to the same cells.
#include "fuzz.hpp"

#include "metrics/csv.hpp"
#include "metrics/target.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <string>

namespace {

using namespace autokaggle;
using namespace autokaggle::metrics;

/// The table as CSV text again, every cell through csv_quote.
std::string written(const CsvTable& table) {
    std::string out;
    auto line = [&](auto&& cell_of) {
        for (std::size_t c = 0; c < table.header().size(); ++c) {
            if (c) out += ',';
            out += csv_quote(cell_of(c));
        }
        out += '\n';
    };
    line([&](std::size_t c) { return std::string_view(table.header()[c]); });
    for (std::size_t r = 0; r < table.rows(); ++r)
        line([&](std::size_t c) { return table.column(table.header()[c])[r]; });
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    CsvTable table;
    try {
        table = parse_csv(fuzz::text(data, size), "fuzz.csv");
    } catch (const Error&) {
        return 0;
    }
    for (const auto& name : table.header()) {
        const CsvColumn& column = table.column(name);
        fuzz::require(column.size() == table.rows(), "every column has every row");
        if (table.is_numeric(name)) fuzz::require(table.numbers(name).size() == table.rows(), "numbers of a numeric column");
        for (TargetKind kind : {TargetKind::regression, TargetKind::classification, TargetKind::text}) {
            try {
                const TargetEncoding target = encode_target(table, name, kind);
                fuzz::require(target.rows() == table.rows(), "a target has every row");
                for (double v : target.values)
                    if (target.classification) fuzz::require(v >= 0 && v < static_cast<double>(target.num_classes()), "class index in range");
            } catch (const Error&) {
            }
        }
    }
    // A one-column table with an empty cell writes a blank line, which reads as no row: only
    // wider tables are expected to come back cell for cell.
    if (table.header().size() < 2) return 0;
    bool duplicate_names = false;
    for (std::size_t i = 0; i < table.header().size(); ++i)
        for (std::size_t j = 0; j < i; ++j) duplicate_names |= table.header()[i] == table.header()[j];
    if (duplicate_names) return 0;  // only empty names can repeat; column(name) finds the first
    // A first name that starts with a second byte-order mark would be read as the mark.
    if (table.header()[0].starts_with("\xEF\xBB\xBF")) return 0;
    const std::string text = written(table);
    CsvTable again;
    try {
        again = parse_csv(text, "again.csv");
    } catch (const Error&) {
        fuzz::require(false, "a table written with csv_quote reads back");
    }
    fuzz::require(again.header() == table.header() && again.rows() == table.rows(), "the shape survives writing");
    for (const auto& name : table.header())
        for (std::size_t r = 0; r < table.rows(); ++r)
            fuzz::require(again.column(name)[r] == table.column(name)[r], "every cell survives writing");
    return 0;
}
