#!/usr/bin/env bash
# Installs what AutoKaggle needs on Debian 12 and nothing else; does nothing when all is there.
# Run as root (or with sudo). Safe to run again.
set -euo pipefail

# Build: compiler, CMake, Boost 1.81 components (Debian's default libboost-dev is 1.74, without
# Boost.JSON), OpenSSL. Experiments: Debian's Python with the scientific stack.
# Boost.DLL, Process, Beast and Asio are header-only (libboost1.81-dev); zlib reads Kaggle's zips;
# RE2 runs the agents' grep in linear time.
BUILD_PACKAGES=(g++ cmake ninja-build ccache pkg-config ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev
  libboost-system1.81-dev libboost-test1.81-dev libssl-dev zlib1g-dev libre2-dev)
PYTHON_PACKAGES=(python3 python3-numpy python3-pandas python3-sklearn python3-scipy python3-xgboost)
# Runs: bubblewrap is the sandbox the local runner puts generated code in (docs/runner-local.md).
RUNTIME_PACKAGES=(bubblewrap)
# Extra packages some test suites need: a local one-node Slurm cluster (slurmctld, slurmd,
# munged) for the slurm runner's tests, ps/pgrep for the process-tree tests, Node.js and npm for
# the real Claude Code and Codex CLIs (installed below), bubblewrap for Codex's sandbox,
# Chromium (headless) for the dashboard's browser tests, and clang with libFuzzer and lld for
# the fuzz targets (tests/fuzz).
TEST_PACKAGES=()
WITH_TESTS=0
case "${1:-}" in
  "") ;;
  --tests) WITH_TESTS=1; TEST_PACKAGES+=(procps slurm-wlm munge bubblewrap chromium clang libclang-rt-14-dev lld)
           command -v node >/dev/null && command -v npm >/dev/null || TEST_PACKAGES+=(nodejs npm) ;;
  *) echo "usage: scripts/install-deps.sh [--tests]" >&2; exit 2 ;;
esac

missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_install() {
  if [[ $updated -eq 0 ]]; then $SUDO apt-get update -qq; updated=1; fi
  $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

need=$(missing "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
if [[ -n "$need" ]]; then
  echo "install-deps: installing $need" | tr '\n' ' '; echo
  # shellcheck disable=SC2086
  apt_install $need
fi

# Debian 12's python3-scipy needs python3-pythran, which depends on libboost-dev (1.74); that
# conflicts with libboost1.81-dev. A tiny local package that depends on libboost1.81-dev and
# provides libboost-dev lets both live together.
if [[ -n "$(missing python3-scipy)" ]] && [[ -z "$(missing libboost1.81-dev)" ]] \
   && [[ -n "$(missing autokaggle-boost-shim)" ]] && [[ -n "$(missing libboost-dev)" ]]; then
  shim=$(mktemp -d)
  mkdir -p "$shim/pkg/DEBIAN"
  cat > "$shim/pkg/DEBIAN/control" <<'CONTROL'
Package: autokaggle-boost-shim
Version: 1.81.0
Architecture: all
Maintainer: AutoKaggle <autokaggle@localhost>
Depends: libboost1.81-dev
Provides: libboost-dev (= 1.81.0)
Section: libdevel
Priority: optional
Description: lets python3-scipy (through pythran) use the Boost 1.81 headers
 python3-pythran depends on libboost-dev (1.74), which conflicts with libboost1.81-dev.
CONTROL
  dpkg-deb --build "$shim/pkg" "$shim/autokaggle-boost-shim.deb" >/dev/null
  $SUDO dpkg -i "$shim/autokaggle-boost-shim.deb" >/dev/null
  rm -rf "$shim"
  echo "install-deps: installed autokaggle-boost-shim (lets python3-scipy coexist with Boost 1.81)"
fi

need=$(missing "${PYTHON_PACKAGES[@]}")
if [[ -n "$need" ]]; then
  echo "install-deps: installing $need" | tr '\n' ' '; echo
  # shellcheck disable=SC2086
  apt_install $need
fi

# The real coding-agent CLIs for tests/plugins/agent-cli-common, at the versions pinned there,
# each into its own npm prefix in a cache folder outside the build tree (once per machine, never
# globally).
if [[ $WITH_TESTS -eq 1 ]]; then
  # shellcheck source=../tests/plugins/agent-cli-common/cli-versions.env
  source "$(dirname "$0")/../tests/plugins/agent-cli-common/cli-versions.env"
  cli_cache=${AUTOKAGGLE_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/autokaggle/clis}
  install_cli() {  # <npm package> <folder name> <version> <executable>
    local prefix="$cli_cache/$2-$3"
    local manifest="$prefix/node_modules/$1/package.json"
    if [[ -x "$prefix/node_modules/.bin/$4" && -f "$manifest" ]] \
       && [[ $(node -p "require(process.argv[1]).version" "$manifest") == "$3" ]]; then
      return
    fi
    echo "install-deps: installing $1@$3 into $prefix"
    rm -rf "$prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$1@$3" \
      || { echo "install-deps: npm could not install $1@$3; the real-CLI tests will be skipped" >&2; return; }
  }
  install_cli @anthropic-ai/claude-code claude-code "$CLAUDE_CODE_VERSION" claude
  install_cli @openai/codex codex "$CODEX_VERSION" codex
fi

/usr/bin/python3 -c "import numpy, pandas, sklearn, scipy, xgboost" \
  || { echo "install-deps: /usr/bin/python3 cannot import numpy/pandas/sklearn/scipy/xgboost" >&2; exit 1; }
echo "install-deps: all dependencies present"
