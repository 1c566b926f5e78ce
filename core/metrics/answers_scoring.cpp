// <autokaggle/support/answers_scoring.hpp>: a submission scored against held-out answers.
#include <autokaggle/support/answers_scoring.hpp>

#include "metrics/csv.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"
#include "metrics/verify.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <unordered_map>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

/// Predictions of a submission, row i being the submission row matched to answers row i.
metrics::NpyArray submission_predictions(const metrics::CsvTable& sub, const std::vector<std::size_t>& sub_rows,
                                         const metrics::TargetEncoding& target, const std::string& target_column,
                                         const Metric& metric) {
    const std::size_t n = sub_rows.size();
    const auto& header = sub.header();
    auto has = [&](const std::string& c) { return std::find(header.begin(), header.end(), c) != header.end(); };
    if (target.classification && target.num_classes() > 2 && !has(target_column)) {
        // One column per class, named as the classes.
        std::vector<double> values(n * target.num_classes());
        for (std::size_t k = 0; k < target.num_classes(); ++k) {
            const auto& name = target.class_names[k];
            if (!has(name))
                throw ServiceError("submission " + sub.path().string() + " has no column '" + name +
                                   "' (one probability column per class is expected, as in sample_submission.csv)", 400);
            const auto col = sub.numbers(name);
            for (std::size_t i = 0; i < n; ++i) values[i * target.num_classes() + k] = col[sub_rows[i]];
        }
        return metrics::NpyArray::matrix(std::move(values), n, target.num_classes());
    }
    if (!has(target_column))
        throw ServiceError("submission " + sub.path().string() + " has no column '" + target_column + "'", 400);
    if (sub.is_numeric(target_column)) {
        const auto col = sub.numbers(target_column);
        std::vector<double> values(n);
        for (std::size_t i = 0; i < n; ++i) values[i] = col[sub_rows[i]];
        return metrics::NpyArray::vector(std::move(values));
    }
    if (!target.classification)
        throw ServiceError("submission " + sub.path().string() + " column '" + target_column + "' is not numeric", 400);
    // Class labels: one label per row (label metrics), or space-separated ranked labels (map@k),
    // which become scores 1/rank per class so that the metric ranks them in the same order.
    const auto& col = sub.column(target_column);
    const std::size_t k = target.num_classes();
    const bool ranked = metric.prediction_kind() != PredictionKind::label;
    std::vector<double> values(ranked ? n * k : n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        std::string cell(col[sub_rows[i]]);
        std::size_t rank = 0, pos = 0;
        while (pos < cell.size()) {
            auto end = cell.find(' ', pos);
            auto label = cell.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
            pos = end == std::string::npos ? cell.size() : end + 1;
            if (label.empty()) continue;
            auto index = target.class_index(label);
            if (!index)
                throw ServiceError(sub.where(sub_rows[i], target_column) + ": '" + label + "' is not a class of the training data", 400);
            if (!ranked) {
                values[i] = static_cast<double>(*index);
                break;
            }
            ++rank;
            if (values[i * k + *index] == 0.0) values[i * k + *index] = 1.0 / static_cast<double>(rank);
        }
    }
    return ranked ? metrics::NpyArray::matrix(std::move(values), n, k) : metrics::NpyArray::vector(std::move(values));
}

/// The answers encoded as the training target is (class order, labels), so that scores compare.
metrics::TargetEncoding answers_target(const CompetitionInfo& c, const Metric& metric, const metrics::CsvTable& answers,
                                       const fs::path& answers_file) {
    metrics::TargetEncoding truth = metrics::load_train_target(c, metric.prediction_kind());
    if (metrics::target_kind(c.task_type, metric.prediction_kind()) == metrics::TargetKind::classification)
        truth.values = metrics::encode_labels(answers, c.target_column, truth.class_names);
    else
        truth.values = answers.numbers(c.target_column);
    truth.source = answers_file.filename().string() + " column '" + c.target_column + "'";
    return truth;
}

}  // namespace

std::vector<PartScore> score_against_answers(const CompetitionInfo& c, const Metric& metric, const fs::path& submission,
                                             const fs::path& answers_file, const std::vector<std::string>& parts,
                                             const std::function<std::size_t(std::string_view id)>& part_of) {
    const auto answers = metrics::read_csv(answers_file, {c.id_column, c.target_column});
    const metrics::TargetEncoding truth = answers_target(c, metric, answers, answers_file);

    const auto sub = metrics::read_csv(submission);
    if (!sub.has_column(c.id_column))
        throw ServiceError("submission " + submission.string() + " has no id column '" + c.id_column + "'", 400);
    const auto& sub_ids = sub.column(c.id_column);
    std::unordered_map<std::string, std::size_t> sub_row;
    for (std::size_t i = 0; i < sub_ids.size(); ++i)
        if (!sub_row.emplace(std::string(sub_ids[i]), i).second)
            throw ServiceError(sub.where(i, c.id_column) + ": duplicate id '" + std::string(sub_ids[i]) + "'", 400);
    const auto& ids = answers.column(c.id_column);
    if (sub_ids.size() != ids.size())
        throw ServiceError("submission " + submission.string() + " has " + std::to_string(sub_ids.size()) +
                           " rows, the answers have " + std::to_string(ids.size()), 400);
    std::vector<std::size_t> aligned(ids.size());
    std::vector<std::vector<std::size_t>> rows(parts.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto it = sub_row.find(std::string(ids[i]));
        if (it == sub_row.end())
            throw ServiceError("submission " + submission.string() + " lacks id '" + std::string(ids[i]) + "'", 400);
        aligned[i] = it->second;
        const std::size_t part = part_of(ids[i]);
        if (part >= parts.size())
            throw Error("score_against_answers: id '" + std::string(ids[i]) + "' was placed in part " +
                        std::to_string(part) + ", but there are " + std::to_string(parts.size()));
        rows[part].push_back(i);
    }
    const auto pred = submission_predictions(sub, aligned, truth, c.target_column, metric);
    std::vector<PartScore> scores;
    try {
        for (std::size_t p = 0; p < parts.size(); ++p)
            scores.push_back({metrics::score_rows(metric, truth, pred.view(), rows[p], parts[p]), rows[p].size()});
    } catch (const MetricError& e) {
        throw ServiceError("submission " + submission.string() + " cannot be scored: " + e.what(), 400);
    }
    return scores;
}

}  // namespace autokaggle
