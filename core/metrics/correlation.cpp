#include "metrics/correlation.hpp"

#include <autokaggle/support/parallel.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace autokaggle::metrics {

namespace {

// Rows are summed in a fixed number of slices (then the slices in order), so the result does not
// depend on how many threads ran them.
constexpr std::size_t kSlices = 16;
constexpr std::size_t kBlockRows = 128;  // a block of centred rows stays in L1/L2 while it is used m/2 times

}  // namespace

std::vector<std::vector<double>> pearson_matrix(const std::vector<const std::vector<double>*>& columns, unsigned threads) {
    const std::size_t m = columns.size();
    std::vector<std::vector<double>> r(m, std::vector<double>(m, 1.0));
    if (m == 0) return r;
    const std::size_t n = columns.front()->size();
    for (const auto* c : columns)
        if (c->size() != n) throw std::invalid_argument("pearson_matrix: columns differ in length");

    std::vector<double> mean(m, 0.0);
    parallel_for(m, threads, [&](std::size_t i, unsigned) {
        double s = 0;
        for (double v : *columns[i]) s += v;
        mean[i] = s / static_cast<double>(std::max<std::size_t>(n, 1));
    });

    // Gram matrix of the centred columns, block by block: each row of a block is multiplied
    // into the upper triangle, so every column is read once instead of once per pair.
    std::vector<std::vector<double>> gram(kSlices, std::vector<double>(m * m, 0.0));
    parallel_for(kSlices, threads, [&](std::size_t slice, unsigned) {
        const std::size_t from = n * slice / kSlices, to = n * (slice + 1) / kSlices;
        std::vector<double> block(kBlockRows * m);
        double* g = gram[slice].data();
        for (std::size_t start = from; start < to; start += kBlockRows) {
            const std::size_t rows = std::min(kBlockRows, to - start);
            for (std::size_t i = 0; i < m; ++i) {
                const double* col = columns[i]->data() + start;
                for (std::size_t t = 0; t < rows; ++t) block[t * m + i] = col[t] - mean[i];
            }
            for (std::size_t t = 0; t < rows; ++t) {
                const double* x = &block[t * m];
                for (std::size_t i = 0; i < m; ++i) {
                    const double xi = x[i];
                    double* gi = g + i * m;
                    for (std::size_t j = i; j < m; ++j) gi[j] += xi * x[j];
                }
            }
        }
    });
    std::vector<double> total(m * m, 0.0);
    for (const auto& g : gram)
        for (std::size_t p = 0; p < m * m; ++p) total[p] += g[p];

    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = i + 1; j < m; ++j) {
            const double norms = std::sqrt(total[i * m + i]) * std::sqrt(total[j * m + j]);
            r[i][j] = r[j][i] = norms == 0 ? 0.0 : total[i * m + j] / norms;
        }
    return r;
}

}  // namespace autokaggle::metrics
