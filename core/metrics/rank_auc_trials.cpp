#include "metrics/rank_auc_trials.hpp"

#include <autokaggle/support/parallel.hpp>
#include <autokaggle/support/radix_sort.hpp>
#include "metrics/screened_pick.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <numeric>
#include <utility>

namespace autokaggle::metrics {

namespace {

constexpr int kScreenBits = 18;
constexpr std::uint64_t kKeyLimit = std::uint64_t{1} << 32;
// Exact counts compare the pairs sharing a bin directly while there are at most this many per
// row (a few per bin normally); crowded bins (heavy ties) are sorted instead.
constexpr std::uint64_t kPairwiseLimit = 8;

}  // namespace

RankAucTrials::RankAucTrials(std::span<const double> truth) {
    if (truth.size() >= kKeyLimit) return;
    rows_.reserve(truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i] == 1.0) rows_.push_back(static_cast<std::uint32_t>(i));
        else if (truth[i] != 0.0) {
            rows_.clear();  // not binary: the plugin reports what is wrong with the truth
            return;
        }
    }
    positives_ = rows_.size();
    for (std::size_t i = 0; i < truth.size(); ++i)
        if (truth[i] == 0.0) rows_.push_back(static_cast<std::uint32_t>(i));
}

double RankAucTrials::auc_of_ranks(std::span<const double> doubled_ranks) const {
    // Twice the positives' rank sum counts every positive against everything below it twice
    // and against ties once; removing the positive-positive pairs, P(P + 1), leaves exactly
    // twice the correctly ordered (positive, negative) pairs plus the ties.
    std::uint64_t twice_rank_sum = 0;
    for (std::size_t i = 0; i < positives_; ++i) twice_rank_sum += static_cast<std::uint64_t>(doubled_ranks[rows_[i]]);
    const std::uint64_t p = positives_;
    return auc(twice_rank_sum - p * (p + 1));
}

void RankAucTrials::add_candidates(const std::vector<const std::vector<double>*>& doubled_ranks, unsigned threads) {
    const std::size_t first = candidates_.size();
    candidates_.resize(first + doubled_ranks.size());
    parallel_for(doubled_ranks.size(), threads, [&](std::size_t j, unsigned) {
        Candidate& c = candidates_[first + j];
        const std::vector<double>& ranks = *doubled_ranks[j];
        c.ranks.resize(rows_.size());
        for (std::size_t i = 0; i < rows_.size(); ++i) c.ranks[i] = static_cast<std::uint32_t>(ranks[rows_[i]]);
        const auto [lo, hi] = std::minmax_element(c.ranks.begin(), c.ranks.end());
        c.min = *lo;
        c.max = *hi;
    });
}

void RankAucTrials::add_to_sum(std::size_t candidate) {
    const auto& r = candidates_.at(candidate).ranks;
    if (sum_.empty()) sum_.assign(rows_.size(), 0);
    std::uint32_t lo = std::numeric_limits<std::uint32_t>::max(), hi = 0;
    for (std::size_t i = 0; i < sum_.size(); ++i) {
        sum_[i] += r[i];
        lo = std::min(lo, sum_[i]);
        hi = std::max(hi, sum_[i]);
    }
    sum_min_ = lo;
    sum_max_ = hi;
}

bool RankAucTrials::fits() const {
    std::uint64_t top = 0;
    for (const auto& c : candidates_) top = std::max<std::uint64_t>(top, c.max);
    return !sum_.empty() && sum_max_ + top < kKeyLimit;
}

double RankAucTrials::auc(std::uint64_t twice_ordered) const {
    return auc_of_twice_ordered(twice_ordered, positives_, rows_.size() - positives_);
}

RankAucTrials::Binning RankAucTrials::binning(std::size_t candidate) const {
    const Candidate& c = candidates_[candidate];
    Binning b;
    b.low = static_cast<std::uint32_t>(sum_min_ + c.min);
    const std::uint64_t span = sum_max_ + c.max - b.low;
    b.shift = std::max(0, static_cast<int>(std::bit_width(span)) - kScreenBits);
    b.bins = static_cast<std::size_t>(span >> b.shift) + 1;
    return b;
}

template <class Count>
void RankAucTrials::count_bins(std::size_t candidate, const Binning& bin, bool positives, std::vector<Count>& counts) const {
    const std::uint32_t* sum = sum_.data();
    const std::uint32_t* ranks = candidates_[candidate].ranks.data();
    const auto [from, to] = class_rows(positives);
    counts.assign(bin.bins, 0);
    Count* c = counts.data();
    for (std::size_t i = from; i < to; ++i) ++c[(sum[i] + ranks[i] - bin.low) >> bin.shift];
}

template <class Count>
RankAucTrials::BinBounds RankAucTrials::bounds_from_bins(const std::vector<Count>& pos, const std::vector<Count>& neg) {
    // pairs in different bins are ordered by their bins; pairs sharing one count 0, 1 or 2
    std::uint64_t across = 0, within = 0, below = 0, positives = 0;
    for (std::size_t b = 0; b < pos.size(); ++b) {
        across += std::uint64_t{pos[b]} * below;
        within += std::uint64_t{pos[b]} * neg[b];
        below += neg[b];
        positives += pos[b];
    }
    return {{2 * across, 2 * across + 2 * within}, positives, below};
}

