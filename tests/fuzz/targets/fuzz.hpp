// What every fuzz target shares. A target feeds the bytes to one parser; the documented failure
// (autokaggle::Error and its kinds, with a message) is caught, anything else escapes and is a
// finding: another exception, a crash, a leak, undefined behaviour, or a broken invariant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace autokaggle::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// An invariant of the parser: a violation aborts, so that libFuzzer keeps the input.
inline void require(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

}  // namespace autokaggle::fuzz
