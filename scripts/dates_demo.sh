#!/usr/bin/env bash
# The main job: builds attnlab, trains the attention model on the built-in
# dates task, evaluates it on held-out dates by source length, and draws the
# attention of a few translations (source characters across, output down),
# in the terminal and as SVG pictures beside the checkpoint.
# Usage: scripts/dates_demo.sh [extra 'attnlab train' options, e.g. --epochs 10]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
bin=./build/attnlab
ckpt=build/demo/dates
rm -rf "$ckpt" "$ckpt".*
mkdir -p "$(dirname "$ckpt")"

echo "== attnlab train --task dates: human-readable dates -> ISO 8601"
"$bin" train --task dates --epochs 3 --save "$ckpt" "$@"

echo
echo "== attnlab eval: 2000 dates never seen in training"
"$bin" eval --checkpoint "$ckpt" --task dates --n 2000 --data-seed 99 --by-length

echo
echo "== attnlab translate --show-attention"
printf '%s\n' "Friday, December 23, 2011" "23 april 1984" "2nd of February 1980" |
  "$bin" translate --checkpoint "$ckpt" --show-attention --attention "$ckpt.attention.json" 2>&1

"$bin" plot --metrics "$ckpt.metrics.jsonl" --out "$ckpt.curves.svg"
"$bin" plot --attention "$ckpt.attention.json" --out "$ckpt.attention.svg"
echo "Pictures: $ckpt.curves.svg (learning curves), $ckpt.attention.svg (attention heatmaps)"
