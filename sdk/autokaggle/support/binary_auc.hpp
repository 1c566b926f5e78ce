// Binary AUC (ties counting one half) by bucketing instead of one global sort. One pass
// histograms the rows' sortable keys by value range, separately for positives and
// negatives; a second pass scatters the keys into their buckets; then each bucket is sorted
// while it sits in cache and merged on its own. Pairs in different buckets are ordered by the
// bucket alone, so the count across buckets comes from the histogram. The two row passes are
// split between threads, and the buckets go to whichever thread is free. Header-only: the
// standard metric plugin uses it.
#pragma once

#include <autokaggle/support/parallel.hpp>
#include <autokaggle/support/radix_sort.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace autokaggle::metrics {

/// The integer behind an AUC: twice the correctly ordered (positive, negative) pairs plus the
/// tied ones, and how many positives and negatives there were.
struct AucPairs {
    std::uint64_t twice_ordered = 0;
    std::size_t positives = 0, negatives = 0;
    bool all_valid = true;  ///< false: some row failed `valid`, and nothing was counted
};

namespace auc_detail {

constexpr int kBucketBits = 12;
constexpr std::size_t kBuckets = std::size_t{1} << kBucketBits;

/// A key's bucket: buckets split the keys' range in a sample into equal spans of key values,
/// and keys outside that range go to the first or the last bucket. Monotone in the key for any
/// key, so a sample that misses the extremes only makes the end buckets fuller.
class Buckets {
public:
    Buckets(std::uint64_t sample_min, std::uint64_t sample_max)
        : min_(sample_min), shift_(std::max(0, static_cast<int>(std::bit_width(sample_max - sample_min)) - kBucketBits)) {}
    std::size_t of(std::uint64_t key) const {
        const std::uint64_t offset = key > min_ ? key - min_ : 0;
        return std::min(static_cast<std::size_t>(offset >> shift_), kBuckets - 1);
    }

private:
    std::uint64_t min_;
    int shift_;
};

/// One thread's share of the rows and its bucket counts (negatives' buckets, then positives').
struct Chunk {
    std::size_t begin = 0, end = 0;
    std::vector<std::size_t> count = std::vector<std::size_t>(2 * kBuckets, 0);
    bool valid = true;
};

}  // namespace auc_detail

/// Counts the AUC pairs of rows 0..n-1: is_positive(i) says whether row i is a positive,
/// score(i) is its score. valid(i) is checked in the first pass over the rows, so that a caller
/// validates without a pass of its own: when any row fails it, the count stops there and the
/// result says so (the caller then names the bad row). `threads` workers at the most.
template <class IsPositive, class Score, class Valid>
AucPairs count_auc_pairs(std::size_t n, const IsPositive& is_positive, const Score& score, const Valid& valid,
                         unsigned threads) {
    using namespace auc_detail;
    threads = static_cast<unsigned>(std::clamp<std::size_t>(n / 65536, 1, std::max(1u, threads)));
    std::vector<Chunk> chunks(threads);
    for (unsigned c = 0; c < threads; ++c) {
        chunks[c].begin = n * c / threads;
        chunks[c].end = n * (c + 1) / threads;
    }

    // The bucket spans from a sample of the keys (every key lands in some bucket regardless).
    std::uint64_t sample_min = ~std::uint64_t{0}, sample_max = 0;
    for (std::size_t i = 0, step = std::max<std::size_t>(1, n / 4096); i < n; i += step) {
        const std::uint64_t k = sortable_key(score(i));
        sample_min = std::min(sample_min, k);
        sample_max = std::max(sample_max, k);
    }
    const Buckets buckets(sample_min, sample_max);
    parallel_for(threads, threads, [&](std::size_t c, unsigned) {
        Chunk& chunk = chunks[c];
        bool ok = true;
        for (std::size_t i = chunk.begin; i < chunk.end; ++i) {
            ok &= valid(i);
            ++chunk.count[(is_positive(i) ? kBuckets : 0) + buckets.of(sortable_key(score(i)))];
        }
        chunk.valid = ok;
    });
    AucPairs result;
    for (const Chunk& c : chunks) result.all_valid &= c.valid;
    if (!result.all_valid) return result;

    // Where each chunk writes each bucket: buckets in order, chunks in order within a bucket.
    std::vector<std::size_t> start(2 * kBuckets), size(2 * kBuckets);  // negatives' buckets, then positives'
    std::vector<std::vector<std::size_t>> next(threads, std::vector<std::size_t>(2 * kBuckets));
    for (std::size_t label = 0; label < 2; ++label) {
        std::size_t offset = 0;
        for (std::size_t slot = label * kBuckets; slot < (label + 1) * kBuckets; ++slot) {
            start[slot] = offset;
            for (unsigned c = 0; c < threads; ++c) {
                next[c][slot] = offset;
                offset += chunks[c].count[slot];
            }
            size[slot] = offset - start[slot];
        }
        (label == 0 ? result.negatives : result.positives) = offset;
    }
    if (result.positives == 0 || result.negatives == 0) return result;

    // make_unique_for_overwrite: the scatter writes every key, so no pass to zero them first.
    auto neg = std::make_unique_for_overwrite<std::uint64_t[]>(result.negatives);
    auto pos = std::make_unique_for_overwrite<std::uint64_t[]>(result.positives);
    parallel_for(threads, threads, [&](std::size_t c, unsigned) {
        std::size_t* slot = next[c].data();
        for (std::size_t i = chunks[c].begin; i < chunks[c].end; ++i) {
            const std::uint64_t k = sortable_key(score(i));
            if (is_positive(i)) pos[slot[kBuckets + buckets.of(k)]++] = k;
            else neg[slot[buckets.of(k)]++] = k;
        }
    });

    std::vector<std::size_t> negatives_below(kBuckets);  // negatives in lower buckets
    std::size_t largest = 0;
    for (std::size_t b = 0, below = 0; b < kBuckets; ++b) {
        negatives_below[b] = below;
        below += size[b];
        largest = std::max({largest, size[b], size[kBuckets + b]});
    }
    std::vector<std::vector<std::uint64_t>> scratch(threads);
    std::vector<std::uint64_t> twice(kBuckets, 0);
    parallel_for(kBuckets, threads, [&](std::size_t b, unsigned worker) {
        const std::size_t pos_count = size[kBuckets + b], neg_count = size[b];
        if (pos_count == 0) return;
        std::vector<std::uint64_t>& s = scratch[worker];
        if (s.size() < largest) s.resize(largest);
        std::uint64_t* p = pos.get() + start[kBuckets + b];
        std::uint64_t* q = neg.get() + start[b];
        radix_sort_keys(p, s.data(), pos_count);
        radix_sort_keys(q, s.data(), neg_count);
        twice[b] = 2 * static_cast<std::uint64_t>(pos_count) * negatives_below[b] +
                   twice_ordered_pairs(p, pos_count, q, neg_count);
    });
    for (std::uint64_t t : twice) result.twice_ordered += t;
    return result;
}

}  // namespace autokaggle::metrics
