#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test
# under CTest. Usage: scripts/test.sh [ctest args, e.g. -R softmax]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
