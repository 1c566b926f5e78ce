// Hill-climbing blend benchmark: M models x N rows, a fixed number of selection steps (no early
// stop), timed around the blender only; prints seconds and the process's peak resident memory.
//
//   bench-metrics-blend [--models 50] [--rows 1000000] [--steps 100] [--metric auc_roc] [--threads 2]
//                       [--early-stop 1]   (stop when no addition improves, as `autokaggle blend` does)
#include "metrics/blend.hpp"
#include "standard_metrics.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <sys/resource.h>

using namespace autokaggle;
using namespace autokaggle::metrics;

namespace {
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return sec(usage.ru_utime) + sec(usage.ru_stime);
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}
}  // namespace

int main(int argc, char** argv) {
    std::size_t models = 50, rows = 1'000'000;
    int steps = 100;
    unsigned threads = 2;
    bool early_stop = false;
    std::string metric_name = "auc_roc";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i], v = argv[i + 1];
        if (a == "--models") models = std::stoul(v);
        else if (a == "--rows") rows = std::stoul(v);
        else if (a == "--steps") steps = std::stoi(v);
        else if (a == "--threads") threads = static_cast<unsigned>(std::stoul(v));
        else if (a == "--metric") metric_name = v;
        else if (a == "--early-stop") early_stop = v == "1";
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    auto metric = standard_metrics::make_metric(metric_name, {});
    if (!metric) {
        std::fprintf(stderr, "unknown metric %s\n", metric_name.c_str());
        return 2;
    }
    const bool regression = metric->prediction_kind() == PredictionKind::value;
    // Truth, and models sharing a signal plus their own noise (pairwise correlation ~0.5-0.9).
    std::mt19937_64 rng(42);
    std::normal_distribution<double> g(0.0, 1.0);
    TargetEncoding target;
    target.classification = !regression;
    if (!regression) target.class_names = {"0", "1"};
    target.values.resize(rows);
    std::vector<double> signal(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        signal[i] = g(rng);
        target.values[i] = regression ? signal[i] : (signal[i] + g(rng) > 0.5 ? 1.0 : 0.0);
    }
    const std::size_t test_rows = rows / 10;
    std::vector<BlendInput> inputs(models);
    for (std::size_t m = 0; m < models; ++m) {
        const double noise = 0.8 + 0.02 * static_cast<double>(m);
        std::vector<double> oof(rows), test(test_rows);
        for (std::size_t i = 0; i < rows; ++i) {
            double s = signal[i] + noise * g(rng);
            oof[i] = regression ? s : 1.0 / (1.0 + std::exp(-s));
        }
        for (auto& t : test) {
            double s = g(rng);
            t = regression ? s : 1.0 / (1.0 + std::exp(-s));
        }
        inputs[m] = {"M" + std::to_string(m), "bench", NpyArray::vector(std::move(oof)), NpyArray::vector(std::move(test))};
    }
    BlendOptions options;
    options.config.max_gap = 1e9;  // every model is a candidate
    options.config.steps = steps;
    options.stop_when_no_improvement = early_stop;
    options.threads = threads;
    const double data_mb = peak_rss_mb();
    const double cpu_start = cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    BlendResult r = blend(*metric, target, std::move(inputs), options);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    std::size_t used = 0;
    for (const auto& c : r.candidates) used += c.weight > 0;
    std::printf("{\"metric\": \"%s\", \"models\": %zu, \"rows\": %zu, \"steps\": %d, \"threads\": %u, \"seconds\": %.3f, \"cpu_seconds\": %.3f, "
                "\"peak_rss_mb\": %.0f, \"rss_before_blend_mb\": %.0f, \"best_single\": %.6f, \"blend\": %.6f, \"models_used\": %zu, "
                "\"rank_average\": %s}\n",
                metric_name.c_str(), models, rows, r.steps, threads, seconds, cpu, peak_rss_mb(), data_mb, r.best_single_cv, r.blend_cv, used,
                r.rank_average ? "true" : "false");
    return 0;
}
