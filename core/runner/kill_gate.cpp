#include "runner/kill_gate.hpp"

#include "base/atomic_file.hpp"
#include "metrics/npy.hpp"
#include "metrics/verify.hpp"
#include "runner/run_scores.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace autokaggle {

std::optional<double> oof_correlation(const std::filesystem::path& partial_oof, const std::filesystem::path& best_oof) {
    metrics::NpyArray partial, best;
    try {
        partial = metrics::read_npy(partial_oof);
        best = metrics::read_npy(best_oof);
    } catch (const std::exception&) {
        return std::nullopt;  // a missing or half-written file skips the check, never kills
    }
    if (partial.rows != best.rows || partial.cols != best.cols) return std::nullopt;
    // One pass of Welford-style sums over the predicted cells.
    double n = 0, mean_x = 0, mean_y = 0, sxx = 0, syy = 0, sxy = 0;
    for (std::size_t i = 0; i < partial.data.size(); ++i) {
        double x = partial.data[i], y = best.data[i];
        if (std::isnan(x) || !std::isfinite(y)) continue;
        n += 1;
        double dx = x - mean_x, dy = y - mean_y;
        mean_x += dx / n;
        mean_y += dy / n;
        sxx += dx * (x - mean_x);
        syy += dy * (y - mean_y);
        sxy += dx * (y - mean_y);
    }
    if (n < 3 || sxx <= 0 || syy <= 0) return std::nullopt;
    return sxy / std::sqrt(sxx * syy);
}

std::function<std::optional<double>(const std::filesystem::path&)> partial_oof_scorer(
    const Metric& metric, const metrics::TargetEncoding& target, std::vector<int> fold) {
    return [&metric, &target, fold = std::move(fold)](const std::filesystem::path& partial_oof) -> std::optional<double> {
        try {
            metrics::NpyArray partial = metrics::read_npy(partial_oof);
            if (partial.rows != target.rows() || target.text) return std::nullopt;
            if (!fold.empty() && fold.size() != partial.rows) return std::nullopt;
            auto predicted = [&](std::size_t r) {
                auto row = partial.row(r);
                return std::none_of(row.begin(), row.end(), [](double v) { return std::isnan(v); });
            };
            std::vector<std::size_t> rows;
            for (std::size_t r = 0; r < partial.rows; ++r) {
                if (fold.empty() ? predicted(r) : fold[r] == 0) rows.push_back(r);
            }
            // The first validation fold, complete; never a guess at which rows it holds.
            if (rows.empty() || !std::all_of(rows.begin(), rows.end(), predicted)) return std::nullopt;
            return metrics::score_rows(metric, target, partial, rows, partial_oof.filename().string());
        } catch (const std::exception&) {
            return std::nullopt;  // e.g. one class only among fold 1's rows
        }
    };
}

KillGateContext gate_against_best(const WorkspacePaths& paths, int best_round, std::optional<double> best_cv,
                                  bool higher_is_better) {
    KillGateContext gate;
    gate.best_cv = best_cv;
    gate.higher_is_better = higher_is_better;
    if (best_round <= 0) return gate;
    const auto best_oof = round_file(paths, best_round, "oof.npy");
    if (non_empty_file(best_oof)) gate.best_oof = best_oof;
    const auto folds = read_run_fold_scores(round_file(paths, best_round, "scores.json"));
    if (!folds.empty()) gate.best_fold1 = folds.front();
    return gate;
}

KillDecision evaluate_fold1(const KillGateConfig& config, const KillGateContext& context, double fold1_score,
                            std::optional<double> correlation) {
    KillDecision d;
    d.fold1_score = fold1_score;
    d.correlation = correlation;
    std::ostringstream msg;
    msg.precision(6);
    msg << "fold 1 score " << fold1_score;
    if (!std::isfinite(fold1_score)) {
        msg << " (not scored: the score check is skipped)";
    } else if (context.best_cv) {
        double best = *context.best_cv;
        double worse_by = context.higher_is_better ? best - fold1_score : fold1_score - best;
        double allowed = config.relative_margin * std::abs(best);
        msg << " vs best CV " << best << " (" << (context.higher_is_better ? "higher" : "lower") << " is better)";
        if (worse_by > allowed) {
            d.kill = true;
            double pct = best != 0 ? 100.0 * worse_by / std::abs(best) : 0.0;
            msg << ": worse by " << worse_by;
            if (best != 0) msg << " (" << pct << "%)";
            msg << ", more than the margin of " << 100.0 * config.relative_margin << "%";
        }
    }
    // A run already beating the best on fold 1 is never stopped for resembling it: it may be
    // the better version of the same idea. Like for like: the best model's own fold-1 score when
    // known (a copy of the best model ties with it there, whatever the fold's luck).
    const bool like_for_like = context.best_fold1 && std::isfinite(*context.best_fold1);
    const std::optional<double> bar = like_for_like ? context.best_fold1 : context.best_cv;
    const bool beats_best =
        bar && improves(context.higher_is_better ? Direction::higher : Direction::lower, fold1_score, *bar);
    if (correlation) {
        msg << "; fold-1 OOF correlation with the best model " << *correlation;
        if (beats_best) {
            msg << (like_for_like ? " (not judged: fold 1 beats the best model's fold 1, " + format_score(*bar) + ")"
                                  : std::string(" (not judged: fold 1 beats the best CV)"));
        } else if (*correlation > config.max_correlation) {
            msg << " above the limit of " << config.max_correlation << " (a near-copy of the best model)";
            d.kill = true;
        }
    }
    d.message = msg.str();
    return d;
}

}  // namespace autokaggle
