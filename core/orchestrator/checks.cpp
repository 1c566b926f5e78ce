#include "orchestrator/checks.hpp"

#include "base/atomic_file.hpp"
#include "metrics/csv.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"
#include "metrics/verify.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/workspace.hpp"
#include "runner/kill_gate.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {
std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace

std::vector<std::string> configuration_gaps(const Config& config, const PluginHost& plugins) {
    if (!plugins.find_metric(config.competition.metric)) return {};
    const auto metric = metrics::load_metric(plugins, config.competition.metric, metric_options(config.raw));
    return metrics::campaign_gaps(config.competition.task_type, *metric);
}

CvCheck verify_outputs(const CompetitionInfo& competition, const Metric& metric, double tolerance,
                       std::optional<double> claimed, const fs::path& oof_file, const fs::path& test_file) {
    CvCheck check;
    try {
        if (!claimed) throw Error("the experiment claimed no CV (CV_SCORE=crash)");
        const auto cv = metrics::verify_cv(metric, competition, oof_file, claimed, tolerance);
        if (!cv.valid) throw Error(cv.message);
        if (!cv.agree) {
            check.mismatch = true;
            throw Error("claimed CV " + number_text(*claimed) + " but " + metric.name() + " recomputed from " +
                        oof_file.filename().string() + " is " + number_text(cv.recomputed) + " (tolerance " +
                        number_text(tolerance) + ")");
        }
        const auto test = metrics::check_test_predictions(metric, competition, test_file);
        if (!test.ok()) throw Error(test_file.filename().string() + ": " + test.message());
        check.verified_cv = cv.recomputed;
        std::string folds;
        for (double f : cv.fold_scores) folds += (folds.empty() ? "" : ", ") + (std::isfinite(f) ? number_text(f) : "-");
        check.message = metric.name() + " recomputed from " + oof_file.filename().string() + " = " +
                        number_text(cv.recomputed) +
                        (folds.empty() ? std::string()
                                       : " over " + std::to_string(cv.rows) + " validated rows (fold scores " + folds + ")") +
                        ", matches the claim; " + test_file.filename().string() + " matches test.csv";
    } catch (const std::exception& e) {
        check.verified_cv.reset();
        check.message = e.what();
    }
    return check;
}

std::string verification_markdown(int round, std::optional<double> claimed, const CvCheck& check) {
    std::ostringstream md;
    md << "# " << round_tag(round) << " verification (by the core)\n\n"
       << "- claimed CV: " << (claimed ? format_score(*claimed) : std::string("crash")) << "\n"
       << "- verified CV: " << (check.verified_cv ? format_score(*check.verified_cv) : std::string("not verified")) << "\n"
       << "- detail: " << check.message << "\n";
    return md.str();
}

void write_submission_file(const CompetitionInfo& competition, const Metric& metric, const fs::path& test_file,
                           const fs::path& out) {
    metrics::make_submission(competition, metric, test_file, out);
    const auto checked = metrics::check_submission(competition, metric, out);
    if (!checked.ok()) throw Error(out.filename().string() + " is not a valid submission: " + checked.message());
}

std::optional<double> prediction_correlation(const fs::path& a_file, const fs::path& b_file) {
    // Rows no fold validates (NaN in every OOF file under TimeSeriesSplit) are left out.
    return oof_correlation(a_file, b_file);
}

}  // namespace autokaggle
