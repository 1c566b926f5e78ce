// LSD radix sort of doubles by their bit patterns: O(n), 11 bits per pass, passes whose digit is
// the same for every key are skipped (integer-valued or narrow-range data sorts in fewer passes).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace autokaggle::standard_metrics {

/// Order-preserving map of a finite double onto an unsigned key (-0.0 and 0.0 map alike).
inline std::uint64_t sortable_key(double x) {
    auto u = std::bit_cast<std::uint64_t>(x + 0.0);  // + 0.0 turns -0.0 into 0.0
    return (u >> 63) ? ~u : (u | (std::uint64_t{1} << 63));
}

/// Sorts `keys` ascending; `scratch` is resized and used as the second buffer.
inline void radix_sort(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch) {
    constexpr int kBits = 11;
    constexpr int kPasses = (64 + kBits - 1) / kBits;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    const std::size_t n = keys.size();
    if (n < 2) return;
    std::vector<std::array<std::size_t, kBuckets>> counts(kPasses);
    for (auto& c : counts) c.fill(0);
    for (std::uint64_t k : keys)
        for (int p = 0; p < kPasses; ++p) ++counts[p][(k >> (p * kBits)) & (kBuckets - 1)];
    scratch.resize(n);
    std::uint64_t* src = keys.data();
    std::uint64_t* dst = scratch.data();
    for (int p = 0; p < kPasses; ++p) {
        auto& c = counts[p];
        bool trivial = false;  // every key has the same digit: this pass would not move anything
        for (std::size_t b = 0; b < kBuckets && !trivial; ++b) trivial = c[b] == n;
        if (trivial) continue;
        std::size_t sum = 0;
        for (std::size_t b = 0; b < kBuckets; ++b) {
            std::size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        const int shift = p * kBits;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t k = src[i];
            dst[c[(k >> shift) & (kBuckets - 1)]++] = k;
        }
        std::swap(src, dst);
    }
    if (src != keys.data()) keys.swap(scratch);
}

}  // namespace autokaggle::standard_metrics
