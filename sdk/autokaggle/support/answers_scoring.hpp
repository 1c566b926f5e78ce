// Scoring a submission file against held-out answers, as a leaderboard does: the submission's
// rows matched to the answers' by id, its prediction columns read the way the metric expects
// (one probability column per class, a label, space-separated ranked labels, or a value), and
// each part of the test rows (a public and a private leaderboard, say) scored on its own.
// Implemented in libautokaggle-metrics (AutoKaggle::metrics).
#pragma once

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

struct PartScore {
    double score = 0;
    std::size_t rows = 0;
};

/// `parts` names the parts ("public part", ...); `part_of(id)` places an answers row in one of
/// them (an index below parts.size()). Returns one score per part, in that order. A submission
/// that cannot be scored (no id column, a duplicate, missing or extra ids, a label the training
/// data does not have, a metric error) throws ServiceError with status 400 naming the file and
/// the row; unreadable answers or training data throw Error.
std::vector<PartScore> score_against_answers(const CompetitionInfo& competition, const Metric& metric,
                                             const std::filesystem::path& submission,
                                             const std::filesystem::path& answers,
                                             const std::vector<std::string>& parts,
                                             const std::function<std::size_t(std::string_view id)>& part_of);

}  // namespace autokaggle
