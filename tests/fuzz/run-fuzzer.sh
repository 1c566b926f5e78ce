#!/usr/bin/env bash
# run-fuzzer.sh FUZZER SEED_CORPUS WORK_DIR SECONDS: runs one libFuzzer target for SECONDS on
# the seed corpus (read only: new inputs go to WORK_DIR/corpus, a crashing input to
# WORK_DIR/crash-*). Exit 0 when nothing crashed, leaked or hit undefined behaviour.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
[[ -x "$fuzzer" ]] || { echo "run-fuzzer: $fuzzer not built (the autokaggle-fuzzers target builds it)" >&2; exit 1; }
[[ -d "$seeds" ]] || { echo "run-fuzzer: no seed corpus at $seeds" >&2; exit 1; }
rm -rf "$work/corpus"
mkdir -p "$work/corpus"
# -seed fixed: the same inputs are tried on every machine (within the time given).
exec "$fuzzer" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds"
