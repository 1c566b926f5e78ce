// results.tsv: one row per finished round (docs/state.md). Rewritten whole and atomically; a
// half-written last line (no final newline, or too few fields) is dropped with a warning.
#pragma once

#include <autokaggle/sdk/metric.hpp>  // format_score

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

struct ResultRow {
    int round = 0;
    std::string script;       ///< workspace-relative, empty for rounds without an experiment
    std::string cv_score;     ///< verified CV as text, "crash", how the runner ended it ("killed"), or empty
    std::string lb;           ///< public leaderboard score, "pending", or empty
    std::string status;       ///< eda | ok | crash | unverified | failed | killed_fold1 | timeout ...
    std::string submitted;    ///< "yes" | "no"
    std::string timestamp;    ///< ISO-8601 UTC when the row was recorded
    std::string description;  ///< one line (tabs and newlines replaced by spaces)
    int regime = 1;           ///< the CV regime the round's CV belongs to (files without the column: 1)
};

inline constexpr const char* kResultsHeader =
    "round\tscript\tcv_score\tlb\tstatus\tsubmitted\ttimestamp\tdescription\tregime";

struct ResultsFile {
    std::vector<ResultRow> rows;  ///< ordered by round
    bool repaired = false;        ///< a broken last line was dropped
};

/// Reads results.tsv (empty when missing). A broken last line is dropped and reported through
/// `warn`; a broken line elsewhere is an Error naming the file and line.
ResultsFile read_results(const std::filesystem::path& file, const std::function<void(const std::string&)>& warn);

/// read_results on the file's text; `source` names it in messages.
ResultsFile parse_results(std::string_view text, const std::string& source,
                          const std::function<void(const std::string&)>& warn);

/// Writes the whole table atomically.
void write_results(const std::filesystem::path& file, const std::vector<ResultRow>& rows);
/// The text write_results writes: the header and one line per row.
std::string format_results(const std::vector<ResultRow>& rows);

/// Replaces the row of the same round or inserts it in round order (recording is idempotent).
void upsert_result(std::vector<ResultRow>& rows, ResultRow row);

const ResultRow* find_result(const std::vector<ResultRow>& rows, int round);

/// Tabs and line breaks to spaces, so a value stays one TSV field.
std::string tsv_field(std::string text);

/// One line of at most `max` characters (tabs and line breaks to spaces, "..." when cut), for
/// logs, table cells and messages quoting outside text.
std::string one_line(std::string text, std::size_t max = 160);

}  // namespace autokaggle
