#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz) long: each for RUNS executions (default 1000000) from
# its seed corpus, one after the other, and prints a table row per target (executions, seconds,
# crashes). New inputs go to $WORK/<target>/corpus, a crashing input to $WORK/<target>/crash-*;
# the seed corpus in the repository is only read. Build first (scripts/build.sh builds them).
#   scripts/fuzz.sh [TARGET...]       RUNS=200000 WORK=/tmp/fuzz BUILD_DIR=build
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
runs=${RUNS:-1000000}
work=${WORK:-$build/fuzz/long}
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
printf '| target | executions | seconds | exec/s | corpus (files) | crashes |\n|---|---|---|---|---|---|\n'
status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/bin/fuzz-$t"
  [[ -x "$bin" ]] || { echo "fuzz.sh: $bin not built" >&2; status=1; continue; }
  mkdir -p "$work/$t/corpus"
  start=$(date +%s.%N)
  "$bin" -runs="$runs" -seed=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$t/" \
    "$work/$t/corpus" "tests/fuzz/corpus/$t" > "$work/$t/log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  done_runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/$t/log" | grep -oE '[0-9]+$' || echo 0)
  crashes=$(find "$work/$t" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
  files=$(find "$work/$t/corpus" -type f | wc -l)
  awk -v t="$t" -v n="$done_runs" -v s="$start" -v e="$end" -v f="$files" -v c="$crashes" \
    'BEGIN { d = e - s; printf "| %s | %d | %.0f | %.0f | %d | %d |\n", t, n, d, n / d, f, c }'
  if [[ $rc -ne 0 ]]; then status=1; echo "fuzz.sh: $t failed (exit $rc), see $work/$t/log" >&2; fi
done
exit $status
