#!/usr/bin/python3
"""Times training steps of the same models in PyTorch (Debian's python3-torch),
for comparison with build/bench_train_step. The model is the independent
implementation of tests/crosscheck/crosscheck.py, a typical PyTorch
seq2seq: packed BiLSTM encoder, LSTMCell decoder loop, attention per step.

  bench/train_step_torch.py [--model attention|seq2seq] [--score NAME] [--batch B]
      [--src-len T] [--tgt-len T] [--embed E] [--hidden H] [--vocab V] [--steps N]
      [--threads N]
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "crosscheck"))
import crosscheck  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="attention")
    p.add_argument("--score", default="additive")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--src-len", type=int, default=25)
    p.add_argument("--tgt-len", type=int, default=11)
    p.add_argument("--embed", type=int, default=32)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--vocab", type=int, default=40)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    cfg = dict(model=a.model, score=a.score, embed=a.embed, hidden=a.hidden,
               decoder_hidden=2 * a.hidden, attention_hidden=a.hidden, decoder_init="zero",
               max_source_length=a.src_len, src_vocab=a.vocab, tgt_vocab=a.vocab)
    model = crosscheck.Model(cfg)
    opt = torch.optim.Adam(model.parameters())
    g = torch.Generator().manual_seed(1)
    srcs = torch.randint(4, a.vocab, (a.batch, a.src_len), generator=g).tolist()
    tgts = torch.randint(4, a.vocab, (a.batch, a.tgt_len - 1), generator=g).tolist()

    def step():
        opt.zero_grad()
        crosscheck.batch_loss(model, srcs, tgts).backward()
        opt.step()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - t0) * 1000 / a.steps
    print(f"pytorch {a.model}/{a.score} B={a.batch} Tx={a.src_len} Ty={a.tgt_len} E={a.embed} "
          f"H={a.hidden} V={a.vocab} threads={a.threads}: {ms:.2f} ms/step")


if __name__ == "__main__":
    main()
