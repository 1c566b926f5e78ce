// The blender's hill-climbing step for binary AUC on rank averages, exact and fast.
//
// A step asks: which candidate, added to the running sum of the picked models' ranks, gives the
// highest AUC? Every blended value is an integer (a sum of doubled ranks), so the AUC of a trial
// is twice the number of correctly ordered (positive, negative) pairs plus the ties, an integer.
//
// Sorting 1M keys for each of 50 candidates at every step is what made rank blends slow. Instead
// each candidate is first *screened*: one pass counts its positives and negatives in 2^18 bins
// of the blended value, which fixes every pair in different bins exactly and bounds the pairs
// sharing a bin (they count 0, 1 or 2). Only candidates whose upper bound reaches the best lower
// bound are then counted exactly (the keys grouped by bin and the pairs sharing a bin compared
// directly; sorted and merged as the auc_roc plugin does when ties crowd a bin), best bound
// first, until no remaining candidate can win (metrics/screened_pick.hpp). The pick, and its
// score, are the ones exhaustive exact scoring would give (ties go to the lowest index).
#pragma once

#include "metrics/screened_pick.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace autokaggle::metrics {

class RankAucTrials {
public:
    /// Usable only when the truth is binary 0/1 with both classes present and fewer than 2^32 rows.
    explicit RankAucTrials(std::span<const double> truth);
    bool usable() const { return positives_ > 0 && positives_ < rows_.size(); }

    /// AUC of a single column given its doubled ranks (Mann-Whitney: from the positives' rank sum,
    /// no sort), equal to the auc_roc plugin's value for the column the ranks were taken of.
    double auc_of_ranks(std::span<const double> doubled_ranks) const;

    /// Registers candidates by their doubled ranks (integer-valued, 2..2n), indexed in order.
    void add_candidates(const std::vector<const std::vector<double>*>& doubled_ranks, unsigned threads);
    /// Adds a candidate to the running sum (the first call sets it).
    void add_to_sum(std::size_t candidate);
    /// True while the running sum plus any candidate stays below 2^32.
    bool fits() const;

    struct Pick {
        std::size_t candidate = 0;
        double auc = 0;  ///< exact, as the auc_roc plugin computes it
    };
    /// The best addition to the running sum (lowest index among equal scores). Needs fits().
    Pick best_addition(unsigned threads);

    /// The screen's interval for one trial, on twice the correctly ordered pairs plus the ties
    /// (AUC = that / (2 x positives x negatives)), for diagnostics and tests.
    ScoreInterval<std::uint64_t> trial_bounds(std::size_t candidate);

    /// Exact evaluations made by best_addition so far (the rest were settled by screening).
    std::size_t exact_evaluations() const { return exact_evaluations_; }
    std::size_t screened() const { return screened_; }

private:
    struct Scratch {
        std::vector<std::uint16_t> pos_small, neg_small;  // screening histograms
        std::vector<std::uint32_t> pos_bins, neg_bins;    // the same, when 16 bits overflow; exact counts
        std::vector<std::uint32_t> pos, neg;              // exact keys
    };
    /// Where sum + candidate falls: bin = (value - low) >> shift, bins of them.
    struct Binning {
        std::uint32_t low = 0;
        int shift = 0;
        std::size_t bins = 0;
    };
    Binning binning(std::size_t candidate) const;
    /// [first, last) of one class's rows in rows_ order.
    std::pair<std::size_t, std::size_t> class_rows(bool positives) const {
        return positives ? std::pair{std::size_t{0}, positives_} : std::pair{positives_, rows_.size()};
    }
    /// The trial's positives (or negatives) per bin.
    template <class Count>
    void count_bins(std::size_t candidate, const Binning& bin, bool positives, std::vector<Count>& counts) const;
    /// Bounds on twice the ordered pairs from per-bin counts, and the counts' totals.
    struct BinBounds {
        ScoreInterval<std::uint64_t> interval;
        std::uint64_t positives = 0, negatives = 0;
    };
    template <class Count>
    static BinBounds bounds_from_bins(const std::vector<Count>& pos, const std::vector<Count>& neg);
    ScoreInterval<std::uint64_t> screen(std::size_t candidate, Scratch& s) const;
    /// Twice the ordered pairs, exactly; `threads` (1 or 2) may share the work.
    std::uint64_t exact(std::size_t candidate, Scratch& s, unsigned threads) const;
    double auc(std::uint64_t twice_ordered) const;

    std::vector<std::uint32_t> rows_;  // row order used everywhere: positives first, then negatives
    std::size_t positives_ = 0;
    struct Candidate {
        std::vector<std::uint32_t> ranks;  // in rows_ order
        std::uint32_t min = 0, max = 0;
    };
    std::vector<Candidate> candidates_;
    std::vector<std::uint32_t> sum_;  // in rows_ order; empty before the first add_to_sum
    std::uint64_t sum_min_ = 0, sum_max_ = 0;
    std::vector<Scratch> scratch_;
    std::size_t exact_evaluations_ = 0, screened_ = 0;
};

}  // namespace autokaggle::metrics
