// The summation every metric uses: plain sums over blocks of 1024 rows, Neumaier compensation
// across blocks. Header-only and shared by the standard metric plugin and the blender's fused
// trials, so both round exactly alike and the blender's scores stay bit-identical.
#pragma once

#include <cmath>
#include <cstddef>

namespace autokaggle::metrics {

/// Compensated total of block sums: the caller adds rows into a plain block sum and hands it
/// over every `block` rows (and once at the end).
struct BlockedSum {
    static constexpr std::size_t block = 1024;
    double total = 0, compensation = 0;
    void flush(double block_sum) {
        const double t = total + block_sum;
        compensation += std::fabs(total) >= std::fabs(block_sum) ? (total - t) + block_sum : (block_sum - t) + total;
        total = t;
    }
    double value() const { return total + compensation; }
};

/// Row-at-a-time form of BlockedSum.
class Sum {
public:
    void add(double x) {
        block_ += x;
        if (++count_ == BlockedSum::block) flush();
    }
    double value() {
        flush();
        return sum_.value();
    }

private:
    void flush() {
        sum_.flush(block_);
        block_ = 0;
        count_ = 0;
    }
    BlockedSum sum_;
    double block_ = 0;
    std::size_t count_ = 0;
};

}  // namespace autokaggle::metrics
