#!/usr/bin/env bash
# Metric-engine benchmarks, next to scikit-learn in the same run (docs/benchmarks.md,
# "Metrics and blending"). Builds what it needs, generates the data in a temporary folder,
# times whole processes that load the same .npy files, checks the results agree to 1e-9, and
# prints one table.
#
#   scripts/bench-metrics.sh [BUILD_DIR]        (default: build)
#   AUTOKAGGLE_PYTHON=/usr/bin/python3 (an interpreter with numpy and scikit-learn)
#   BLEND_METRICS="rmse auc_roc" picks the blend metrics; BLEND_METRICS= skips the blend part
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
py="${AUTOKAGGLE_PYTHON:-/usr/bin/python3}"
jobs="${JOBS:-2}"

cmake --build "$build" -j"$jobs" --target autokaggle autokaggle-metric-standard bench-metrics-blend bench-metrics-csv >/dev/null
cli="$build/bin/autokaggle"
work="$(mktemp -d "${TMPDIR:-/tmp}/autokaggle-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "generating data in $work ..." >&2
"$py" - "$work" <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(0)
n = 10_000_000
y = (rng.random(n) < 0.3).astype(np.float64)
np.save(f"{d}/y10m.npy", y)
np.save(f"{d}/score10m.npy", rng.random(n) + 0.3 * y)                      # AUC input
np.save(f"{d}/prob10m.npy", np.clip(0.3 + 0.3 * y + 0.2 * rng.standard_normal(n), 0, 1))  # log loss input
m, k = 1_000_000, 20
np.save(f"{d}/ymap.npy", rng.integers(0, k, m).astype(np.float64))
np.save(f"{d}/pmap.npy", rng.random((m, k)))
PY

cat > "$work/sk.py" <<'PY'
import json, sys, numpy as np
metric, truth, pred = sys.argv[1:4]
y, p = np.load(truth), np.load(pred)
if metric == "auc_roc":
    from sklearn.metrics import roc_auc_score
    v = roc_auc_score(y, p)
elif metric == "logloss":
    from sklearn.metrics import log_loss
    v = log_loss(y, p, eps=1e-15)
else:  # map@3: scikit-learn has no MAP@K; Kaggle's definition, vectorised with NumPy
    top = np.argsort(-p, axis=1, kind="stable")[:, :3]
    hit = top == y.astype(np.int64)[:, None]
    v = float(np.mean((hit / np.arange(1, 4)).sum(axis=1)))
print(json.dumps({"score": float(v)}))
PY

seconds() { date +%s.%N; }
calc() { "$py" -c "print($1)"; }
run_timed() {  # prints "<wall seconds> <cpu seconds> <peak MB> <stdout>"
    local out start end
    start=$(seconds)
    out=$(/usr/bin/time -f "%U %S %M" -o "$work/usage" "$@")
    end=$(seconds)
    read -r user sys mem <"$work/usage"
    echo "$(calc "$end - $start") $(calc "$user + $sys") $(( mem / 1024 )) $out"
}
score_of() { "$py" -c 'import json,sys; print(repr(json.loads(sys.argv[1])["score"]))' "$1"; }

printf '\n%-16s %22s %22s %14s %6s %s\n' "case" "autokaggle wall/cpu s" "sklearn wall/cpu s" "ratio wall/cpu" "agree" "(peak MB ours / sklearn)"
for case in "auc_roc y10m score10m AUC-10M" "logloss y10m prob10m logloss-10M" "map@3 ymap pmap map@3-1Mx20"; do
    set -- $case
    read -r t_ours c_ours m_ours out_ours <<<"$(run_timed "$cli" score --metric "$1" --truth "$work/$2.npy" --pred "$work/$3.npy" --json)"
    read -r t_sk c_sk m_sk out_sk <<<"$(run_timed "$py" "$work/sk.py" "$1" "$work/$2.npy" "$work/$3.npy")"
    a=$(score_of "$out_ours"); b=$(score_of "$out_sk")
    agree=$("$py" -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('yes' if abs(a-b)<=1e-9*max(1,abs(b)) else 'NO')" "$a" "$b")
    printf '%-16s %10.3f / %9.3f %10.3f / %9.3f %6.1fx / %5.1fx %6s (%s / %s)   %s vs %s\n' "$4" "$t_ours" "$c_ours" "$t_sk" "$c_sk" \
        "$(calc "$t_sk / $t_ours")" "$(calc "$c_sk / max($c_ours, 0.01)")" "$agree" "$m_ours" "$m_sk" "$a" "$b"
done

echo
echo "hill-climbing blend (50 models x 1M rows, up to 100 steps, 2 threads; EARLY_STOP=1 stops when no addition improves):"
# BLEND_METRICS unset: all three; set but empty: none (only the score and CSV benchmarks)
for metric in ${BLEND_METRICS-rmse logloss auc_roc}; do
    "$build/bin/bench-metrics-blend" --models 50 --rows 1000000 --steps 100 --threads 2 --metric "$metric" --early-stop "${EARLY_STOP:-0}"
done

echo
echo "CSV load (1M rows x 50 columns, 5 of them quoted text):"
"$build/bin/bench-metrics-csv" "$work/train.csv" --make 1000000x50
t_pd=$( { /usr/bin/time -f "%e" "$py" -c 'import pandas as pd, sys; pd.read_csv(sys.argv[1])' "$work/train.csv" >/dev/null; } 2>&1 )
echo "{\"pandas_read_csv_seconds\": $t_pd}"
