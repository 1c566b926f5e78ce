#include "metrics/logloss_trials.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace autokaggle::metrics {

namespace {

/// 1/c and -log(1/c) for the centres c of 128 equal slices of [1, 2).
struct LogTable {
    std::array<double, 128> inverse{}, minus_log_inverse{};
    LogTable() {
        for (std::size_t j = 0; j < 128; ++j) {
            inverse[j] = 1.0 / (1.0 + (static_cast<double>(j) + 0.5) / 128.0);
            minus_log_inverse[j] = -std::log(inverse[j]);
        }
    }
};

/// x = 2^e * m, m in [1, 2); with c the centre of m's slice, log x = e log 2 - log(1/c) +
/// log1p(r), r = m/c - 1 (|r| < 2^-8), the series to r^6 erring by under |r|^7 / 7 < 1e-17.
/// What remains is rounding: a few ulps of the result (1.6e-13 at the smallest normal x).
const LogTable table;  // immutable once the library is loaded

inline double table_log(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const int e = static_cast<int>(bits >> 52) - 1023;
    const double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    const auto j = static_cast<std::size_t>((bits >> 45) & 127);
    const double r = m * table.inverse[j] - 1.0;
    const double log1p_r = r - r * r * (0.5 - r * (1.0 / 3 - r * (0.25 - r * (0.2 - r * (1.0 / 6)))));
    return static_cast<double>(e) * 0.6931471805599453 + table.minus_log_inverse[j] + log1p_r;
}

}  // namespace

double bounded_log(double x) { return table_log(x); }

LoglossTrials::LoglossTrials(std::span<const double> truth, std::size_t cols, double eps)
    : truth_(truth), cols_(cols), eps_(eps) {}

ScoreInterval<double> LoglossTrials::screen(const double* sum, const double* model, double scale) const {
    constexpr double unbounded = std::numeric_limits<double>::infinity();
    const std::size_t n = truth_.size();
    const double lo = eps_, hi = 1.0 - eps_;
    double total = 0, magnitude = 0;  // sum of the row terms, and of their absolute values
    bool underflow = false;
    for (std::size_t start = 0; start < n; start += 1024) {
        const std::size_t end = std::min(n, start + 1024);
        double block = 0;
        for (std::size_t i = start; i < end; ++i) {
            double x;  // the row's normalised probability of its class, as the plugin forms it
            if (cols_ == 1) {
                // the plugin divides by q + p, which is within 2u of 1 (inside log_error), and
                // choosing by arithmetic (one product is exactly 0) keeps a random truth from
                // costing a mispredicted branch per row
                const double p = std::min(std::max((sum[i] + model[i]) * scale, lo), hi);
                const double y = truth_[i];
                x = y * p + (1.0 - y) * (1.0 - p);
            } else {
                const double* a = sum + i * cols_;
                const double* b = model + i * cols_;
                double s = 0;
                for (std::size_t c = 0; c < cols_; ++c) s += std::clamp((a[c] + b[c]) * scale, lo, hi);
                const auto y = static_cast<std::size_t>(truth_[i]);
                x = std::clamp((a[y] + b[y]) * scale, lo, hi) / s;
            }
            underflow |= !(x >= std::numeric_limits<double>::min());
            const double term = table_log(x);
            block += term;
            magnitude += std::fabs(term);
        }
        total += block;
    }
    if (underflow || !std::isfinite(total)) return {-unbounded, unbounded};
    // Our plain block sums and the plugin's (blocked, compensated) both err by at most
    // (block + blocks) * u * sum|terms|, std::log by an ulp, bounded_log by log_error per row.
    const double u = std::numeric_limits<double>::epsilon();
    const double blocks = static_cast<double>(n / 1024 + 1);
    const double slack = static_cast<double>(n) * log_error + 4.0 * (1024.0 + blocks) * u * magnitude + 1e-300;
    const double minus_loss = total / static_cast<double>(n);
    const double half_width = slack / static_cast<double>(n);
    return {minus_loss - half_width, minus_loss + half_width};
}

}  // namespace autokaggle::metrics
