// Picking the best of many blend trials when most can be ruled out cheaply.
//
// A screening pass gives every candidate an interval certain to hold its exact score; only the
// candidates whose interval still reaches the best exact score found so far are scored exactly,
// most promising first. The result is what scoring every candidate exactly would give,
// including the tie rule (the lowest index wins among equal scores).
#pragma once

#include <autokaggle/support/parallel.hpp>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace autokaggle::metrics {

/// Holds a candidate's exact goodness (higher is better); low == high when screening was exact.
template <class Value>
struct ScoreInterval {
    Value low{}, high{};
};

template <class Value>
struct ScreenedPick {
    std::size_t candidate = 0;
    Value value{};              ///< its exact goodness
    std::size_t exact_evaluations = 0;
    bool consistent = true;     ///< every exact score fell inside its interval
};

/// exact(candidate, worker, share) computes a candidate's exact goodness; candidates are scored
/// in batches of `threads`, worker-indexed so each worker can own scratch memory, and `share`
/// says how many threads each evaluation of the batch may use itself (all of them when a
/// batch holds one candidate, the usual case).
template <class Value, class Exact>
ScreenedPick<Value> screened_pick(const std::vector<ScoreInterval<Value>>& bounds, unsigned threads, Exact&& exact) {
    ScreenedPick<Value> pick;
    if (bounds.empty()) return pick;
    threads = std::max(1u, threads);
    Value best_low = bounds.front().low;
    for (const auto& b : bounds) best_low = std::max(best_low, b.low);
    std::vector<std::size_t> open;  // could still be the best, highest upper bound first
    for (std::size_t c = 0; c < bounds.size(); ++c)
        if (bounds[c].high >= best_low) open.push_back(c);
    std::stable_sort(open.begin(), open.end(), [&](std::size_t a, std::size_t b) { return bounds[a].high > bounds[b].high; });

    bool have_best = false;
    auto beats_best = [&](Value v, std::size_t c) {
        return !have_best || v > pick.value || (v == pick.value && c < pick.candidate);
    };
    std::vector<Value> value(bounds.size());
    for (std::size_t next = 0; next < open.size();) {
        std::vector<std::size_t> batch;
        while (next < open.size() && batch.size() < threads) {
            const std::size_t c = open[next++];
            if (beats_best(bounds[c].high, c)) batch.push_back(c);
        }
        if (batch.empty()) break;
        const unsigned share = std::max(1u, threads / static_cast<unsigned>(batch.size()));
        parallel_for(batch.size(), threads, [&](std::size_t i, unsigned worker) {
            const std::size_t c = batch[i];
            value[c] = bounds[c].low == bounds[c].high ? bounds[c].low : exact(c, worker, share);
        });
        for (std::size_t c : batch) {
            pick.exact_evaluations += bounds[c].low != bounds[c].high;
            pick.consistent = pick.consistent && bounds[c].low <= value[c] && value[c] <= bounds[c].high;
            if (beats_best(value[c], c)) {
                have_best = true;
                pick.value = value[c];
                pick.candidate = c;
            }
        }
    }
    return pick;
}

}  // namespace autokaggle::metrics
