#!/usr/bin/env bash
# Installs what is missing, builds, and runs the offline demo campaign on the shipped competition.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build/bin/autokaggle demo "$@"
