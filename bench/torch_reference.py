#!/usr/bin/python3
"""The models of docs/MODEL_SPEC.md in PyTorch (Debian's python3-torch),
float32, written as a competent PyTorch user would: nn.Embedding, a packed
bidirectional nn.LSTM encoder, an nn.LSTMCell decoder, the additive score's
source half computed once per batch, the output layer applied once to every
step's state. bench/run.sh times it against attnlab's build/bench_train_step.

  bench/torch_reference.py --model attention|seq2seq --embed E --hidden H
      --attn A --batch B --src-len Tx --tgt-len Ty --src-vocab Vs --tgt-vocab Vt
      [--steps N] [--decode-steps N] [--threads N]

Prints one JSON line: train_ms (median per training step: forward, backward,
Adam), decode_ms (median batched greedy decoding of exactly Ty tokens: <eos>
is made unreachable first), peak_rss_mb.

  bench/torch_reference.py --race TRAIN.tsv VALID.tsv --embed E --hidden H --attn A

trains on a character-level source<TAB>target file instead (batches of 64
grouped by length, Adam at lr 0.002, gradient norm clipped at 5, as attnlab
train) and judges exact accuracy on VALID by greedy decoding every
--valid-every steps, until --target is reached or --budget seconds pass. The
clock runs through validation too, as attnlab train's elapsed time does.

  bench/torch_reference.py --epochs-on TRAIN.tsv TEST.tsv OUT.txt --epochs 3 ...

trains the same way on space-separated words for a number of epochs, then
writes greedy translations of TEST's sources to OUT, one line each.
"""
import argparse
import json
import random
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, SOS, EOS = 0, 2, 3


class Model(nn.Module):
    def __init__(self, model, E, H, A, Vs, Vt):
        super().__init__()
        self.attention = model == "attention"
        D = 2 * H
        self.src_emb = nn.Embedding(Vs, E)
        self.encoder = nn.LSTM(E, H, batch_first=True, bidirectional=True)
        self.tgt_emb = nn.Embedding(Vt, E)
        self.decoder = nn.LSTMCell(E + (2 * H if self.attention else 0), D)
        if self.attention:
            self.W1s = nn.Linear(D, A, bias=False)  # W_1's s columns
            self.W1h = nn.Linear(2 * H, A)  # W_1's h columns and b_1
            self.v = nn.Linear(A, 1)
        self.out = nn.Linear(D, Vt)

    def encode(self, src, src_len):
        packed = pack_padded_sequence(self.src_emb(src), src_len, batch_first=True,
                                      enforce_sorted=False)
        out, (h, c) = self.encoder(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        pad = src == PAD
        keys = self.W1h(out) if self.attention else None
        B = src.shape[0]
        if self.attention:
            D = self.decoder.hidden_size
            state = (out.new_zeros(B, D), out.new_zeros(B, D))
        else:
            state = (torch.cat([h[0], h[1]], 1), torch.cat([c[0], c[1]], 1))
        return out, keys, pad, state

    def step(self, y_prev, out, keys, pad, state):
        x = self.tgt_emb(y_prev)
        weights = None
        if self.attention:
            e = self.v(torch.tanh(keys + self.W1s(state[0]).unsqueeze(1))).squeeze(2)
            weights = torch.softmax(e.masked_fill(pad, float("-inf")), dim=1)
            context = torch.bmm(weights.unsqueeze(1), out).squeeze(1)
            x = torch.cat([context, x], 1)
        return self.decoder(x, state), weights

    def loss(self, src, src_len, tgt_in, tgt_out):
        out, keys, pad, state = self.encode(src, src_len)
        states = []
        for t in range(tgt_in.shape[1]):
            state, _ = self.step(tgt_in[:, t], out, keys, pad, state)
            states.append(state[0])
        logits = self.out(torch.stack(states, 1))
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1),
                               ignore_index=PAD)

    @torch.no_grad()
    def greedy(self, src, src_len, max_len):
        out, keys, pad, state = self.encode(src, src_len)
        y = torch.full((src.shape[0],), SOS, dtype=torch.long)
        tokens = []
        for _ in range(max_len):
            state, _ = self.step(y, out, keys, pad, state)
            y = self.out(state[0]).argmax(1)
            tokens.append(y)
            done = done | (y == EOS) if tokens[1:] else y == EOS
            if bool(done.all()):  # as attnlab's greedy: stop once every row has ended
                break
        return torch.stack(tokens, 1)