ScoreInterval<std::uint64_t> RankAucTrials::screen(std::size_t candidate, Scratch& s) const {
    const Binning bin = binning(candidate);
    // 16-bit counts halve the histograms' cache footprint; a bin that overflowed shows in the
    // totals (each wrap loses 65536), and then the candidate is counted again in 32 bits
    count_bins(candidate, bin, true, s.pos_small);
    count_bins(candidate, bin, false, s.neg_small);
    const BinBounds small = bounds_from_bins(s.pos_small, s.neg_small);
    if (small.positives == positives_ && small.negatives == rows_.size() - positives_) return small.interval;
    count_bins(candidate, bin, true, s.pos_bins);
    count_bins(candidate, bin, false, s.neg_bins);
    return bounds_from_bins(s.pos_bins, s.neg_bins).interval;
}

std::uint64_t RankAucTrials::exact(std::size_t candidate, Scratch& s, unsigned threads) const {
    const std::uint32_t* sum = sum_.data();
    const std::uint32_t* ranks = candidates_[candidate].ranks.data();
    const Binning bin = binning(candidate);
    // the two classes' passes are independent: both cores when this is the only exact count
    auto per_class = [&](auto&& body) {
        parallel_for(2, threads, [&](std::size_t positives, unsigned) { body(positives == 0); });
    };
    per_class([&](bool positives) { count_bins(candidate, bin, positives, positives ? s.pos_bins : s.neg_bins); });
    const auto bounds = bounds_from_bins(s.pos_bins, s.neg_bins).interval;
    const std::uint64_t within = (bounds.high - bounds.low) / 2;
    if (within <= kPairwiseLimit * rows_.size()) {
        // Only pairs sharing a bin are open: group the keys by bin (the counts give each bin's
        // place) and compare those pairs directly, a few per bin.
        per_class([&](bool positives) {
            auto& offsets = positives ? s.pos_bins : s.neg_bins;
            auto& keys = positives ? s.pos : s.neg;
            const auto [from, to] = class_rows(positives);
            keys.resize(to - from);
            std::uint32_t start = 0;
            for (auto& o : offsets) start += std::exchange(o, start);  // counts -> starts
            for (std::size_t i = from; i < to; ++i) {
                const std::uint32_t key = sum[i] + ranks[i];
                keys[offsets[(key - bin.low) >> bin.shift]++] = key;  // starts -> ends
            }
        });
        std::array<std::uint64_t, 2> resolved{};
        parallel_for(2, threads, [&](std::size_t half, unsigned) {
            const std::size_t first = bin.bins * half / 2, last = bin.bins * (half + 1) / 2;
            std::uint64_t r = 0;
            for (std::size_t b = first; b < last; ++b) {
                const std::uint32_t p0 = b ? s.pos_bins[b - 1] : 0, n0 = b ? s.neg_bins[b - 1] : 0;
                for (std::uint32_t p = p0; p < s.pos_bins[b]; ++p)
                    for (std::uint32_t q = n0; q < s.neg_bins[b]; ++q)
                        r += static_cast<std::uint64_t>(s.pos[p] > s.neg[q]) * 2 + (s.pos[p] == s.neg[q]);
            }
            resolved[half] = r;
        });
        return bounds.low + resolved[0] + resolved[1];
    }
    // keys crowded into few bins (heavy ties): sort and merge, as the plugin does
    per_class([&](bool positives) {
        auto& keys = positives ? s.pos : s.neg;
        auto& tmp = positives ? s.pos_bins : s.neg_bins;  // the counts are no longer needed
        const auto [from, to] = class_rows(positives);
        keys.resize(to - from);
        for (std::size_t i = from; i < to; ++i) keys[i - from] = sum[i] + ranks[i];
        radix_sort(keys, tmp, [](std::uint32_t k) { return std::uint64_t{k}; });
    });
    return twice_ordered_pairs(s.pos, s.neg);
}

ScoreInterval<std::uint64_t> RankAucTrials::trial_bounds(std::size_t candidate) {
    if (scratch_.empty()) scratch_.resize(1);
    return screen(candidate, scratch_.front());
}

RankAucTrials::Pick RankAucTrials::best_addition(unsigned threads) {
    const std::size_t k = candidates_.size();
    threads = std::max(1u, threads);
    if (scratch_.size() < threads) scratch_.resize(threads);
    std::vector<ScoreInterval<std::uint64_t>> bounds(k);
    parallel_for(k, threads, [&](std::size_t c, unsigned worker) { bounds[c] = screen(c, scratch_[worker]); });
    screened_ += k;

    const auto pick = screened_pick(bounds, threads, [&](std::size_t c, unsigned worker, unsigned share) {
        return exact(c, scratch_[worker], share);
    });
    exact_evaluations_ += pick.exact_evaluations;
    return {pick.candidate, auc(pick.value)};
}

}  // namespace autokaggle::metrics
