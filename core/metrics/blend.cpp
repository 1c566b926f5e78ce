#include "metrics/blend.hpp"

#include "base/atomic_file.hpp"
#include "metrics/correlation.hpp"
#include "metrics/logloss_trials.hpp"
#include <autokaggle/support/parallel.hpp>
#include "metrics/rank_auc_trials.hpp"
#include "metrics/ranking.hpp"
#include <autokaggle/support/summation.hpp>
#include "metrics/verify.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>

namespace autokaggle::metrics {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string json_string(const json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_int64()) return std::to_string(v.get_int64());
    if (v.is_uint64()) return std::to_string(v.get_uint64());
    return {};
}

std::optional<double> json_number(const json::value* v) {
    if (v == nullptr) return std::nullopt;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    return std::nullopt;
}

bool better(const Metric& metric, double a, double b) { return improves(metric.direction(), a, b); }

/// A model's OOF score as the blender recomputes it (or why it cannot be scored), and its OOF
/// ranks when computing the score made them.
struct Rescored {
    double cv = 0;
    std::vector<double> oof_ranks;
    std::string error;
};

/// With rank AUC the raw OOF values are not needed after ranking: they are released.
Rescored rescore(const Metric& metric, const TargetEncoding& target, BlendInput& model, const RankAucTrials* rank_auc) {
    Rescored r;
    try {
        if (rank_auc && model.oof.cols == 1) {
            // the ranks are needed for rank averaging anyway, and give the AUC in one pass
            check_prediction_array(metric, target, model.oof, target.rows(), model.id + " OOF");
            r.oof_ranks = doubled_ranks(model.oof.data);
            r.cv = rank_auc->auc_of_ranks(r.oof_ranks);
            std::vector<double>().swap(model.oof.data);
        } else {
            r.cv = score_predictions(metric, target, model.oof, model.id + " OOF");
        }
        if (!std::isfinite(r.cv)) throw MetricError(model.id + ": OOF score is not finite");
    } catch (const Error& e) {
        r.error = e.what();
        r.oof_ranks.clear();
    }
    return r;
}

/// Metrics whose blend trials are scored in one fused pass (no blended vector is written).
bool fused_rmse(const Metric& metric, std::size_t cols) { return metric.fast_scoring() == FastScoring::squared_error && cols == 1; }

/// RMSE of (sum + model) * inv against truth for up to four models at once: the blended
/// prediction is formed row by row in registers, and four independent accumulators keep the
/// (sequential, as in the plugin) block sums from waiting on each other. Memory traffic per
/// trial is one read of the model column instead of a write and three reads.
template <std::size_t Lanes>
void rmse_trials(std::span<const double> truth, const double* sum, const std::array<const double*, Lanes>& model, double inv,
                 std::array<double, Lanes>& out) {
    const std::size_t n = truth.size();
    const double* y = truth.data();
    std::array<BlockedSum, Lanes> sums{};
    std::size_t start = 0;
    auto run_block = [&](std::size_t end) {
        std::array<double, Lanes> acc{};
        for (std::size_t t = start; t < end; ++t) {
            for (std::size_t l = 0; l < Lanes; ++l) {
                const double d = y[t] - (sum[t] + model[l][t]) * inv;
                acc[l] += d * d;
            }
        }
        for (std::size_t l = 0; l < Lanes; ++l) sums[l].flush(acc[l]);
        start = end;
    };
    while (n - start >= BlockedSum::block) run_block(start + BlockedSum::block);
    run_block(n);  // the remainder (possibly empty: the plugin's final flush of an empty block)
    for (std::size_t l = 0; l < Lanes; ++l) out[l] = std::sqrt(sums[l].value() / static_cast<double>(n));
}

}  // namespace

fs::path resolve_in_workspace(const fs::path& root, const fs::path& p) {
    if (p.empty() || p.is_absolute()) return p;
    return root / p;
}