def random_batch(a, g):
    """Full-length sources and targets of random tokens, as bench_train_step."""
    src = torch.randint(4, a.src_vocab, (a.batch, a.src_len), generator=g)
    tgt = torch.randint(4, a.tgt_vocab, (a.batch, a.tgt_len - 1), generator=g)
    sos = torch.full((a.batch, 1), SOS, dtype=torch.long)
    eos = torch.full((a.batch, 1), EOS, dtype=torch.long)
    return src, [a.src_len] * a.batch, torch.cat([sos, tgt], 1), torch.cat([tgt, eos], 1)


def timed(f, n):
    f()  # warm-up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def read_pairs(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t")[:2] for line in f if line.strip()]


class Trainer:
    """Training on a source<TAB>target file as attnlab train does: batches of
    64 grouped by length, Adam at lr 0.002, gradient norm clipped at 5.
    `split` turns a side into tokens (characters, or space-separated words)."""

    def __init__(self, a, pairs, split):
        self.split, self.pairs = split, [(split(s), split(t)) for s, t in pairs]
        specials = ["<pad>", "<unk>", "<sos>", "<eos>"]  # a vocabulary for each side, as attnlab
        self.src_words = specials + sorted({w for s, _ in self.pairs for w in s})
        self.words = specials + sorted({w for _, t in self.pairs for w in t})
        self.src_ids = {w: i for i, w in enumerate(self.src_words) if i >= 4}
        self.ids = {w: i for i, w in enumerate(self.words) if i >= 4}
        self.m = Model(a.model, a.embed, a.hidden, a.attn, len(self.src_words), len(self.words))
        self.opt = torch.optim.Adam(self.m.parameters(), lr=0.002)
        self.rng = random.Random(a.seed)

    def enc(self, tokens, ids=None):
        return [(ids or self.ids).get(w, 1) for w in tokens]

    @staticmethod
    def pad(rows):
        width = max(len(r) for r in rows)
        return torch.tensor([r + [PAD] * (width - len(r)) for r in rows], dtype=torch.long)

    def epoch(self):
        """Yields after each step of one pass over the data."""
        order = list(range(len(self.pairs)))
        self.rng.shuffle(order)
        batches = []
        for k in range(0, len(order), 64 * 50):  # sort chunks of 50 batches by length
            chunk = sorted(order[k:k + 64 * 50], key=lambda i: len(self.pairs[i][0]))
            batches += [chunk[j:j + 64] for j in range(0, len(chunk), 64)]
        self.rng.shuffle(batches)
        for idx in batches:
            src = [self.enc(self.pairs[i][0], self.src_ids) for i in idx]
            tgt = [self.enc(self.pairs[i][1]) for i in idx]
            self.opt.zero_grad()
            self.m.loss(self.pad(src), [len(x) for x in src], self.pad([[SOS] + y for y in tgt]),
                        self.pad([y + [EOS] for y in tgt])).backward()
            nn.utils.clip_grad_norm_(self.m.parameters(), 5.0)
            self.opt.step()
            yield

    def translate(self, sources, max_len=None):
        """Greedy outputs (token lists, cut at <eos>) for lists of source tokens."""
        self.m.eval()
        out = []
        for k in range(0, len(sources), 64):
            src = [self.enc(s, self.src_ids) or [1] for s in sources[k:k + 64]]
            n = max_len or 2 * max(len(x) for x in src) + 10
            for row in self.m.greedy(self.pad(src), [len(x) for x in src], n).tolist():
                row = row[:row.index(EOS)] if EOS in row else row
                out.append([self.words[i] for i in row])
        self.m.train()
        return out


