// The standard metrics, each defined exactly as scikit-learn (or, where scikit-learn has none,
// as Kaggle or sacreBLEU) defines it. docs/metrics.md lists them with their definitions.
#pragma once

#include <autokaggle/sdk/metric.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::standard_metrics {

struct Options {
    double logloss_eps = 1e-15;  ///< probabilities are clipped to [eps, 1 - eps]
};

/// Every name served ("map@k" and "ndcg@k" stand for any k >= 1).
const std::vector<std::string>& metric_names();

/// The metric for a configured name ("rmse", "map@5"), or nullptr when this plugin does not
/// serve it.
std::unique_ptr<Metric> make_metric(std::string_view name, const Options& options);

/// sacreBLEU's default 13a tokenisation of one segment (exposed for tests).
std::string tokenize_13a(std::string_view line);

}  // namespace autokaggle::standard_metrics
