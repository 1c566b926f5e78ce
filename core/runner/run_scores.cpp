#include "runner/run_scores.hpp"

#include "base/atomic_file.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <limits>

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

std::vector<double> read_run_fold_scores(const std::filesystem::path& file) {
    const auto text = read_file_if_exists(file);
    if (!text) return {};
    boost::system::error_code ec;
    const auto value = boost::json::parse(*text, ec);
    const auto* scores = !ec && value.is_object() ? value.as_object().if_contains("fold_scores") : nullptr;
    std::vector<double> out;
    if (!scores || !scores->is_array()) return out;
    for (const auto& v : scores->as_array())
        out.push_back(v.is_number() ? v.to_number<double>() : std::numeric_limits<double>::quiet_NaN());
    return out;
}

}  // namespace autokaggle
