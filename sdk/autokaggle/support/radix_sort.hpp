// LSD radix sort on 64-bit keys in O(n): 11-bit digits, and only over the bits that differ
// between keys (integer-valued or narrow-range data sorts in fewer passes). Header-only: the
// metric plugins use it too.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace autokaggle::metrics {

/// Order-preserving map of a finite double onto an unsigned key (-0.0 and 0.0 map alike).
inline std::uint64_t sortable_key(double x) {
    auto u = std::bit_cast<std::uint64_t>(x + 0.0);  // + 0.0 turns -0.0 into 0.0
    return (u >> 63) ? ~u : (u | (std::uint64_t{1} << 63));
}

/// Turns per-bucket counts into each bucket's first position (exclusive prefix sums).
template <class Count>
void counts_to_offsets(Count* counts, std::size_t buckets) {
    Count sum = 0;
    for (std::size_t b = 0; b < buckets; ++b) {
        const Count t = counts[b];
        counts[b] = sum;
        sum += t;
    }
}

/// Sorts `items` ascending by key(item) (a std::uint64_t); stable. `scratch` is reused.
template <class T, class Key>
void radix_sort(std::vector<T>& items, std::vector<T>& scratch, Key key) {
    constexpr int kBits = 11;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    const std::size_t n = items.size();
    if (n < 2) return;
    std::uint64_t any = 0, all = ~std::uint64_t{0};
    for (const T& t : items) {
        const std::uint64_t k = key(t);
        any |= k;
        all &= k;
    }
    const std::uint64_t varying = any ^ all;  // bits that are not the same in every key
    if (varying == 0) return;
    const int lo = std::countr_zero(varying);
    const int hi = 63 - std::countl_zero(varying);
    const int passes = (hi - lo) / kBits + 1;
    std::vector<std::array<std::size_t, kBuckets>> counts(static_cast<std::size_t>(passes));
    for (auto& c : counts) c.fill(0);
    for (const T& t : items) {
        const std::uint64_t k = key(t) >> lo;
        for (int p = 0; p < passes; ++p) ++counts[static_cast<std::size_t>(p)][(k >> (p * kBits)) & (kBuckets - 1)];
    }
    scratch.resize(n);
    T* src = items.data();
    T* dst = scratch.data();
    for (int p = 0; p < passes; ++p) {
        auto& c = counts[static_cast<std::size_t>(p)];
        counts_to_offsets(c.data(), kBuckets);
        const int shift = lo + p * kBits;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t k = key(src[i]);
            dst[c[(k >> shift) & (kBuckets - 1)]++] = src[i];
        }
        std::swap(src, dst);
    }
    if (src != items.data()) items.swap(scratch);
}

/// Sorts plain keys ascending.
inline void radix_sort(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch) {
    radix_sort(keys, scratch, [](std::uint64_t k) { return k; });
}

/// Sorts keys[0, n) ascending in place, using scratch[0, n). Allocation-free, for sorting many
/// small ranges (the buckets of binary_auc.hpp): short ranges by insertion, the rest by LSD
/// passes over the bits that vary within the range, with 8-bit digits below 16k keys (fewer
/// counters to clear and sum than keys to move) and 11-bit digits above.
inline void radix_sort_keys(std::uint64_t* keys, std::uint64_t* scratch, std::size_t n) {
    constexpr std::size_t kInsertionMax = 32;
    if (n <= kInsertionMax) {
        for (std::size_t i = 1; i < n; ++i) {
            const std::uint64_t k = keys[i];
            std::size_t j = i;
            for (; j > 0 && keys[j - 1] > k; --j) keys[j] = keys[j - 1];
            keys[j] = k;
        }
        return;
    }
    if (n > std::numeric_limits<std::uint32_t>::max()) {  // beyond the 32-bit counters
        std::sort(keys, keys + n);
        return;
    }
    std::uint64_t any = 0, all = ~std::uint64_t{0};
    for (std::size_t i = 0; i < n; ++i) {
        any |= keys[i];
        all &= keys[i];
    }
    const std::uint64_t varying = any ^ all;
    if (varying == 0) return;
    const int lo = std::countr_zero(varying);
    const int hi = 63 - std::countl_zero(varying);
    const int bits = n < 16384 ? 8 : 11;
    const std::size_t buckets = std::size_t{1} << bits;
    const int passes = (hi - lo) / bits + 1;
    std::array<std::uint32_t, 6 * 2048> counts;  // 8 passes of 8 bits or 6 of 11, at the most
    std::fill_n(counts.begin(), static_cast<std::size_t>(passes) * buckets, 0u);
    // one counting loop per digit: the keys are in cache, and a loop with a single counter
    // array runs faster than one that updates every digit's counters per key
    for (int p = 0; p < passes; ++p) {
        std::uint32_t* c = counts.data() + static_cast<std::size_t>(p) * buckets;
        const int shift = lo + p * bits;
        for (std::size_t i = 0; i < n; ++i) ++c[(keys[i] >> shift) & (buckets - 1)];
    }
    std::uint64_t* src = keys;
    std::uint64_t* dst = scratch;
    for (int p = 0; p < passes; ++p) {
        std::uint32_t* c = counts.data() + static_cast<std::size_t>(p) * buckets;
        counts_to_offsets(c, buckets);
        const int shift = lo + p * bits;
        for (std::size_t i = 0; i < n; ++i) dst[c[(src[i] >> shift) & (buckets - 1)]++] = src[i];
        std::swap(src, dst);
    }
    if (src != keys) std::copy_n(src, n, keys);
}

/// Twice the number of (positive, negative) pairs ordered correctly plus the tied pairs, from
/// the positives' and the negatives' keys, each sorted ascending, in one merge pass.
template <class Key>
std::uint64_t twice_ordered_pairs(const Key* pos, std::size_t pos_count, const Key* neg, std::size_t neg_count) {
    std::uint64_t twice = 0;
    std::size_t below = 0, upto = 0;
    for (std::size_t i = 0; i < pos_count;) {
        const Key v = pos[i];
        std::size_t j = i;
        while (j < pos_count && pos[j] == v) ++j;
        while (below < neg_count && neg[below] < v) ++below;
        if (upto < below) upto = below;
        while (upto < neg_count && neg[upto] == v) ++upto;
        twice += static_cast<std::uint64_t>(j - i) * (2 * below + (upto - below));
        i = j;
    }
    return twice;
}

template <class Key>
std::uint64_t twice_ordered_pairs(const std::vector<Key>& pos, const std::vector<Key>& neg) {
    return twice_ordered_pairs(pos.data(), pos.size(), neg.data(), neg.size());
}

/// AUC from twice the correctly ordered pairs (ties once): one division, shared by the standard
/// auc_roc and the blender's rank trials so both give bit-identical values.
inline double auc_of_twice_ordered(std::uint64_t twice, std::size_t positives, std::size_t negatives) {
    return static_cast<double>(twice) / (2.0 * static_cast<double>(positives) * static_cast<double>(negatives));
}

/// AUC from the positives' and the negatives' keys, each sorted ascending: the share of
/// (positive, negative) pairs ordered correctly, ties counting one half.
template <class Key>
double auc_of_sorted(const std::vector<Key>& pos, const std::vector<Key>& neg) {
    return auc_of_twice_ordered(twice_ordered_pairs(pos, neg), pos.size(), neg.size());
}

}  // namespace autokaggle::metrics
