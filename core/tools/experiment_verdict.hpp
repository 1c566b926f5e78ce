// What the core says about a finished experiment before the Builder answers: the run's status,
// the CV recomputed from the OOF file with the metric plugin (accepted when the printed
// CV_SCORE agrees at its printed precision), the test predictions checked against test.csv,
// and the exact answer for the code phase ("CV_SCORE=<verified CV>" or "CV_SCORE=crash").
#pragma once

#include "tools/tool_host.hpp"

#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace autokaggle::tools {

/// A CV for the answer: ten significant digits, so the orchestrator's check of the claim
/// against its own recomputation always agrees.
std::string format_cv(double value);

/// The CV_SCORE value exactly as the script printed it last ("0.8123"), from its log tail.
std::string printed_cv_score(const std::string& log_tail);

/// The outcome of a run as the journal keeps it: status, message, fold_scores, printed_cv,
/// claimed_cv, verified_cv (when the core could verify it), verification (what was checked),
/// answer, seconds.
boost::json::object experiment_outcome(ToolHost& host, const ToolSettings& settings, const ExperimentResult& result);

/// The verification of OOF and test predictions already on disk (a run's, or a blend's):
/// sets verified_cv, verification and answer in `outcome`. `printed` is the claim as printed
/// ("" for none: the recomputed CV is taken as it is).
void verify_predictions(ToolHost& host, const ToolSettings& settings, const std::filesystem::path& oof,
                        const std::filesystem::path& test, const std::string& printed, boost::json::object& outcome);

/// Whether a recorded outcome answers a new call for the same script: the script's content is
/// unchanged and the run ended in a way a re-run would repeat (ok with its outputs still there,
/// or stopped by the kill gate).
bool reusable(const boost::json::object& outcome, const std::string& script_hash, const WorkspacePaths& paths, int round);

}  // namespace autokaggle::tools
