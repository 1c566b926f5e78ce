#!/usr/bin/env bash
# Configures and builds AutoKaggle into ./build (binaries in build/bin, plugins in
# build/lib/autokaggle/plugins), so the build tree runs without installing.
# Extra arguments go to CMake's configure step (e.g. -DAUTOKAGGLE_BUILD_TESTS=OFF).
# BUILD_DIR overrides the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)
generator=()
# Keep the generator an existing build folder was made with; prefer Ninja for new ones.
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j "$jobs"
