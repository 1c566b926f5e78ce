// Every standard metric against scikit-learn (or an independent NumPy/Python implementation
// where scikit-learn has none), on generated data: the test writes .npy files, a real
// /usr/bin/python3 process computes the reference values, and they must agree to 1e-9.
#define BOOST_TEST_MODULE metric_standard_sklearn
#include "support/metric_checks.hpp"

#include "metrics/npy.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <fstream>

using namespace autokaggle::metrics;
using autokaggle::test::TempDir;
using metrics_test::metric;

namespace {

/// The reference script: loads the arrays, computes each value with scikit-learn or plain
/// Python, prints {"name": value, ...}.
const char* kReference = R"PY(
import json, math, re, sys
from collections import Counter
import numpy as np
from sklearn import metrics as M

d = sys.argv[1]
L = lambda name: np.load(f"{d}/{name}.npy")
out = {}
yb, sb = L("yb"), L("sb")                      # binary labels, scores with ties
out["auc_binary"] = M.roc_auc_score(yb, sb)
pb = L("pb")                                   # probabilities incl. exact 0 and 1
out["logloss_binary"] = M.log_loss(yb, pb, eps=1e-15)
ym, pm = L("ym"), L("pm")                      # 5 classes, probabilities
out["logloss_multi"] = M.log_loss(ym, pm, eps=1e-15, labels=list(range(5)))
out["auc_ovr"] = M.roc_auc_score(ym, pm, multi_class="ovr", average="macro")
yr, pr = L("yr"), L("pr")                      # regression
out["rmse"] = math.sqrt(M.mean_squared_error(yr, pr))
out["mae"] = M.mean_absolute_error(yr, pr)
out["r2"] = M.r2_score(yr, pr)
out["mape"] = M.mean_absolute_percentage_error(yr, pr)
out["smape"] = float(np.mean(np.where((np.abs(yr) + np.abs(pr)) == 0, 0.0,
                    np.abs(pr - yr) / ((np.abs(yr) + np.abs(pr)) / 2))) * 100)
yp, pp = L("yp"), L("pp")                      # non-negative
out["rmsle"] = math.sqrt(M.mean_squared_log_error(yp, pp))
lt, lp = L("lt"), L("lp")                      # multiclass labels
out["accuracy"] = M.accuracy_score(lt, lp)
out["f1_macro"] = M.f1_score(lt, lp, average="macro")
out["mcc_multi"] = M.matthews_corrcoef(lt, lp)
out["qwk"] = M.cohen_kappa_score(lt, lp, weights="quadratic")
bt, bp = L("bt"), L("bp")
out["f1"] = M.f1_score(bt, bp)
out["mcc_binary"] = M.matthews_corrcoef(bt, bp)
# Kaggle's MAP@K (ml_metrics apk), top-k by score, ties to the lower class index
def apk(actual, predicted, k):
    predicted = predicted[:k]
    score, hits = 0.0, 0.0
    for i, p in enumerate(predicted):
        if p in actual and p not in predicted[:i]:
            hits += 1.0
            score += hits / (i + 1.0)
    return score / min(len(actual), k) if actual else 0.0
mt, ms = L("mt"), L("ms")
top = np.argsort(-ms, axis=1, kind="stable")[:, :3]
out["map3"] = float(np.mean([apk([int(t)], list(r), 3) for t, r in zip(mt, top)]))
onehot = np.zeros_like(ms); onehot[np.arange(len(mt)), mt.astype(int)] = 1
nt = L("ns")                                   # scores with ties
out["ndcg5"] = M.ndcg_score(onehot, nt, k=5)
rel, rs = L("rel"), L("rs")                    # graded relevance
out["ndcg3_graded"] = M.ndcg_score(rel, rs, k=3)
# corpus BLEU: sacreBLEU's defaults, written out (13a tokeniser, exp smoothing)
def tok13a(line):
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    for pat, rep in [(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])", r" \1 "), (r"([^0-9])([\.,])", r"\1 \2 "),
                     (r"([\.,])([^0-9])", r" \1 \2"), (r"([0-9])(-)", r"\1 \2 ")]:
        line = re.sub(pat, rep, line)
    return " ".join(line.split())
