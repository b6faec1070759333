#!/usr/bin/env bash
# Checks that this build trains exactly as another one does: the same 30
# steps with each, for every model variant, cell and optimizer below, must
# write byte-identical checkpoints (config.json may differ only in its
# "elapsed" seconds), and both must print the same help for every command.
# Usage: scripts/same_as.sh OLD_ATTNLAB [NEW_ATTNLAB (default build/attnlab)]
# e.g. git worktree add /tmp/old v0; (cd /tmp/old && scripts/build.sh);
#      scripts/same_as.sh /tmp/old/build/attnlab
set -euo pipefail
old=$(realpath "${1:?usage: scripts/same_as.sh OLD_ATTNLAB [NEW_ATTNLAB]}")
new=$(realpath "${2:-$(dirname "$0")/../build/attnlab}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for cmd in "" train eval translate data plot compare bleu; do
  if ! cmp -s <("$old" $cmd --help 2>&1) <("$new" $cmd --help 2>&1); then
    echo "DIFFERS: attnlab $cmd --help"; failed=1
  fi
done
runs=(
  "--model attention --score additive"
  "--model luong --score general --cell gru"
  "--model seq2seq --optimizer sgd --lr 0.1"
  "--model attention --score location --optimizer momentum --nesterov --weight-decay 0.01"
  "--model attention --score dot --optimizer rmsprop --dropout 0.1 --teacher-forcing 0.5"
  "--model luong --score scaled_dot --optimizer adagrad --schedule step --lr-step 10"
)
"$old" data dates --n 400 > "$work/pairs.tsv"
for i in "${!runs[@]}"; do
  for side in old new; do
    bin=$old; [ $side = new ] && bin=$new
    "$bin" train --task reverse --n 300 --max-steps 30 --threads 1 --quiet ${runs[$i]} \
      --save "$work/$side$i" > /dev/null 2>&1
  done
  for f in $(cd "$work/old$i" && find . -type f | sort); do
    if [ "$f" = ./config.json ]; then
      same=$(cmp -s <(grep -v '"elapsed"' "$work/old$i/$f") <(grep -v '"elapsed"' "$work/new$i/$f") && echo y || true)
    else
      same=$(cmp -s "$work/old$i/$f" "$work/new$i/$f" && echo y || true)
    fi
    [ -n "$same" ] || { echo "DIFFERS: ${runs[$i]}: $f"; failed=1; }
  done
  [ "$(cd "$work/old$i" && find . -type f | sort)" = "$(cd "$work/new$i" && find . -type f | sort)" ] ||
    { echo "DIFFERS: ${runs[$i]}: the files written"; failed=1; }
done
# a file's sentencepiece path, eval and translate on the same checkpoint
for side in old new; do
  bin=$old; [ $side = new ] && bin=$new
  "$bin" train --train "$work/pairs.tsv" --max-steps 30 --vocab-size 400 --threads 1 \
    --quiet --save "$work/${side}f" > /dev/null 2>&1
  "$bin" eval --checkpoint "$work/old0" --task reverse --n 50 --beam 3 --json --by-length > "$work/$side.eval"
  printf 'abc\n\nxyz\n' | "$bin" translate --checkpoint "$work/old0" --attention "$work/$side.att" > "$work/$side.out"
done
for f in $(cd "$work/oldf" && find . -name '*.npy' -o -name '*.model' -o -name '*.txt' | sort); do
  cmp -s "$work/oldf/$f" "$work/newf/$f" || { echo "DIFFERS: file training: $f"; failed=1; }
done
for f in eval out att; do
  cmp -s "$work/old.$f" "$work/new.$f" || { echo "DIFFERS: eval/translate output ($f)"; failed=1; }
done
[ $failed = 0 ] && echo "same: help, ${#runs[@]} task trainings, a file's training, eval and translate"
exit $failed
