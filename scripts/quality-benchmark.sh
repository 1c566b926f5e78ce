#!/usr/bin/env bash
# Autopilot quality benchmark: a 12-round offline campaign on each reference competition, scored
# on the private part of its answers, against default HistGradientBoosting and XGBoost.
#   scripts/quality-benchmark.sh [--rounds N] [--work DIR] [--record docs/benchmarks.md]
# Needs a build (scripts/build.sh) and /usr/bin/python3 with numpy, pandas, scikit-learn, xgboost.
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${AUTOKAGGLE_CLI:-build/bin/autokaggle}"
competitions="${AUTOKAGGLE_COMPETITIONS:-competitions}"
if [[ ! -x "$cli" ]]; then
  echo "quality-benchmark: $cli not found; build first (scripts/build.sh) or set AUTOKAGGLE_CLI" >&2
  exit 2
fi
if [[ ! -d "$competitions" ]]; then
  echo "quality-benchmark: $competitions not found; set AUTOKAGGLE_COMPETITIONS to the reference competitions" >&2
  exit 2
fi
exec /usr/bin/python3 scripts/quality_benchmark.py --cli "$cli" --competitions "$competitions" "$@"
