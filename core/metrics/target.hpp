// The training target as the metric engine and the experiment scripts see it
// (docs/metrics.md, "Prediction files"):
//   regression      the values themselves
//   classification  class indices 0..k-1 in SORTED order of the distinct training labels
//                   (numeric labels numerically, other labels lexicographically)
// OOF and test .npy files follow the same order: binary -> one column P(class index 1),
// multiclass -> k columns, one per class.
#pragma once

#include "metrics/csv.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/metric.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::metrics {

/// How a target column is read: numbers, class labels, or free text (bleu).
enum class TargetKind { regression, classification, text };

struct TargetEncoding {
    bool classification = false;
    bool text = false;
    std::vector<double> values;            ///< n values (regression) or class indices
    std::vector<std::string> class_names;  ///< k names in index order (classification only)
    std::vector<std::string> texts;        ///< the raw target cells (text targets only)
    std::string source;                    ///< "train.csv column 'target'", for messages

    std::size_t rows() const { return text ? texts.size() : values.size(); }
    std::size_t num_classes() const { return class_names.size(); }
    bool binary() const { return classification && class_names.size() == 2; }
    /// The index of a class name; nullopt when it is not a training class.
    std::optional<std::size_t> class_index(std::string_view name) const;
};

/// True for task types whose target is a class label ("binary_classification",
/// "multiclass_classification", anything containing "classification").
bool is_classification_task(std::string_view task_type);

/// Sorted distinct labels: numerically when every label is a number, else byte-wise.
std::vector<std::string> sorted_classes(const CsvColumn& labels);

/// The kind of target a task and metric need: text for text metrics (bleu), classification for
/// "*classification*" task types, regression otherwise.
TargetKind target_kind(std::string_view task_type, PredictionKind prediction);

/// Encodes a target column. Classification: indices into sorted_classes; regression: numbers
/// (a non-numeric or non-finite cell is an error naming the file, line and column); text: cells.
TargetEncoding encode_target(const CsvTable& table, std::string_view column, TargetKind kind);

/// Class indices of `labels` against known class names; a label that is not a class is an error
/// naming the file, line, column and the known classes.
std::vector<double> encode_labels(const CsvTable& table, std::string_view column, const std::vector<std::string>& class_names);

/// Reads train.csv's target column for the competition and metric.
TargetEncoding load_train_target(const CompetitionInfo& competition, PredictionKind prediction);

/// What keeps a campaign with this task type and metric from being carried end to end, one
/// message per gap naming what is missing; empty when nothing does. A campaign needs each
/// experiment's predictions in a numeric .npy (one row per train.csv row), the metric to score
/// them, and a submission built from them. The one place this rule lives: it reads the metric's
/// prediction kind and the task type only.
std::vector<std::string> campaign_gaps(std::string_view task_type, const Metric& metric);

/// The number of prediction columns a script writes for this target and metric:
/// 1 for regression and binary, k for multiclass.
std::size_t expected_prediction_columns(const TargetEncoding& target);

}  // namespace autokaggle::metrics
