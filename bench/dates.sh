#!/usr/bin/env bash
# Issue #4's accuracy target: `attnlab train --task dates` with its default
# settings, then exact-sequence accuracy on 2,000 dates from a seed training
# never used. Usage: bench/dates.sh [extra 'attnlab train' options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
ckpt=build/bench/dates
rm -rf "$ckpt" "$ckpt.metrics.jsonl"
mkdir -p "$(dirname "$ckpt")"
time ./build/attnlab train --task dates --save "$ckpt" "$@"
./build/attnlab eval --checkpoint "$ckpt" --task dates --n 2000 --data-seed 99
