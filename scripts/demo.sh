#!/usr/bin/env bash
# The main job: builds attnlab and runs its best demonstration so far, the
# attention worked example with its gradient check.
# Usage: scripts/demo.sh [--scale X]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
exec ./build/attention_by_hand "$@"
