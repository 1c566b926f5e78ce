#include "metrics/ranking.hpp"

#include <autokaggle/support/radix_sort.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>

namespace autokaggle::metrics {

namespace {

/// Packed keys are sorted in at most five 11-bit radix passes.
constexpr int kPackedBits = 55;

}  // namespace

std::vector<double> doubled_ranks(std::span<const double> values) {
    const std::size_t n = values.size();
    std::vector<double> ranks(n);
    if (n == 0) return ranks;
    // Sort one 8-byte word per row: the leading bits of the value's order-preserving key where
    // the keys differ, above the row index. Rows whose leading bits agree are put in exact
    // order afterwards (rare: the kept bits are 30+ for a million rows).
    std::uint64_t any = 0, all = ~std::uint64_t{0};
    for (double v : values) {
        const std::uint64_t k = sortable_key(v);
        any |= k;
        all &= k;
    }
    const std::uint64_t varying = any ^ all;
    if (varying == 0) {  // all equal: one tie spanning every position
        std::fill(ranks.begin(), ranks.end(), static_cast<double>(n + 1));
        return ranks;
    }
    const int index_bits = std::max(1, static_cast<int>(std::bit_width(n - 1)));
    const int top = 64 - std::countl_zero(varying);                    // bits below the common prefix
    const int drop = std::max(0, top - (kPackedBits - index_bits));    // low key bits not kept
    const std::uint64_t kept_mask = (top - drop >= 64) ? ~std::uint64_t{0} : (std::uint64_t{1} << (top - drop)) - 1;
    std::vector<std::uint64_t> packed(n), scratch;
    for (std::size_t i = 0; i < n; ++i) packed[i] = (((sortable_key(values[i]) >> drop) & kept_mask) << index_bits) | i;
    radix_sort(packed, scratch);

    const std::uint64_t index_mask = (std::uint64_t{1} << index_bits) - 1;
    auto row = [&](std::size_t pos) { return static_cast<std::size_t>(packed[pos] & index_mask); };
    auto full_key = [&](std::size_t pos) { return sortable_key(values[row(pos)]); };
    auto by_value = [&](std::uint64_t a, std::uint64_t b) {  // packed words: value, then row
        const std::uint64_t ka = sortable_key(values[a & index_mask]), kb = sortable_key(values[b & index_mask]);
        return ka != kb ? ka < kb : a < b;
    };
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;  // [i, j): equal leading bits
        while (j < n && (packed[j] >> index_bits) == (packed[i] >> index_bits)) ++j;
        if (drop > 0 && j - i > 1) {
            const auto first = packed.begin() + static_cast<std::ptrdiff_t>(i), last = packed.begin() + static_cast<std::ptrdiff_t>(j);
            if (!std::is_sorted(first, last, by_value)) std::sort(first, last, by_value);
        }
        for (std::size_t t = i; t < j;) {  // [t, u): equal values
            std::size_t u = t + 1;
            if (drop > 0)
                while (u < j && full_key(u) == full_key(t)) ++u;
            else
                u = j;
            const double doubled = static_cast<double>(t + u + 1);  // 2 * mean of positions t+1 .. u
            for (std::size_t p = t; p < u; ++p) ranks[row(p)] = doubled;
            t = u;
        }
        i = j;
    }
    return ranks;
}

std::vector<double> normalized_ranks(std::span<const double> values) {
    std::vector<double> r = doubled_ranks(values);
    const double scale = 1.0 / (2.0 * static_cast<double>(std::max<std::size_t>(values.size(), 1)));
    for (double& v : r) v *= scale;
    return r;
}

}  // namespace autokaggle::metrics
