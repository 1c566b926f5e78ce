#include "metrics/logloss_trials.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

// On x86-64 the vectorised loops are also built for AVX2 and AVX-512, the best one chosen when
// the library loads; elsewhere the compiler's default target is used.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AUTOKAGGLE_VECTOR_CLONES [[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#else
#define AUTOKAGGLE_VECTOR_CLONES
#endif

namespace autokaggle::metrics {

namespace {

constexpr std::size_t kBlock = 1024;  // rows per plain partial sum, as in the plugin
constexpr std::uint64_t kSmallestNormalBits = std::uint64_t{1} << 52;

/// log x for a positive normal x, without branches or tables so that a loop over it
/// vectorises. x = 2^e m, m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(z), z = (m - 1)/(m + 1),
/// |z| <= 0.1716: the series to z^15 leaves under 2 |z|^17 / 17 / (1 - z^2) < 2e-14; the rest is
/// rounding, a few ulps of the result (1.6e-13 at the smallest normal x). `flags` gets its top
/// bit set when x is not a positive normal number.
inline double series_log(double x, std::uint64_t& flags) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    flags |= bits - kSmallestNormalBits;  // wraps (top bit set) for zero, subnormals, negatives
    // the biased exponent as a double: 2^52 + field, minus 2^52 and the bias, all exact
    const double e1 = std::bit_cast<double>((bits >> 52) | 0x4330000000000000ULL) - (4503599627370496.0 + 1023.0);
    const double m1 = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    const double m2 = m1 * 0.5, e2 = e1 + 1.0;  // both computed: selects, not branches
    const bool high = m1 > 1.4142135623730951;
    const double m = high ? m2 : m1;
    const double e = high ? e2 : e1;
    const double z = (m - 1.0) / (m + 1.0);
    const double z2 = z * z;
    const double series =
        1.0 + z2 * (1.0 / 3 + z2 * (1.0 / 5 + z2 * (1.0 / 7 + z2 * (1.0 / 9 + z2 * (1.0 / 11 + z2 * (1.0 / 13 + z2 * (1.0 / 15)))))));
    return e * 0.6931471805599453 + 2.0 * z * series;
}

/// Terms of a binary block: log of the probability given to each row's class. The plugin also
/// divides by q + p, which is within 2u of 1 (inside log_error); choosing p or 1 - p by
/// arithmetic (one product is exactly 0) keeps the loop free of branches.
AUTOKAGGLE_VECTOR_CLONES
void binary_terms(const double* __restrict sum, const double* __restrict model, const std::uint8_t* __restrict is_one, std::size_t count,
                  double scale, double lo, double hi, double* __restrict terms, std::uint64_t& flags) {
    std::uint64_t f = 0;
    for (std::size_t i = 0; i < count; ++i) {
        double p = (sum[i] + model[i]) * scale;
        p = p < lo ? lo : p;  // std::clamp, as selects rather than references
        p = p > hi ? hi : p;
        const double y = is_one[i];
        terms[i] = series_log(y * p + (1.0 - y) * (1.0 - p), f);
    }
    flags |= f;
}

/// Terms of a multiclass block, normalised by the clipped row sum exactly as the plugin does.
void multiclass_terms(const double* sum, const double* model, const double* truth, std::size_t count, std::size_t cols,
                      double scale, double lo, double hi, double* terms, std::uint64_t& flags) {
    for (std::size_t i = 0; i < count; ++i) {
        const double* a = sum + i * cols;
        const double* b = model + i * cols;
        double s = 0;
        for (std::size_t c = 0; c < cols; ++c) s += std::clamp((a[c] + b[c]) * scale, lo, hi);
        const auto y = static_cast<std::size_t>(truth[i]);
        terms[i] = series_log(std::clamp((a[y] + b[y]) * scale, lo, hi) / s, flags);
    }
}

/// Sum and sum of magnitudes of a block, in eight independent lanes (vectorised; any order
/// keeps the (count - 1) u sum|terms| rounding bound).
AUTOKAGGLE_VECTOR_CLONES
void block_sums(const double* __restrict terms, std::size_t count, double& total, double& magnitude) {
    constexpr std::size_t lanes = 8;
    std::array<double, lanes> sum{}, mag{};
    std::size_t i = 0;
    for (; i + lanes <= count; i += lanes)
        for (std::size_t l = 0; l < lanes; ++l) {
            sum[l] += terms[i + l];
            mag[l] += std::fabs(terms[i + l]);
        }
    for (; i < count; ++i) {
        sum[0] += terms[i];
        mag[0] += std::fabs(terms[i]);
    }
    double s = 0, m = 0;
    for (std::size_t l = 0; l < lanes; ++l) s += sum[l], m += mag[l];
    total += s;
    magnitude += m;
}

}  // namespace

double bounded_log(double x) {
    std::uint64_t flags = 0;
    return series_log(x, flags);
}

LoglossTrials::LoglossTrials(std::span<const double> truth, std::size_t cols, double eps)
    : truth_(truth), cols_(cols), eps_(eps) {
    if (cols_ == 1) {  // a byte per row instead of a double: less to read on every screen
        is_one_.resize(truth.size());
        for (std::size_t i = 0; i < truth.size(); ++i) is_one_[i] = truth[i] == 1.0;
    }
}

ScoreInterval<double> LoglossTrials::screen(const double* sum, const double* model, double scale) const {
    constexpr double unbounded = std::numeric_limits<double>::infinity();
    const std::size_t n = truth_.size();
    const double lo = eps_, hi = 1.0 - eps_;
    std::array<double, kBlock> terms;
    double total = 0, magnitude = 0;  // sum of the row terms, and of their absolute values
    std::uint64_t flags = 0;
    for (std::size_t start = 0; start < n; start += kBlock) {
        const std::size_t count = std::min(kBlock, n - start);
        if (cols_ == 1)
            binary_terms(sum + start, model + start, is_one_.data() + start, count, scale, lo, hi, terms.data(), flags);
        else
            multiclass_terms(sum + start * cols_, model + start * cols_, truth_.data() + start, count, cols_, scale, lo, hi,
                             terms.data(), flags);
        block_sums(terms.data(), count, total, magnitude);
    }
    // an underflowing probability (eps = 0) or a non-finite sum: only the plugin can say
    if ((flags >> 63) != 0 || !std::isfinite(total)) return {-unbounded, unbounded};
    // Our sums and the plugin's (blocked, compensated) both err by at most (block + blocks) u
    // sum|terms|, std::log by an ulp, series_log by log_error per row.
    const double u = std::numeric_limits<double>::epsilon();
    const double blocks = static_cast<double>(n / kBlock + 1);
    const double slack = static_cast<double>(n) * log_error + 4.0 * (static_cast<double>(kBlock) + blocks) * u * magnitude;
    const double minus_loss = total / static_cast<double>(n);
    const double half_width = slack / static_cast<double>(n);
    return {minus_loss - half_width, minus_loss + half_width};
}

}  // namespace autokaggle::metrics
