#!/usr/bin/env bash
# The eng-fra study (not in CI): plain seq2seq and attention trained on real
# sentences (../shared/data/eng-fra.tsv, a fixed held-out split) with
# `attnlab compare` and the defaults for a file, judged by source length with
# sacreBLEU's 13a BLEU and exact match, then the same two models in PyTorch on
# the same pieces, split, sizes and epochs; BENCHMARKS.md's eng-fra section is
# rewritten with the figures. About 30 minutes on 2 cores: run nothing else
# meanwhile, the times are part of the result.
# Usage: scripts/engfra.sh [--epochs 3] [--size 128] [--no-pytorch]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
exec /usr/bin/python3 bench/engfra.py "$@"
