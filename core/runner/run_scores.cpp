#include "runner/run_scores.hpp"

#include "base/atomic_file.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace autokaggle {

namespace {

boost::json::array numbers(const std::vector<double>& values) {
    boost::json::array out;
    for (double v : values) out.push_back(std::isfinite(v) ? boost::json::value(v) : boost::json::value(nullptr));
    return out;
}

}  // namespace

void write_run_scores(const std::filesystem::path& file, int round, std::string_view metric, const ExperimentResult& result) {
    if (!result.scored_cv) return;
    boost::json::object scores{{"round", round},
                               {"metric", metric},
                               {"cv", *result.scored_cv},
                               {"fold_scores", numbers(result.scored_fold_scores)},
                               {"claimed_cv", result.claimed_cv ? boost::json::value(*result.claimed_cv) : nullptr},
                               {"claimed_fold_scores", numbers(result.fold_scores)},
                               {"oof", result.oof_file.filename().string()}};
    atomic_write(file, boost::json::serialize(scores) + "\n");
}

}  // namespace autokaggle