std::vector<ExperimentRecord> read_experiments(const fs::path& experiments_json) {
    auto text = read_file_if_exists(experiments_json);
    std::vector<ExperimentRecord> out;
    if (!text || text->find_first_not_of(" \t\r\n") == std::string::npos) return out;
    json::value doc;
    try {
        doc = json::parse(*text);
    } catch (const std::exception& e) {
        throw Error(experiments_json.string() + ": not valid JSON (" + e.what() + ")");
    }
    const json::array* list = nullptr;
    std::optional<double> current_regime;  // blends never mix CV regimes (docs/orchestrator.md)
    if (doc.is_object()) {
        current_regime = json_number(doc.as_object().if_contains("regime"));
        if (auto* e = doc.as_object().if_contains("experiments"); e && e->is_array()) list = &e->as_array();
        else if (e) throw Error(experiments_json.string() + ": \"experiments\" must be an array");
        else return out;
    } else if (doc.is_array()) {
        list = &doc.as_array();
    } else {
        throw Error(experiments_json.string() + ": expected an object {\"experiments\": [...]}");
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json::value& item = (*list)[i];
        if (!item.is_object()) throw Error(experiments_json.string() + ": experiments[" + std::to_string(i) + "] is not an object");
        const json::object& o = item.as_object();
        if (current_regime && json_number(o.if_contains("regime")).value_or(1) != *current_regime) continue;
        ExperimentRecord r;
        if (auto* id = o.if_contains("id")) r.id = json_string(*id);
        if (r.id.empty()) throw Error(experiments_json.string() + ": experiments[" + std::to_string(i) + "] has no \"id\"");
        if (auto v = json_number(o.if_contains("round"))) r.round = static_cast<int>(*v);
        if (auto* f = o.if_contains("family"); f && f->is_string()) r.family = std::string(f->get_string());
        r.cv = json_number(o.if_contains("cv"));
        if (auto* p = o.if_contains("oof"); p && p->is_string()) r.oof = std::string(p->get_string());
        if (auto* p = o.if_contains("test"); p && p->is_string()) r.test = std::string(p->get_string());
        out.push_back(std::move(r));
    }
    return out;
}

ExistingOofScan scan_existing_oof(const fs::path& dir, const Metric& metric, const TargetEncoding& target,
                                  std::size_t test_rows, const fs::path& workspace_root) {
    ExistingOofScan scan;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw ConfigError("existing_oof_dir " + dir.string() + " is not a folder; fix the path in config.json or remove the key");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    auto relative = [&](const fs::path& p) {
        fs::path abs = fs::absolute(p).lexically_normal();
        fs::path root = fs::absolute(workspace_root).lexically_normal();
        fs::path rel = abs.lexically_relative(root);
        return (!rel.empty() && *rel.begin() != "..") ? rel : abs;
    };
    for (const auto& file : files) {
        const std::string name = file.filename().string();
        const bool is_oof = name.ends_with("_oof.npy");
        const bool is_test = name.ends_with("_test.npy");
        if (!is_oof && !is_test) continue;
        const std::string stem = name.substr(0, name.size() - (is_oof ? 8 : 9));
        const fs::path partner = dir / (stem + (is_oof ? "_test.npy" : "_oof.npy"));
        if (!fs::exists(partner)) {
            scan.rejected.push_back(file.string() + ": no matching " + partner.filename().string() + " next to it");
            continue;
        }
        if (is_test) continue;  // handled with its OOF partner
        try {
            NpyArray oof = read_npy(file);
            double cv = score_predictions(metric, target, oof, file.string());
            NpyArray test = read_npy(partner);
            check_prediction_array(metric, target, test, test_rows, partner.string());
            ExperimentRecord r;
            r.id = "existing:" + stem;
            r.family = "existing";
            r.cv = cv;
            r.oof = relative(file);
            r.test = relative(partner);
            scan.accepted.push_back(std::move(r));
        } catch (const Error& e) {
            scan.rejected.push_back(e.what());
        }
    }
    return scan;
}