def ngrams(words, n):
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
refs = json.load(open(f"{d}/refs.json")); hyps = json.load(open(f"{d}/hyps.json"))
correct, total, sys_len, ref_len = [0] * 4, [0] * 4, 0, 0
for h, r in zip(hyps, refs):
    hw, rw = tok13a(h.rstrip()).split(), tok13a(r.rstrip()).split()
    sys_len += len(hw); ref_len += len(rw)
    for n in range(1, 5):
        hc, rc = ngrams(hw, n), ngrams(rw, n)
        correct[n - 1] += sum(min(c, rc[g]) for g, c in hc.items())
        total[n - 1] += max(0, len(hw) - n + 1)
bp = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0)
prec, smooth = [0.0] * 4, 1.0
for n in range(4):
    if total[n] == 0: break
    if correct[n] == 0:
        smooth *= 2; prec[n] = 100.0 / (smooth * total[n])
    else:
        prec[n] = 100.0 * correct[n] / total[n]
out["bleu"] = 0.0 if not any(correct) else bp * math.exp(sum(math.log(p) if p > 0 else -9999999999 for p in prec) / 4)
out["tokens"] = [tok13a(h) for h in hyps]
print(json.dumps(out))
)PY";

struct Data {
    std::map<std::string, NpyArray> arrays;
    std::vector<std::string> refs, hyps;
};

Data generate() {
    std::mt19937_64 rng(2024);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> g(0.0, 1.0);
    Data d;
    auto vec = [&](const std::string& name, std::vector<double> v) { d.arrays[name] = NpyArray::vector(std::move(v)); };
    const std::size_t n = 20000;
    std::vector<double> yb(n), sb(n), pb(n);
    for (std::size_t i = 0; i < n; ++i) {
        yb[i] = u(rng) < 0.3 ? 1 : 0;
        sb[i] = std::round((yb[i] * 0.6 + u(rng)) * 50) / 50;  // many ties
        pb[i] = i % 97 == 0 ? yb[i] : i % 89 == 0 ? 1 - yb[i] : std::clamp(0.3 + 0.4 * yb[i] + 0.2 * g(rng), 0.0, 1.0);
    }
    vec("yb", yb), vec("sb", sb), vec("pb", pb);
    const std::size_t k = 5;
    std::vector<double> ym(n), pm(n * k);
    for (std::size_t i = 0; i < n; ++i) {
        ym[i] = static_cast<double>(static_cast<std::size_t>(u(rng) * k));
        double s = 0;
        for (std::size_t c = 0; c < k; ++c) s += pm[i * k + c] = u(rng) + (c == ym[i] ? 0.8 : 0.0);
        for (std::size_t c = 0; c < k; ++c) pm[i * k + c] /= s;
    }
    vec("ym", ym);
    d.arrays["pm"] = NpyArray::matrix(pm, n, k);
    std::vector<double> yr(n), pr(n), yp(n), pp(n);
    for (std::size_t i = 0; i < n; ++i) {
        yr[i] = i % 50 == 0 ? 0.0 : 10 * g(rng);
        pr[i] = i % 100 == 0 ? 0.0 : yr[i] + g(rng);
        yp[i] = std::exp(g(rng));
        pp[i] = std::max(0.0, yp[i] + 0.3 * g(rng));
    }
    vec("yr", yr), vec("pr", pr), vec("yp", yp), vec("pp", pp);
    std::vector<double> lt(n), lp(n), bt(n), bp(n);
    for (std::size_t i = 0; i < n; ++i) {
        lt[i] = static_cast<double>(static_cast<int>(u(rng) * 6));
        lp[i] = u(rng) < 0.6 ? lt[i] : std::min(4.0, static_cast<double>(static_cast<int>(u(rng) * 6)));  // 5 never predicted
        bt[i] = u(rng) < 0.4 ? 1 : 0;
        bp[i] = u(rng) < 0.7 ? bt[i] : 1 - bt[i];
    }
    vec("lt", lt), vec("lp", lp), vec("bt", bt), vec("bp", bp);
    const std::size_t m = 20, rows = 5000;
    std::vector<double> mt(rows), ms(rows * m), ns(rows * m);
    for (std::size_t i = 0; i < rows; ++i) {
        mt[i] = static_cast<double>(static_cast<std::size_t>(u(rng) * m));
        for (std::size_t c = 0; c < m; ++c) {
            ms[i * m + c] = u(rng) + (c == mt[i] ? 0.3 : 0.0);
            ns[i * m + c] = std::round(ms[i * m + c] * 8) / 8;  // ties
        }
    }
    vec("mt", mt);
    d.arrays["ms"] = NpyArray::matrix(ms, rows, m);
    d.arrays["ns"] = NpyArray::matrix(ns, rows, m);
    std::vector<double> rel(rows * 6), rs(rows * 6);
    for (std::size_t i = 0; i < rows * 6; ++i) {
        rel[i] = static_cast<double>(static_cast<int>(u(rng) * 4));
        rs[i] = std::round((rel[i] + 2 * u(rng)) * 4) / 4;
    }
    d.arrays["rel"] = NpyArray::matrix(rel, rows, 6);
    d.arrays["rs"] = NpyArray::matrix(rs, rows, 6);
    d.refs = {"The cat sat on the mat.", "It's 3.5-4 km to the station, isn't it?", "He said \"hello\" &amp; left.",
              "Prices rose 4.5% in 2023; analysts (mostly) agreed.", "A quick brown fox jumps over the lazy dog",
              "Dr. Smith's e-mail: smith@example.com / 555-1234"};
    d.hyps = {"The cat sat on a mat.", "It is 3.5-4 km to the station, isn't it ?", "He said hello &amp; left",
              "Prices rose 4.5 % in 2023 ; analysts mostly agreed.", "A fast brown fox jumped over a lazy dog",
              "Dr. Smith's email: smith@example.com/555-1234"};
    return d;
}

