#!/usr/bin/env bash
# Configures and builds AutoKaggle into ./build (binaries in build/bin, plugins in
# build/lib/autokaggle/plugins). Extra arguments go to CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j "$jobs"
