#include "metrics/target.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace autokaggle::metrics {

std::optional<std::size_t> TargetEncoding::class_index(std::string_view name) const {
    for (std::size_t i = 0; i < class_names.size(); ++i)
        if (class_names[i] == name) return i;
    double v = 0, w = 0;
    if (parse_number(name, v)) {  // "1" and "1.0" name the same numeric class
        for (std::size_t i = 0; i < class_names.size(); ++i)
            if (parse_number(class_names[i], w) && w == v) return i;
    }
    return std::nullopt;
}

bool is_classification_task(std::string_view task_type) {
    return task_type.find("classification") != std::string_view::npos;
}

std::vector<std::string> sorted_classes(const CsvColumn& labels) {
    std::unordered_map<std::string_view, bool> seen;
    std::vector<std::string_view> distinct;
    for (std::size_t r = 0; r < labels.size(); ++r)
        if (seen.emplace(labels[r], true).second) distinct.push_back(labels[r]);
    bool numeric = true;
    std::vector<std::pair<double, std::string_view>> numbers;
    for (auto d : distinct) {
        double v = 0;
        if (!parse_number(d, v) || std::isnan(v)) {
            numeric = false;
            break;
        }
        numbers.emplace_back(v, d);
    }
    std::vector<std::string> out;
    if (numeric) {
        std::sort(numbers.begin(), numbers.end());
        for (std::size_t i = 0; i < numbers.size(); ++i)
            if (i == 0 || numbers[i].first != numbers[i - 1].first) out.emplace_back(numbers[i].second);
    } else {
        std::sort(distinct.begin(), distinct.end());
        for (auto d : distinct) out.emplace_back(d);
    }
    return out;
}

std::vector<double> encode_labels(const CsvTable& table, std::string_view column, const std::vector<std::string>& class_names) {
    const CsvColumn& col = table.column(column);
    std::unordered_map<std::string_view, double> index;
    for (std::size_t i = 0; i < class_names.size(); ++i) index.emplace(class_names[i], static_cast<double>(i));
    // numeric class names also match other spellings of the same number ("1" vs "1.0")
    std::vector<std::pair<double, double>> numeric;
    for (std::size_t i = 0; i < class_names.size(); ++i) {
        double v = 0;
        if (parse_number(class_names[i], v)) numeric.emplace_back(v, static_cast<double>(i));
    }
    std::vector<double> out(col.size());
    for (std::size_t r = 0; r < col.size(); ++r) {
        auto it = index.find(col[r]);
        if (it != index.end()) {
            out[r] = it->second;
            continue;
        }
        double v = 0;
        bool found = false;
        if (parse_number(col[r], v)) {
            for (const auto& [value, idx] : numeric)
                if (value == v) {
                    out[r] = idx;
                    found = true;
                    break;
                }
        }
        if (!found) {
            std::string known;
            for (std::size_t i = 0; i < class_names.size() && i < 20; ++i) known += (i ? ", '" : "'") + class_names[i] + "'";
            if (class_names.size() > 20) known += ", ...";
            throw MetricError(table.where(r, column) + ": label '" + std::string(col[r]) +
                              "' is not one of the training classes (" + known + ")");
        }
    }
    return out;
}

TargetKind target_kind(std::string_view task_type, PredictionKind prediction) {
    if (prediction == PredictionKind::text) return TargetKind::text;
    return is_classification_task(task_type) ? TargetKind::classification : TargetKind::regression;
}

TargetEncoding encode_target(const CsvTable& table, std::string_view column, TargetKind kind) {
    TargetEncoding t;
    t.classification = kind == TargetKind::classification;
    t.text = kind == TargetKind::text;
    t.source = table.path().filename().string() + " column '" + std::string(column) + "'";
    const CsvColumn& col = table.column(column);
    if (t.text) {
        t.texts.reserve(col.size());
        for (std::size_t r = 0; r < col.size(); ++r) t.texts.emplace_back(col[r]);
    } else if (t.classification) {
        for (std::size_t r = 0; r < col.size(); ++r)
            if (col[r].empty()) throw MetricError(table.where(r, column) + ": the target is empty; every training row needs a label");
        t.class_names = sorted_classes(col);
        if (t.class_names.size() < 2)
            throw MetricError(table.path().string() + ": column '" + std::string(column) + "' has " +
                              std::to_string(t.class_names.size()) + " distinct label(s); classification needs at least 2");
        t.values = encode_labels(table, column, t.class_names);
    } else {
        t.values = table.numbers(column);
        for (std::size_t r = 0; r < t.values.size(); ++r)
            if (!std::isfinite(t.values[r]))
                throw MetricError(table.where(r, column) + ": target value is not finite; drop or fill the row");
    }
    return t;
}

TargetEncoding load_train_target(const CompetitionInfo& competition, PredictionKind prediction) {
    if (competition.target_column.empty())
        throw ConfigError("config.json: target_column is empty; name the column of train.csv to predict");
    CsvTable table = read_csv(competition.train_csv, {competition.target_column});
    return encode_target(table, competition.target_column, target_kind(competition.task_type, prediction));
}

std::vector<std::string> campaign_gaps(std::string_view task_type, const Metric& metric) {
    std::vector<std::string> gaps;
    const std::string metric_name = "metric " + metric.name();
    const std::string task = "task_type " + std::string(task_type);
    static const std::vector<std::pair<std::string_view, std::string_view>> structured{
        {"object_detection", "bounding boxes"}, {"segmentation", "masks"}, {"nlp_generation", "generated text"}};
    for (const auto& [type, what] : structured)
        if (task_type == type)
            gaps.push_back(task + " predicts " + std::string(what) +
                           " for each row, which the numeric .npy prediction files of the experiment script "
                           "contract cannot hold, so no CV can ever be verified and no submission built; "
                           "run such competitions outside the campaign (autokaggle score and submit still work)");
    if (task_type == "multilabel_classification")
        gaps.push_back(task + ": the core reads target_column as one class per row and cannot encode several "
                              "labels per row, so its CV and submissions would be wrong");
    const PredictionKind kind = metric.prediction_kind();
    const bool classification = is_classification_task(task_type);
    if (kind == PredictionKind::text)
        gaps.push_back(metric_name + " scores text predictions, which a numeric .npy cannot hold, so no experiment's "
                                     "CV can be verified; choose a metric that scores numbers or class labels");
    if ((kind == PredictionKind::probability || kind == PredictionKind::score) && !classification)
        gaps.push_back(metric_name + " scores class " +
                       (kind == PredictionKind::probability ? "probabilities" : "scores") + ", but " + task +
                       " predicts values; set task_type to binary_classification or multiclass_classification, "
                       "or choose a metric that scores values (autokaggle plugins lists the metrics)");
    if (kind == PredictionKind::value && task_type == "multiclass_classification")
        gaps.push_back(metric_name + " scores one value per row, but multiclass predictions have one column per "
                                     "class; choose a metric that scores classes (autokaggle plugins lists the metrics) or task_type regression");
    return gaps;
}

std::size_t expected_prediction_columns(const TargetEncoding& target) {
    if (!target.classification || target.binary()) return 1;  // regression, text, binary
    return target.num_classes();
}

}  // namespace autokaggle::metrics
