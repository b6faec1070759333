#!/usr/bin/env bash
# The one benchmark command: attnlab against PyTorch at sizes S, M and L,
# side by side, and the tables of BENCHMARKS.md rewritten. Installs what is
# missing and builds first. Takes about 30 minutes for all three sizes; run
# nothing else meanwhile.
#   bench/run.sh [--sizes S,M,L] [--models seq2seq,attention] [--runs 3]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
exec /usr/bin/python3 bench/run.py "$@"
