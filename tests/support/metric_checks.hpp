// Helpers shared by the metric tests: deterministic data, metric objects, error checks.
#pragma once

#include "standard_metrics.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace metrics_test {

inline std::unique_ptr<autokaggle::Metric> metric(const std::string& name) {
    auto m = autokaggle::standard_metrics::make_metric(name, {});
    BOOST_REQUIRE_MESSAGE(m, "no standard metric " + name);
    return m;
}

inline double score(const std::string& name, const std::vector<double>& truth, const std::vector<double>& pred,
                    std::size_t cols = 1, const std::vector<std::string>& classes = {}) {
    autokaggle::MetricInput in;
    in.truth = truth;
    in.pred = pred;
    in.pred_cols = cols;
    in.class_names = classes;
    return metric(name)->score(in);
}

/// Runs `f`, requires a MetricError whose text contains `needle`.
template <class F>
void require_metric_error(F&& f, const std::string& needle) {
    try {
        f();
    } catch (const autokaggle::MetricError& e) {
        BOOST_TEST_INFO("error: " << e.what());
        BOOST_CHECK(std::string(e.what()).find(needle) != std::string::npos);
        return;
    }
    BOOST_FAIL("expected a MetricError containing '" + needle + "'");
}

/// Runs `f`, requires an autokaggle::Error (any subclass) whose text contains every needle.
template <class F>
void require_error(F&& f, const std::vector<std::string>& needles) {
    try {
        f();
    } catch (const autokaggle::Error& e) {
        for (const auto& n : needles) {
            BOOST_TEST_INFO("error: " << e.what());
            BOOST_CHECK_MESSAGE(std::string(e.what()).find(n) != std::string::npos, "missing '" + n + "' in: " + e.what());
        }
        return;
    }
    BOOST_FAIL("expected an error");
}

inline bool close(double a, double b, double tol = 1e-9) { return std::fabs(a - b) <= tol * std::max(1.0, std::fabs(b)); }

}  // namespace metrics_test
