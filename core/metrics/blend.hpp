// The core's blender (Caruana-style ensemble selection) over the experiment registry.
//
//  1. every experiment with OOF and test predictions is re-scored from its OOF file;
//  2. candidates are those within BlendConfig::max_gap of the best single model;
//  3. the pairwise Pearson correlation of their OOF predictions is computed; models correlated
//     above BlendConfig::correlation_threshold are near-duplicates and collapse into one
//     candidate, their equal-weight average (a simple weighted blend, never a stack);
//  4. greedy forward selection with replacement for BlendConfig::steps steps, starting from
//     the best candidate, on the OOF metric; for a metric that declares only the order of
//     predictions matters (Metric::order_only()) every model's predictions are replaced by
//     their ranks first (rank averaging);
//  5. the blend's OOF and test predictions, its weights and a submission are written.
//
// experiments.json reading contract (extra fields are ignored):
//   {"experiments": [{"id": "R03", "round": 3, "family": "lightgbm", "cv": 0.91,
//                     "oof": "rounds/R03_oof.npy", "test": "rounds/R03_test.npy"}, ...]}
// "oof"/"test" are relative to the workspace (absolute paths are used as they are).
#pragma once

#include "base/config.hpp"
#include "metrics/npy.hpp"
#include "metrics/target.hpp"

#include <autokaggle/sdk/metric.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle::metrics {

/// One entry of experiments.json as the blender reads it.
struct ExperimentRecord {
    std::string id;
    int round = 0;
    std::string family;
    std::optional<double> cv;    ///< as recorded (verified) by the orchestrator
    std::filesystem::path oof;   ///< as written in the registry (usually relative)
    std::filesystem::path test;
};

/// Reads experiments.json; a missing file is an empty registry. When the registry names its
/// current CV regime ("regime"), only that regime's experiments are read (entries without one
/// count as regime 1): CVs of different regimes are not comparable and never blended. Entries without "id" are an
/// error naming the file and the index; entries without oof/test paths are kept (empty paths).
std::vector<ExperimentRecord> read_experiments(const std::filesystem::path& experiments_json);

/// Resolves a registry path against the workspace root.
std::filesystem::path resolve_in_workspace(const std::filesystem::path& root, const std::filesystem::path& p);

/// OOF/test pairs found in existing_oof_dir.
struct ExistingOofScan {
    std::vector<ExperimentRecord> accepted;  ///< id "existing:<name>", family "existing", round 0, cv recomputed
    std::vector<std::string> rejected;       ///< "<file>: why" for every file that was not accepted
};

/// Finds <name>_oof.npy / <name>_test.npy pairs in `dir`, verifies each OOF against the target
/// (shape, finiteness, scored by `metric`) and each test file against `test_rows`. Paths in the
/// records are relative to `workspace_root` when inside it, absolute otherwise.
ExistingOofScan scan_existing_oof(const std::filesystem::path& dir, const Metric& metric, const TargetEncoding& target,
                                  std::size_t test_rows, const std::filesystem::path& workspace_root);

/// A model handed to the blender with its predictions loaded.
struct BlendInput {
    std::string id;
    std::string family;
    NpyArray oof;
    NpyArray test;
};

struct BlendOptions {
    BlendConfig config;
    /// Stop as soon as no addition improves the OOF score (true), or always run config.steps
    /// steps and keep the best prefix (false).
    bool stop_when_no_improvement = true;
    unsigned threads = 0;  ///< 0: std::thread::hardware_concurrency()
};

struct BlendCandidate {
    std::string id;
    std::string family;
    double cv = 0;        ///< recomputed from its OOF
    double weight = 0;    ///< in the final blend (0 when not picked)
    std::size_t cluster = 0;  ///< index into BlendResult::clusters
};

struct BlendResult {
    std::vector<BlendCandidate> candidates;     ///< within max_gap of the best, best first
    std::vector<std::string> excluded;          ///< "<id>: why" (outside the gap, unreadable, wrong shape)
    std::vector<std::vector<double>> correlation;  ///< candidates x candidates, Pearson on OOF
    std::vector<std::vector<std::size_t>> clusters; ///< candidate indices collapsed together
    bool rank_average = false;
    int steps = 0;                 ///< selection steps run
    std::string best_single_id;
    double best_single_cv = 0;
    double blend_cv = 0;           ///< the blend's OOF score (recomputed)
    NpyArray oof, test;            ///< the blend's predictions
};

/// Blends models whose predictions are already loaded.
BlendResult blend(const Metric& metric, const TargetEncoding& target, std::vector<BlendInput> models,
                  const BlendOptions& options);

/// Loads every registry entry with OOF and test files (skipping, with a reason, those that are
/// missing or do not match the target) and blends them.
BlendResult blend_experiments(const Metric& metric, const TargetEncoding& target,
                              const std::vector<ExperimentRecord>& experiments, const std::filesystem::path& workspace_root,
                              const BlendOptions& options);

/// Writes blend_oof.npy, blend_test.npy, blend.json (models, weights, correlations, CV) and
/// blend_submission.csv (in sample_submission.csv's format) into `out_dir`.
void write_blend_outputs(const BlendResult& result, const CompetitionInfo& competition, const Metric& metric,
                         const TargetEncoding& target, const std::filesystem::path& out_dir);

}  // namespace autokaggle::metrics
