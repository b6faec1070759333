#!/usr/bin/env bash
# Installs the Debian packages attnlab needs, only those missing; silent when
# everything is there. Usage: scripts/deps.sh
set -euo pipefail

packages=(
  g++ cmake make
  libxtensor-dev libxtensor-blas-dev libopenblas-dev
  libsentencepiece-dev          # the sentencepiece (subword) tokenizer
  doctest-dev nlohmann-json3-dev libcli11-dev
  python3-numpy python3-torch   # the PyTorch cross-check in the test suite
  python3-nltk                  # the AER cross-check against NLTK in the test suite
  python3-sentencepiece         # the eng-fra study (scripts/engfra.sh): PyTorch on our pieces
  clang libclang-rt-14-dev      # libFuzzer (scripts/fuzz.sh)
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
