// The one check of a competition's data files, used by `validate` (which lists what it finds)
// and by `run` (which refuses to start a campaign on data no round could use): the data folder,
// train.csv, test.csv and sample_submission.csv exist, are UTF-8 CSV with a header and rows,
// the target and id columns are there, the target has a value in every row, test.csv has
// train.csv's columns (without the target), and sample_submission.csv's ids are test.csv's.
#pragma once

#include <autokaggle/sdk/host.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace autokaggle {

struct DataProblem {
    enum class Severity { error, warning };
    Severity severity = Severity::error;
    std::filesystem::path file;  ///< the file (or folder) the problem is in
    std::string message;         ///< what is wrong and how to fix it
};

/// Every problem found, errors and warnings, in file order (train, test, sample submission).
std::vector<DataProblem> check_competition_data(const CompetitionInfo& competition);

/// `run`'s use of the check: warnings go to `warn`; errors make a ConfigError listing each with
/// its file (relative to the workspace), the problem and the fix.
void require_usable_data(const CompetitionInfo& competition, const WorkspacePaths& paths,
                         const std::function<void(const std::string&)>& warn);

}  // namespace autokaggle