double ours(const Data& d, const std::string& name, const std::string& y, const std::string& p,
            const std::vector<std::string>& classes = {}) {
    const NpyArray& truth = d.arrays.at(y);
    const NpyArray& pred = d.arrays.at(p);
    autokaggle::MetricInput in;
    in.truth = truth.data;
    in.pred = pred.data;
    in.pred_cols = pred.cols;
    in.class_names = classes;
    return metric(name)->score(in);
}

}  // namespace

BOOST_AUTO_TEST_CASE(standard_metrics_agree_with_scikit_learn) {
    TempDir dir;
    Data d = generate();
    for (const auto& [name, array] : d.arrays) write_npy(dir / (name + ".npy"), array);
    boost::json::array refs, hyps;
    for (const auto& r : d.refs) refs.push_back(boost::json::string(r));
    for (const auto& h : d.hyps) hyps.push_back(boost::json::string(h));
    autokaggle::test::write_text(dir / "refs.json", boost::json::serialize(refs));
    autokaggle::test::write_text(dir / "hyps.json", boost::json::serialize(hyps));
    autokaggle::test::write_text(dir / "reference.py", kReference);
    auto run = autokaggle::test::run_process({autokaggle::test::python().string(), (dir / "reference.py").string(), dir.path().string()});
    BOOST_TEST_REQUIRE(run.exit_code == 0, "reference script failed: " << run.err);
    auto ref = boost::json::parse(run.out).as_object();
    auto expect = [&](const std::string& key, double value) {
        double r = ref.at(key).to_number<double>();
        BOOST_TEST(metrics_test::close(value, r, 1e-9), key << ": ours " << std::setprecision(17) << value << ", reference " << r);
    };
    const std::vector<std::string> five = {"a", "b", "c", "d", "e"};
    expect("auc_binary", ours(d, "auc_roc", "yb", "sb"));
    expect("logloss_binary", ours(d, "logloss", "yb", "pb"));
    expect("logloss_multi", ours(d, "logloss", "ym", "pm", five));
    expect("auc_ovr", ours(d, "auc_roc", "ym", "pm", five));
    expect("rmse", ours(d, "rmse", "yr", "pr"));
    expect("mae", ours(d, "mae", "yr", "pr"));
    expect("r2", ours(d, "r2", "yr", "pr"));
    expect("mape", ours(d, "mape", "yr", "pr"));
    expect("smape", ours(d, "smape", "yr", "pr"));
    expect("rmsle", ours(d, "rmsle", "yp", "pp"));
    expect("accuracy", ours(d, "accuracy", "lt", "lp"));
    expect("f1_macro", ours(d, "f1_macro", "lt", "lp"));
    expect("mcc_multi", ours(d, "mcc", "lt", "lp"));
    expect("qwk", ours(d, "qwk", "lt", "lp"));
    expect("f1", ours(d, "f1", "bt", "bp"));
    expect("mcc_binary", ours(d, "mcc", "bt", "bp"));
    expect("map3", ours(d, "map@3", "mt", "ms"));
    expect("ndcg5", ours(d, "ndcg@5", "mt", "ns"));
    {
        autokaggle::MetricInput in;
        in.truth = d.arrays.at("rel").data;
        in.pred = d.arrays.at("rs").data;
        in.pred_cols = 6;
        expect("ndcg3_graded", metric("ndcg@3")->score(in));
    }
    {
        autokaggle::MetricInput in;
        in.truth_text = d.refs;
        in.pred_text = d.hyps;
        expect("bleu", metric("bleu")->score(in));
        const auto& tokens = ref.at("tokens").as_array();
        for (std::size_t i = 0; i < d.hyps.size(); ++i)
            BOOST_TEST(autokaggle::standard_metrics::tokenize_13a(d.hyps[i]) == std::string(tokens[i].as_string()));
    }
}

