#!/usr/bin/env bash
# The main job: builds attnlab and runs `attnlab compare --seeds 3`: plain
# seq2seq and seq2seq with attention, three seeds each, trained side by side
# on the same reversal task (inputs of 3 to 30 letters) with the same budget, then judged
# on held-out inputs by length. Plain seq2seq breaks as inputs grow; attention
# does not (Bahdanau et al. 2014). The report (report.html: tables, charts by
# length, learning curves, attention heatmaps) ends with its path. Then the
# attention model's alignment on a long input: an anti-diagonal. About 3
# minutes on 2 cores.
# Usage: scripts/demo.sh [extra 'attnlab compare' options, e.g. --task sort
#        or --models seq2seq,attention,luong:general --test-max-len 60]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
bin=./build/attnlab
out=build/demo/compare
rm -rf "$out"

"$bin" compare --seeds 3 --out "$out" "$@"

attention=$(ls -d "$out"/attention-*/seed1 "$out"/luong-*/seed1 2>/dev/null | head -1 || true)
if [ -n "$attention" ]; then
  echo
  echo "== what ${attention#"$out"/} looks at, reversing 24 letters"
  echo "abcdefghijklmnopqrstabcd" | "$bin" translate --checkpoint "$attention" --show-attention 2>&1
fi
echo
echo "The report: $(realpath "$out/report.html") (open it in a browser)"
