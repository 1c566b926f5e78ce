// The finiteness test the metric engine and the standard metric plugin share. Header-only.
#pragma once

#include <bit>
#include <cstdint>

namespace autokaggle::metrics {

/// std::isfinite, in a form the compiler vectorises: the exponent bits are not all ones.
inline bool is_finite_bits(double v) {
    constexpr std::uint64_t kExponent = 0x7ff0000000000000ull;
    return (std::bit_cast<std::uint64_t>(v) & kExponent) != kExponent;
}

}  // namespace autokaggle::metrics