BOOST_AUTO_TEST_CASE(npy_files_written_by_numpy_are_read) {
    TempDir dir;
    autokaggle::test::write_text(dir / "make.py", R"PY(
import sys, numpy as np
d = sys.argv[1]
m = np.arange(12, dtype=np.float64).reshape(3, 4) / 8
np.save(f"{d}/f8.npy", m)
np.save(f"{d}/f4.npy", m.astype(np.float32))
np.save(f"{d}/i4.npy", (m * 8).astype(np.int32))
np.save(f"{d}/i8.npy", (m * 8).astype(np.int64))
np.save(f"{d}/fortran.npy", np.asfortranarray(m))
np.save(f"{d}/vector.npy", m[:, 1].copy())
np.save(f"{d}/big.npy", m.astype(">f8"))
np.save(f"{d}/bool.npy", m > 0.5)
)PY");
    auto run = autokaggle::test::run_process({autokaggle::test::python().string(), (dir / "make.py").string(), dir.path().string()});
    BOOST_TEST_REQUIRE(run.exit_code == 0, run.err);
    std::vector<double> expected(12);
    for (int i = 0; i < 12; ++i) expected[static_cast<std::size_t>(i)] = i / 8.0;
    for (const char* name : {"f8", "f4", "fortran"}) {
        NpyArray a = read_npy(dir / (std::string(name) + ".npy"));
        BOOST_TEST(a.rows == 3u);
        BOOST_TEST(a.cols == 4u);
        BOOST_TEST(a.data == expected, name);
    }
    for (const char* name : {"i4", "i8"}) {
        NpyArray a = read_npy(dir / (std::string(name) + ".npy"));
        for (std::size_t i = 0; i < 12; ++i) BOOST_TEST(a.data[i] == static_cast<double>(i), name);
    }
    NpyArray v = read_npy(dir / "vector.npy");
    BOOST_TEST(v.one_dimensional);
    BOOST_TEST(v.data == std::vector<double>({1 / 8.0, 5 / 8.0, 9 / 8.0}));
    metrics_test::require_error([&] { read_npy(dir / "big.npy"); }, {"big.npy", ">f8"});
    metrics_test::require_error([&] { read_npy(dir / "bool.npy"); }, {"bool.npy", "|b1"});
    // and numpy reads what we write
    write_npy(dir / "ours.npy", NpyArray::matrix({1, 2, 3, 4, 5, 6}, 2, 3));
    auto check = autokaggle::test::run_process({autokaggle::test::python().string(), "-c",
                                                "import numpy as np,sys; a=np.load(sys.argv[1]); print(a.shape, a.dtype, a.sum())",
                                                (dir / "ours.npy").string()});
    BOOST_TEST(check.out == "(2, 3) float64 21.0\n", check.out + check.err);
}
