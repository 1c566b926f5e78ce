// Rank transforms of prediction columns, for rank averaging (AUC and gini blends).
#pragma once

#include <span>
#include <vector>

namespace autokaggle::metrics {

/// Twice the average rank of each value (1-based; tied values share the mean of their
/// positions), so that every rank is an integer and sums of ranks stay exact. Values must be
/// finite. O(n): one radix sort of 8-byte keys.
std::vector<double> doubled_ranks(std::span<const double> values);

/// Ranks scaled onto (0, 1] (doubled rank / 2n): the form rank blends are written in.
std::vector<double> normalized_ranks(std::span<const double> values);

}  // namespace autokaggle::metrics
