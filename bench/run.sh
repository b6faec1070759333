#!/usr/bin/env bash
# The one benchmark command: attnlab against PyTorch at sizes S, M and L,
# side by side, and the tables of BENCHMARKS.md rewritten. Installs what is
# missing and builds first. About an hour in all (timing 20 minutes, the
# reverse race 2, three epochs of eng-fra in both frameworks 30); run nothing
# else meanwhile.
#   bench/run.sh [--sizes S,M,L] [--models seq2seq,attention] [--runs 3]
#                [--parts timing,race,engfra]   (parts left out keep their last results)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
exec /usr/bin/python3 bench/run.py "$@"
