// The blender's hill-climbing step for log loss, without a log() call per row and trial.
//
// Every trial (the running sum plus one candidate, scaled) is screened with a polynomial
// logarithm whose error is bounded (below 1e-12 per row), summed with a bounded rounding error:
// the result is an interval certain to hold the log loss the standard plugin computes (same
// clipping, same row normalisation). Only candidates whose interval reaches the best are then
// scored through the plugin (metrics/screened_pick.hpp): the pick and its score are the ones
// exhaustive scoring would give. A plugin that scores differently (another eps) shows up as an
// exact score outside its interval, and the blender then scores every trial exactly.
#pragma once

#include "metrics/screened_pick.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace autokaggle::metrics {

class LoglossTrials {
public:
    /// `truth` holds class indices (0/1 with one probability column; 0..cols-1 with `cols`
    /// columns); `eps` is the plugin's clipping (the standard default).
    LoglossTrials(std::span<const double> truth, std::size_t cols, double eps = 1e-15);

    /// Interval holding minus the log loss of (sum + model) * scale, row-major like the OOF
    /// arrays (higher is better, as screened_pick expects). Unbounded when a row's probability
    /// underflows, so that the candidate is scored exactly.
    ScoreInterval<double> screen(const double* sum, const double* model, double scale) const;

    /// Largest error of the polynomial logarithm against std::log, per row.
    static constexpr double log_error = 1e-12;

private:
    std::span<const double> truth_;
    std::vector<std::uint8_t> is_one_;  // binary: the plugin's truth == 1
    std::size_t cols_;
    double eps_;
};

/// log(x) for a normal, positive x, within LoglossTrials::log_error of std::log (exposed for tests).
double bounded_log(double x);

}  // namespace autokaggle::metrics
