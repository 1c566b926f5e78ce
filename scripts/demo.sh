#!/usr/bin/env bash
# Installs what is missing, builds, and runs the offline demo campaign on the shipped
# competition (competitions/pima-diabetes). Arguments go to `autokaggle demo`
# (e.g. --max-rounds 3, --dir /tmp/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build=${BUILD_DIR:-build}
"$build/bin/autokaggle" demo "$@"