def race(a):
    """Seconds of training until greedy exact accuracy on VALID reaches the target."""
    valid = read_pairs(a.race[1])
    tr = Trainer(a, read_pairs(a.race[0]), list)
    sources, refs = [list(s) for s, _ in valid], [list(t) for _, t in valid]
    t0, step, history = time.perf_counter(), 0, []
    while True:
        for _ in tr.epoch():
            step += 1
            if step % a.valid_every:
                continue
            acc = sum(h == r for h, r in zip(tr.translate(sources, max(map(len, refs)) + 1), refs))
            acc /= len(valid)
            seconds = time.perf_counter() - t0
            history.append([step, round(seconds, 1), acc])
            print(f"step {step}  {seconds:.0f} s  exact {100 * acc:.2f}%", file=sys.stderr)
            if acc >= a.target or seconds > a.budget:
                print(json.dumps({"framework": "pytorch", "reached": acc >= a.target,
                                  "seconds": seconds, "steps": step, "exact": acc,
                                  "history": history, "threads": a.threads}))
                return


def epochs(a):
    """--epochs-on TRAIN TEST OUT: train on space-separated words for --epochs
    epochs, then write greedy translations of TEST's sources to OUT."""
    train_file, test_file, out_file = a.epochs_on
    tr = Trainer(a, read_pairs(train_file), str.split)
    t0, step = time.perf_counter(), 0
    for e in range(a.epochs):
        for _ in tr.epoch():
            step += 1
            if step % 200 == 0:
                print(f"epoch {e + 1} step {step}  {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    hyps = tr.translate([s.split() for s, _ in read_pairs(test_file)])
    with open(out_file, "w", encoding="utf-8") as f:
        f.writelines(" ".join(h) + "\n" for h in hyps)
    print(json.dumps({"framework": "pytorch", "train_seconds": seconds, "steps": step,
                      "translate_seconds": time.perf_counter() - t1, "threads": a.threads}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="attention", choices=["attention", "seq2seq"])
    for name, default in [("embed", 64), ("hidden", 128), ("attn", 128), ("batch", 64),
                          ("src-len", 30), ("tgt-len", 12), ("src-vocab", 40),
                          ("tgt-vocab", 15), ("steps", 10), ("decode-steps", 5), ("threads", 1)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--race", nargs=2, metavar=("TRAIN", "VALID"))
    p.add_argument("--epochs-on", nargs=3, metavar=("TRAIN", "TEST", "OUT"))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--valid-every", type=int, default=100)
    p.add_argument("--target", type=float, default=0.99)
    p.add_argument("--budget", type=float, default=1200)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.race:
        return race(a)
    if a.epochs_on:
        return epochs(a)
    m = Model(a.model, a.embed, a.hidden, a.attn, a.src_vocab, a.tgt_vocab)
    opt = torch.optim.Adam(m.parameters())
    src, src_len, tgt_in, tgt_out = random_batch(a, torch.Generator().manual_seed(1))

    def train_step():
        opt.zero_grad()
        m.loss(src, src_len, tgt_in, tgt_out).backward()
        opt.step()

    train_ms = timed(train_step, a.steps)
    with torch.no_grad():  # <eos> never wins: greedy decodes exactly Ty tokens, as attnlab's side
        m.out.bias[EOS] = -1e9
    decode_ms = timed(lambda: m.greedy(src, src_len, a.tgt_len), a.decode_steps)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"framework": "pytorch", "train_ms": train_ms, "decode_ms": decode_ms,
                      "peak_rss_mb": peak, "threads": a.threads}))


if __name__ == "__main__":
    main()