BlendResult blend(const Metric& metric, const TargetEncoding& target, std::vector<BlendInput> models,
                  const BlendOptions& options) {
    BlendResult result;
    const unsigned threads = default_threads(options.threads);

    // binary AUC works on integer rank sums: exact pair counts without the plugin's sorts
    std::optional<RankAucTrials> rank_auc;
    if (metric.fast_scoring() == FastScoring::binary_auc && target.class_names.size() <= 2) {
        rank_auc.emplace(target.values);
        if (!rank_auc->usable()) rank_auc.reset();  // the plugin reports what is wrong with the truth
    }

    // 1. Re-score every model; drop those that do not fit.
    struct Scored {
        BlendInput* model;
        double cv;
        std::vector<double> oof_ranks;  // kept when re-scoring made them
    };
    std::vector<Rescored> rescored(models.size());
    parallel_for(models.size(), threads, [&](std::size_t i, unsigned) {
        rescored[i] = rescore(metric, target, models[i], rank_auc ? &*rank_auc : nullptr);
    });
    std::vector<Scored> scored;
    std::size_t test_rows = 0;
    for (std::size_t i = 0; i < models.size(); ++i) {
        BlendInput& m = models[i];
        try {
            if (!rescored[i].error.empty()) throw MetricError(rescored[i].error);
            if (test_rows == 0) test_rows = m.test.rows;
            check_prediction_array(metric, target, m.test, test_rows, m.id + " test predictions");
            if (m.test.cols != m.oof.cols)
                throw MetricError(m.id + ": OOF has " + std::to_string(m.oof.cols) + " columns, test " + std::to_string(m.test.cols));
            scored.push_back({&m, rescored[i].cv, std::move(rescored[i].oof_ranks)});
        } catch (const Error& e) {
            result.excluded.push_back(e.what());
        }
    }
    if (scored.empty()) throw MetricError("nothing to blend: no experiment has usable OOF and test predictions");
    std::stable_sort(scored.begin(), scored.end(), [&](const Scored& a, const Scored& b) { return better(metric, a.cv, b.cv); });
    result.best_single_id = scored.front().model->id;
    result.best_single_cv = scored.front().cv;

    // 2. Candidates within the gap of the best.
    std::vector<Scored> cand;
    for (auto& s : scored) {
        if (std::fabs(s.cv - result.best_single_cv) <= options.config.max_gap) {
            cand.push_back(std::move(s));
        } else {
            result.excluded.push_back(s.model->id + ": CV " + std::to_string(s.cv) + " is more than max_gap " +
                                      std::to_string(options.config.max_gap) + " from the best (" + std::to_string(result.best_single_cv) + ")");
        }
    }
    const std::size_t m = cand.size();
    const std::size_t cols = cand.front().model->oof.cols;
    result.rank_average = metric.order_only() && cols == 1;

    // Predictions the blender works on (ranks for order-only metrics).
    std::vector<std::vector<double>> oof(m), test(m);
    parallel_for(m, threads, [&](std::size_t i, unsigned) {
        BlendInput& in = *cand[i].model;
        if (result.rank_average) {
            oof[i] = cand[i].oof_ranks.empty() ? doubled_ranks(in.oof.data) : std::move(cand[i].oof_ranks);
            test[i] = normalized_ranks(in.test.data);
        } else {
            oof[i] = std::move(in.oof.data);
            test[i] = std::move(in.test.data);
        }
    });
    for (std::size_t i = 0; i < m; ++i)
        result.candidates.push_back({cand[i].model->id, cand[i].model->family, cand[i].cv, 0.0, 0});

    // 3. Correlations, then clusters of near-duplicates (leader = best member).
    {
        std::vector<const std::vector<double>*> columns;
        for (const auto& o : oof) columns.push_back(&o);
        result.correlation = pearson_matrix(columns, threads);
    }
    std::vector<std::size_t> cluster_of(m);
    for (std::size_t i = 0; i < m; ++i) {
        bool joined = false;
        for (std::size_t c = 0; c < result.clusters.size() && !joined; ++c) {
            if (result.correlation[i][result.clusters[c].front()] > options.config.correlation_threshold) {
                result.clusters[c].push_back(i);
                cluster_of[i] = c;
                joined = true;
            }
        }
        if (!joined) {
            cluster_of[i] = result.clusters.size();
            result.clusters.push_back({i});
        }
        result.candidates[i].cluster = cluster_of[i];
    }
    const std::size_t k = result.clusters.size();
    const std::size_t n_oof = oof.front().size();
    // A cluster's predictions: its single model's (no copy), or its members' average.
    std::vector<std::vector<double>> merged(k);
    std::vector<const std::vector<double>*> cluster_oof(k);
    parallel_for(k, threads, [&](std::size_t c, unsigned) {
        const auto& members = result.clusters[c];
        if (members.size() == 1) {
            cluster_oof[c] = &oof[members.front()];
            return;
        }
        merged[c].assign(n_oof, 0.0);
        double w = 1.0 / static_cast<double>(members.size());
        for (std::size_t i : members)
            for (std::size_t t = 0; t < n_oof; ++t) merged[c][t] += w * oof[i][t];
        // rank blends search on integer ranks (exact sums, no division: AUC ignores scale)
        if (result.rank_average) merged[c] = doubled_ranks(merged[c]);
        cluster_oof[c] = &merged[c];
    });

    // 4. Greedy forward selection with replacement.
    NpyArray shape = NpyArray::matrix({}, 0, 0);
    shape.rows = n_oof / cols;
    shape.cols = cols;
    shape.one_dimensional = cols == 1;
    auto score_of = [&](NpyArray& buffer) {
        std::vector<double> converted;
        return metric.score(metric_input(metric, target, buffer, converted));
    };
    std::vector<double> sum = *cluster_oof[0];
    std::vector<std::size_t> picks(k, 0);
    picks[0] = 1;
    std::size_t count = 1;
    // the best cluster's score: its model's re-scored CV, unless near-duplicates were averaged
    double best = result.candidates.front().cv;
    if (result.clusters.front().size() > 1) {
        NpyArray first = shape;
        first.data = *cluster_oof[0];
        best = score_of(first);
    }
    std::vector<std::size_t> best_picks = picks;
    const bool fused = !result.rank_average && fused_rmse(metric, cols) && target.values.size() == n_oof;
    // rank-averaged binary AUC: screened trials, exact picks (metrics/rank_auc_trials.hpp)
    if (!result.rank_average) rank_auc.reset();
    if (rank_auc) {
        rank_auc->add_candidates(cluster_oof, threads);
        rank_auc->add_to_sum(0);
    }
    // log loss: screened trials, exact picks through the plugin (metrics/logloss_trials.hpp)
    std::optional<LoglossTrials> logloss_trials;
    if (metric.fast_scoring() == FastScoring::log_loss && !result.rank_average && target.values.size() * cols == n_oof)
        logloss_trials.emplace(target.values, cols);
    std::vector<NpyArray> scratch(threads, shape);
    for (auto& s : scratch) s.data.resize(n_oof);
    std::vector<double> trial(k);
    for (int step = 0; step < options.config.steps && k > 1; ++step) {
        const double inv = result.rank_average ? 1.0 : 1.0 / static_cast<double>(count + 1);
        auto materialised_trial = [&](std::size_t c, NpyArray& buf) {
            const double* a = sum.data();
            const double* b = cluster_oof[c]->data();
            double* out = buf.data.data();
            for (std::size_t t = 0; t < n_oof; ++t) out[t] = (a[t] + b[t]) * inv;
            trial[c] = score_of(buf);
        };
        // rank sums over 32 bits (thousands of steps) continue on the plugin's path
        if (rank_auc && !rank_auc->fits()) rank_auc.reset();
        std::size_t pick = 0;
        if (rank_auc) {
            const auto best_addition = rank_auc->best_addition(threads);
            pick = best_addition.candidate;
            trial[pick] = best_addition.auc;
        } else if (logloss_trials) {
            std::vector<ScoreInterval<double>> bounds(k);
            parallel_for(k, threads, [&](std::size_t c, unsigned) {
                bounds[c] = logloss_trials->screen(sum.data(), cluster_oof[c]->data(), inv);
            });
            const auto screened = screened_pick(bounds, threads, [&](std::size_t c, unsigned worker, unsigned) {
                materialised_trial(c, scratch[worker]);
                return -trial[c];
            });
            if (screened.consistent) {
                pick = screened.candidate;
            } else {  // the plugin scores differently from the screen's assumptions: score every trial
                logloss_trials.reset();
                parallel_for(k, threads, [&](std::size_t c, unsigned worker) { materialised_trial(c, scratch[worker]); });
            }
        } else if (fused) {
            constexpr std::size_t lanes = 4;
            parallel_for((k + lanes - 1) / lanes, threads, [&](std::size_t g, unsigned worker) {
                const std::size_t first_c = g * lanes;
                std::array<const double*, lanes> model{};
                for (std::size_t l = 0; l < lanes; ++l) model[l] = cluster_oof[std::min(first_c + l, k - 1)]->data();
                std::array<double, lanes> out{};
                rmse_trials<lanes>(target.values, sum.data(), model, inv, out);
                for (std::size_t l = 0; l < lanes && first_c + l < k; ++l) {
                    // a non-finite blend goes through the plugin, which reports it as before
                    if (std::isfinite(out[l])) trial[first_c + l] = out[l];
                    else materialised_trial(first_c + l, scratch[worker]);
                }
            });
        } else {
            parallel_for(k, threads, [&](std::size_t c, unsigned worker) { materialised_trial(c, scratch[worker]); });
        }
        if (!rank_auc && !logloss_trials)
            for (std::size_t c = 1; c < k; ++c)
                if (better(metric, trial[c], trial[pick])) pick = c;
        if (options.stop_when_no_improvement && !better(metric, trial[pick], best)) break;
        for (std::size_t t = 0; t < n_oof; ++t) sum[t] += (*cluster_oof[pick])[t];
        if (rank_auc) rank_auc->add_to_sum(pick);
        ++picks[pick];
        ++count;
        ++result.steps;
        if (better(metric, trial[pick], best)) {
            best = trial[pick];
            best_picks = picks;
        }
    }

    // 5. Weights per model, and the blend's predictions.
    std::size_t total = std::accumulate(best_picks.begin(), best_picks.end(), std::size_t{0});
    for (std::size_t c = 0; c < k; ++c) {
        double cw = static_cast<double>(best_picks[c]) / static_cast<double>(total);
        for (std::size_t i : result.clusters[c])
            result.candidates[i].weight = cw / static_cast<double>(result.clusters[c].size());
    }
    const std::size_t n_test = test.front().size();
    std::vector<double> blend_oof(n_oof, 0.0), blend_test(n_test, 0.0);
    const double oof_scale = result.rank_average ? 1.0 / (2.0 * static_cast<double>(n_oof)) : 1.0;  // ranks onto (0, 1]
    for (std::size_t i = 0; i < m; ++i) {
        double w = result.candidates[i].weight;
        if (w == 0) continue;
        for (std::size_t t = 0; t < n_oof; ++t) blend_oof[t] += w * oof_scale * oof[i][t];
        for (std::size_t t = 0; t < n_test; ++t) blend_test[t] += w * test[i][t];
    }
    result.oof = shape;
    result.oof.data = std::move(blend_oof);
    result.test = shape;
    result.test.rows = n_test / cols;
    result.test.data = std::move(blend_test);
    result.blend_cv = score_predictions(metric, target, result.oof, "blend OOF");
    return result;
}

