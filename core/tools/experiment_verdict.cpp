#include "tools/experiment_verdict.hpp"

#include "base/atomic_file.hpp"
#include "metrics/verify.hpp"
#include "runner/experiment_runner.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace autokaggle::tools {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string round_file(int round, const char* suffix) { return ExperimentRunner::round_tag(round) + "_" + suffix; }

std::string text_of(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string format_cv(double value) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", value);
    return buf;
}

std::string printed_cv_score(const std::string& log_tail) {
    const auto at = log_tail.rfind("CV_SCORE=");
    if (at == std::string::npos) return {};
    std::size_t end = at + 9;
    while (end < log_tail.size() && std::string_view("0123456789.eE+-").find(log_tail[end]) != std::string_view::npos) ++end;
    return log_tail.substr(at + 9, end - at - 9);
}

void verify_predictions(ToolHost& host, const ToolSettings& settings, const fs::path& oof, const fs::path& test,
                        const std::string& printed, json::object& outcome) {
    outcome["answer"] = "CV_SCORE=crash";
    const Metric* metric = host.metric();
    if (!metric) {
        outcome["verification"] = "not verified: no metric plugin provides " + host.host().competition().metric;
        return;
    }
    const auto& competition = host.host().competition();
    std::optional<double> claimed;
    if (!printed.empty()) claimed = std::strtod(printed.c_str(), nullptr);
    const double tolerance = metrics::printed_precision_tolerance(printed, settings.cv_tolerance);
    try {
        const auto cv = metrics::verify_cv(*metric, competition, oof, claimed, tolerance);
        if (!cv.valid) {
            outcome["verification"] = "not verified: " + cv.message + "; fix the script so that it writes a valid OOF array";
            return;
        }
        const auto checked = metrics::check_test_predictions(*metric, competition, test);
        if (!checked.ok()) {
            outcome["verification"] = "not verified: " + checked.message() + "; fix the test predictions";
            return;
        }
        outcome["verified_cv"] = cv.recomputed;
        std::string what = format_cv(cv.recomputed) + " (" + metric->name() + " recomputed by the core from " +
                           oof.filename().string() + "; " + test.filename().string() + " matches test.csv)";
        if (claimed && !cv.agree)
            what += "; the printed CV_SCORE " + printed + " does NOT agree with it: the script's own CV computation is "
                    "wrong (compute it over every validated OOF row at once); the answer below is the recomputed value";
        else if (claimed)
            what += "; the printed CV_SCORE " + printed + " agrees at its printed precision";
        outcome["verification"] = what;
        outcome["answer"] = "CV_SCORE=" + format_cv(cv.recomputed);
    } catch (const std::exception& e) {
        outcome["verification"] = std::string("not verified: ") + e.what();
    }
}

json::object experiment_outcome(ToolHost& host, const ToolSettings& settings, const ExperimentResult& result) {
    json::object outcome;
    outcome["status"] = std::string(to_string(result.status));
    outcome["message"] = result.message;
    json::array folds;
    for (double f : result.fold_scores) folds.push_back(f);
    outcome["fold_scores"] = std::move(folds);
    const std::string printed = printed_cv_score(result.log_tail);
    outcome["printed_cv"] = printed;
    if (result.claimed_cv) outcome["claimed_cv"] = *result.claimed_cv;
    outcome["seconds"] = result.seconds;
    if (result.status == RunStatus::ok) {
        verify_predictions(host, settings, result.oof_file, result.test_file, printed, outcome);
    } else {
        outcome["verification"] = "not verified: the run ended with status " + std::string(to_string(result.status)) +
                                  (result.message.empty() ? std::string() : " (" + result.message + ")");
        outcome["answer"] = "CV_SCORE=crash";
    }
    return outcome;
}

bool reusable(const json::object& outcome, const std::string& script_hash, const WorkspacePaths& paths, int round) {
    if (text_of(outcome, "script_hash") != script_hash) return false;
    const std::string status = text_of(outcome, "status");
    if (!non_empty_file(paths.rounds / round_file(round, "run.log"))) return false;
    if (status == "killed_fold1") return true;
    return status == "ok" && non_empty_file(paths.rounds / round_file(round, "oof.npy")) &&
           non_empty_file(paths.rounds / round_file(round, "test.npy"));
}

}  // namespace autokaggle::tools
