#!/usr/bin/env bash
# Records the current SDK in sdk/abi.lock as "<AUTOKAGGLE_ABI_VERSION> <sha256 of the installed
# headers>" (sdk/autokaggle/sdk/ and sdk/autokaggle/support/: everything a plugin compiles against).
# Run it after changing one of those headers AND bumping AUTOKAGGLE_ABI_VERSION in
# sdk/autokaggle/sdk/abi.hpp; the abi-lock test (tests/sdk) fails until both agree with the lock.
#
# The hash is the one CMake computes when configuring (sdk/CMakeLists.txt: each header's lines
# stripped, blank and // lines dropped, "== <folder>/<name>" before each file, files sorted by
# path), read back from the build folder's cache so there is exactly one implementation of it.
# Usage: scripts/update-abi-lock.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake -S . -B "$build" >/dev/null
hash=$(sed -n 's/^AUTOKAGGLE_SDK_HASH:INTERNAL=//p' "$build/CMakeCache.txt")
version=$(sed -n 's/^#define AUTOKAGGLE_ABI_VERSION \([0-9]*\)u\{0,1\}.*/\1/p' sdk/autokaggle/sdk/abi.hpp)
if [[ ! "$hash" =~ ^[0-9a-f]{64}$ || -z "$version" ]]; then
  echo "update-abi-lock: could not read the SDK hash from $build/CMakeCache.txt or the ABI version" >&2
  exit 1
fi
old=$(cat sdk/abi.lock 2>/dev/null || true)
echo "$version $hash" > sdk/abi.lock
if [[ "$old" == "$version $hash" ]]; then
  echo "update-abi-lock: sdk/abi.lock already up to date (ABI $version)"
else
  echo "update-abi-lock: sdk/abi.lock now ABI $version, $hash"
  old_version=${old%% *}
  if [[ -n "$old" && "$old_version" == "$version" ]]; then
    echo "update-abi-lock: warning: the headers changed but AUTOKAGGLE_ABI_VERSION did not; bump it unless the change is binary-compatible" >&2
  fi
fi