BlendResult blend_experiments(const Metric& metric, const TargetEncoding& target,
                              const std::vector<ExperimentRecord>& experiments, const fs::path& workspace_root,
                              const BlendOptions& options) {
    std::vector<BlendInput> inputs;
    std::vector<std::string> skipped;
    for (const auto& e : experiments) {
        if (e.oof.empty() || e.test.empty()) {
            skipped.push_back(e.id + ": no OOF or test predictions recorded");
            continue;
        }
        try {
            BlendInput in;
            in.id = e.id;
            in.family = e.family;
            in.oof = read_npy(resolve_in_workspace(workspace_root, e.oof));
            in.test = read_npy(resolve_in_workspace(workspace_root, e.test));
            inputs.push_back(std::move(in));
        } catch (const Error& err) {
            skipped.push_back(e.id + ": " + err.what());
        }
    }
    if (inputs.empty()) {
        std::string why;
        for (const auto& s : skipped) why += "\n  " + s;
        throw MetricError("nothing to blend: no experiment in the registry has readable OOF and test predictions" + why);
    }
    BlendResult result = blend(metric, target, std::move(inputs), options);
    result.excluded.insert(result.excluded.begin(), skipped.begin(), skipped.end());
    return result;
}

void write_blend_outputs(const BlendResult& result, const CompetitionInfo& competition, const Metric& metric,
                         const TargetEncoding& target, const fs::path& out_dir) {
    write_npy(out_dir / "blend_oof.npy", result.oof);
    write_npy(out_dir / "blend_test.npy", result.test);
    json::object doc;
    doc["metric"] = metric.name();
    doc["direction"] = metric.direction() == Direction::higher ? "higher" : "lower";
    doc["blend_cv"] = result.blend_cv;
    doc["best_single"] = json::object{{"id", result.best_single_id}, {"cv", result.best_single_cv}};
    doc["rank_average"] = result.rank_average;
    doc["steps"] = result.steps;
    json::array models, ids, matrix, clusters, excluded;
    for (const auto& c : result.candidates) {
        models.push_back(json::object{{"id", c.id}, {"family", c.family}, {"cv", c.cv}, {"weight", c.weight}, {"cluster", c.cluster}});
        ids.push_back(json::string(c.id));
    }
    for (const auto& row : result.correlation) {
        json::array r;
        for (double v : row) r.push_back(v);
        matrix.push_back(std::move(r));
    }
    for (const auto& cl : result.clusters) {
        json::array a;
        for (std::size_t i : cl) a.push_back(json::string(result.candidates[i].id));
        clusters.push_back(std::move(a));
    }
    for (const auto& e : result.excluded) excluded.push_back(json::string(e));
    doc["models"] = std::move(models);
    doc["correlation"] = json::object{{"ids", std::move(ids)}, {"matrix", std::move(matrix)}};
    doc["clusters"] = std::move(clusters);
    doc["excluded"] = std::move(excluded);
    doc["oof"] = "blend_oof.npy";
    doc["test"] = "blend_test.npy";
    doc["submission"] = "blend_submission.csv";
    atomic_write(out_dir / "blend.json", json::serialize(doc) + "\n");
    make_submission(competition, metric, target, result.test, out_dir / "blend_submission.csv");
}

}  // namespace autokaggle::metrics
