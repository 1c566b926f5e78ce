// The core's checks of a round's outputs: the CV recomputed from the OOF file with the metric
// plugin (never the agent's claim), the test predictions' shape, and the submission file
// built from them in sample_submission.csv's format.
#pragma once

#include "base/config.hpp"
#include "base/plugin_host.hpp"

#include <autokaggle/sdk/metric.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle {

/// What keeps this configuration from being carried end to end by a campaign
/// (metrics::campaign_gaps for the configured task type and metric), as messages; empty when
/// nothing does or when no plugin provides the metric (config validation reports that).
std::vector<std::string> configuration_gaps(const Config& config, const PluginHost& plugins);

struct CvCheck {
    std::optional<double> verified_cv;  ///< set only when every check passed
    std::string message;                ///< what was checked, or what failed, with numbers
    bool mismatch = false;              ///< the OOF scored, but not at the claimed value
};

/// Recomputes the CV of `oof` (and its fold scores) against train.csv's target over the
/// competition's fold assignment with `metric`, compares it with the claim (|diff| <= tolerance;
/// metrics::printed_precision_tolerance gives a claim's due) and checks that `test` has test.csv's
/// rows and OOF's columns.
CvCheck verify_outputs(const CompetitionInfo& competition, const Metric& metric, double tolerance,
                       std::optional<double> claimed, const std::filesystem::path& oof,
                       const std::filesystem::path& test);

/// R{NN}_verification.md: the claim, the verified CV and the detail of the check.
std::string verification_markdown(int round, std::optional<double> claimed, const CvCheck& check);

/// Builds `out` in sample_submission.csv's format from `test` with the metric engine and
/// validates it. Throws Error naming the file and every problem.
void write_submission_file(const CompetitionInfo& competition, const Metric& metric, const std::filesystem::path& test,
                           const std::filesystem::path& out);

/// Pearson correlation of two prediction files of equal shape over the rows both predict;
/// nullopt when the shapes differ, fewer than 3 rows are predicted or either side is constant.
std::optional<double> prediction_correlation(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace autokaggle
