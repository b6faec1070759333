#!/usr/bin/env bash
# Fuzzes every reader (TSV, tokenizers, .npy, config.json, vocabulary) with
# libFuzzer, AddressSanitizer and UBSan, built by clang into ./build-fuzz.
# Each target starts from its kept corpus (fuzz/corpus/NAME) and runs for
# SECONDS (default 60); new interesting inputs go to build-fuzz/corpus/NAME,
# crashers to build-fuzz/crashes/. Keep a crasher as a regression test by
# copying it into fuzz/corpus/NAME (the ordinary suite replays that corpus).
# Usage: scripts/fuzz.sh [--seconds N] [NAME ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
if [ "${1:-}" = "--seconds" ]; then seconds=$2; shift 2; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tsv tokenize npy config vocab)
scripts/deps.sh
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNLAB_FUZZ=ON \
  -DATTNLAB_BUILD_TESTS=OFF -DATTNLAB_BUILD_EXAMPLES=OFF -DATTNLAB_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"
mkdir -p build-fuzz/crashes
status=0
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  log="build-fuzz/$t.log"
  if build-fuzz/fuzz_"$t" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="build-fuzz/crashes/$t-" "build-fuzz/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || echo "?")
    echo "fuzz $t: $runs executions in ${seconds}s, nothing found"
  else
    echo "fuzz $t: FOUND A PROBLEM; see $log and build-fuzz/crashes/$t-*" >&2
    tail -30 "$log" >&2
    status=1
  fi
done
exit $status
