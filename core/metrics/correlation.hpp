// Pairwise Pearson correlations of prediction columns (the blender's near-duplicate test).
#pragma once

#include <vector>

namespace autokaggle::metrics {

/// The m x m Pearson correlation matrix of m equally long columns: ones on the diagonal, 0 for
/// any pair involving a constant column. Deterministic for any thread count.
std::vector<std::vector<double>> pearson_matrix(const std::vector<const std::vector<double>*>& columns, unsigned threads);

}  // namespace autokaggle::metrics
