#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite (unit, integration, slow) with
# output shown for failures. Pass a CTest label to run fewer: scripts/test.sh unit
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
scripts/build.sh
build=${BUILD_DIR:-build}
label=()
if [[ $# -gt 0 ]]; then label=(-L "$1"); fi
ctest --test-dir "$build" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "${label[@]}"
