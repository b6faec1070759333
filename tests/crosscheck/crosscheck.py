#!/usr/bin/python3
"""Cross-check attnlab against an independent PyTorch implementation.

Usage: crosscheck.py DIR      (DIR written by build/tests/crosscheck_export)

Rebuilds the plain seq2seq, the (Bahdanau) attention or the Luong model of
docs/MODEL_SPEC.md, with LSTM or GRU cells, in PyTorch, written from the
spec alone, loads DIR/checkpoint/*.npy into it (every
file must be used and every parameter loaded) and checks, in float32:
  - the teacher-forced loss on the batch of DIR/expected.json   (rel 1e-5)
  - the gradient of that loss w.r.t. every parameter, against DIR/grads/NAME.npy
    (|a-b| <= 1e-5 + 1e-4 * max|b| per tensor; the worst element is reported)
  - greedy decoding of every source: tokens and `finished` exactly, and the
    attention weights of every step, <eos> step included             (abs 1e-5)
Exit status: 0 all agree, 1 something differs (named), 2 usage or I/O error.
Run it with Debian's /usr/bin/python3 (numpy and torch).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, UNK, SOS, EOS = 0, 1, 2, 3
LOSS_RTOL, GRAD_ATOL, GRAD_RTOL, ATTN_ATOL = 1e-5, 1e-5, 1e-4, 1e-5
COSINE_EPS = 1e-8


class IOProblem(Exception):
    """Usage or I/O error: exit status 2."""


# ---- score functions: s (B, D), h (B, Tx, 2H) -> e (B, Tx) -----------------

def score_dot(att, s, h):
    return torch.einsum("bd,btd->bt", s, h)


def score_scaled_dot(att, s, h):
    return score_dot(att, s, h) / math.sqrt(h.shape[-1])


def score_general(att, s, h):
    return torch.einsum("bd,btd->bt", s, att.linear(h))  # s . (W_a h)


def score_additive(att, s, h):
    s_rep = s.unsqueeze(1).expand(-1, h.shape[1], -1)
    return att.out(torch.tanh(att.hidden(torch.cat([s_rep, h], dim=-1)))).squeeze(-1)


def score_cosine(att, s, h):
    ns = s.norm(dim=-1).clamp_min(COSINE_EPS)  # max(norm(s), eps)
    nh = h.norm(dim=-1).clamp_min(COSINE_EPS)
    return score_dot(att, s, h) / (ns.unsqueeze(1) * nh)


def score_location(att, s, h):
    if h.shape[1] > att.location.out_features:
        raise ValueError(f"source length {h.shape[1]} > Lmax {att.location.out_features}")
    return att.location(s)[:, : h.shape[1]]


SCORES = {"dot": score_dot, "scaled_dot": score_scaled_dot, "general": score_general,
          "additive": score_additive, "concat": score_additive,
          "cosine": score_cosine, "location": score_location}


# ---- the models -----------------------------------------------------------

def make_attention_params(score, D, H2, A, Lmax):
    att = nn.Module()
    if score == "general":
        att.linear = nn.Linear(H2, D, bias=False)  # weight (D, 2H)
    elif score in ("additive", "concat"):
        att.hidden = nn.Linear(D + H2, A)  # weight (A, D+2H) acting on [s; h]
        att.out = nn.Linear(A, 1)
    elif score == "location":
        att.location = nn.Linear(D, Lmax)
    elif score in ("dot", "scaled_dot", "cosine") and D != H2:
        raise ValueError(f"score {score} needs decoder_hidden {D} == 2*hidden {H2}")
    return att


RNNS = {"lstm": (nn.LSTM, nn.LSTMCell), "gru": (nn.GRU, nn.GRUCell)}


class Model(nn.Module):
    """A decoder state is a tuple: (s, c) for an LSTM, (s,) for a GRU, and
    Luong's model carries h~ after them."""

    def __init__(self, cfg):
        super().__init__()
        self.kind, self.score = cfg["model"], cfg["score"]
        self.cell = cfg.get("cell", "lstm")
        E, H, D = cfg["embed"], cfg["hidden"], cfg["decoder_hidden"]
        if self.kind not in ("seq2seq", "attention", "luong"):
            raise ValueError(f"unknown model {self.kind!r}")
        if self.cell not in RNNS:
            raise ValueError(f"unknown cell {self.cell!r}")
        self.init_from_encoder = self.kind == "seq2seq" or cfg["decoder_init"] == "encoder"
        if self.init_from_encoder and D != 2 * H:
            raise ValueError(f"decoder starting from the encoder state needs D {D} == 2H {2 * H}")
        rnn, cell = RNNS[self.cell]
        self.encoder = nn.Module()
        self.encoder.embedding = nn.Embedding(cfg["src_vocab"], E)
        setattr(self.encoder, self.cell, rnn(E, H, bidirectional=True, batch_first=True))
        self.decoder = nn.Module()
        self.decoder.embedding = nn.Embedding(cfg["tgt_vocab"], E)
        inputs = {"seq2seq": E, "attention": 2 * H + E, "luong": E + D}[self.kind]
        setattr(self.decoder, self.cell, cell(inputs, D))
        self.decoder.out = nn.Linear(D, cfg["tgt_vocab"])
        if self.kind != "seq2seq":
            if self.score not in SCORES:
                raise ValueError(f"unknown score {self.score!r}")
            self.decoder.attention = make_attention_params(
                self.score, D, 2 * H, cfg["attention_hidden"], cfg["max_source_length"])
        if self.kind == "luong":
            self.decoder.combine = nn.Linear(2 * H + D, D, bias=False)  # W_c [context; s_t]
        self.D = D

    def encode(self, src, lengths):
        """Packed bidirectional RNN: outputs (B, Tx, 2H), zero at padding; initial state."""
        packed = pack_padded_sequence(self.encoder.embedding(src), lengths, batch_first=True,
                                      enforce_sorted=False)
        out, final = getattr(self.encoder, self.cell)(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        B = src.shape[0]
        finals = final if self.cell == "lstm" else (final,)
        if self.init_from_encoder:  # [fwd_final; bwd_final]
            state = tuple(torch.cat([f[0], f[1]], -1) for f in finals)
        else:
            state = tuple(torch.zeros(B, self.D) for _ in finals)
        if self.kind == "luong":
            state = state + (torch.zeros(B, self.D),)  # h~_0 = 0
        return out, state

    def attend(self, query, enc, mask):
        e = SCORES[self.score](self.decoder.attention, query, enc)
        alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)  # exactly 0 at pads
        return torch.einsum("bt,btd->bd", alpha, enc), alpha

    def cell_step(self, x, state):
        """The decoder cell on input x from state (s, c) or (s,); returns the new one."""
        out = getattr(self.decoder, self.cell)(x, state if self.cell == "lstm" else state[0])
        return out if self.cell == "lstm" else (out,)

    def step(self, y_prev, state, enc, mask):
        """One decoder step: returns logits (B, Vt), new state, attention (B, Tx) or None."""
        emb = self.decoder.embedding(y_prev)
        if self.kind == "seq2seq":
            state = self.cell_step(emb, state)
            return self.decoder.out(state[0]), state, None
        if self.kind == "attention":  # s_{t-1} attends; the context is fed, first
            context, alpha = self.attend(state[0], enc, mask)
            state = self.cell_step(torch.cat([context, emb], dim=-1), state)
            return self.decoder.out(state[0]), state, alpha
        # luong: input feeding [emb; h~_{t-1}]; s_t attends; h~_t = tanh(W_c [context; s_t])
        cell_state = self.cell_step(torch.cat([emb, state[-1]], dim=-1), state[:-1])
        context, alpha = self.attend(cell_state[0], enc, mask)
        h_tilde = torch.tanh(self.decoder.combine(torch.cat([context, cell_state[0]], dim=-1)))
        return self.decoder.out(h_tilde), cell_state + (h_tilde,), alpha


def pad(seqs, value=PAD):
    width = max(len(q) for q in seqs)
    return torch.tensor([list(q) + [value] * (width - len(q)) for q in seqs], dtype=torch.long)


def batch_loss(model, srcs, tgts):
    lengths = torch.tensor([len(x) for x in srcs])
    src = pad(srcs)
    enc, state = model.encode(src, lengths)
    mask = src != PAD
    inputs, targets = pad([[SOS] + list(y) for y in tgts]), pad([list(y) + [EOS] for y in tgts])
    total = torch.zeros(())
    for t in range(targets.shape[1]):
        logits, state, _ = model.step(inputs[:, t], state, enc, mask)
        nll = F.cross_entropy(logits, targets[:, t], reduction="none")
        total = total + (nll * (targets[:, t] != PAD)).sum()
    return total / (targets != PAD).sum()


@torch.no_grad()
def greedy(model, src, max_len):
    """Greedy decoding of one source: tokens (no <eos>), finished, attention rows."""
    enc, state = model.encode(torch.tensor([src]), torch.tensor([len(src)]))
    mask = torch.ones(1, len(src), dtype=torch.bool)
    y, tokens, rows = torch.tensor([SOS]), [], []
    for _ in range(max_len):
        logits, state, alpha = model.step(y, state, enc, mask)
        if alpha is not None:
            rows.append(alpha[0].tolist())
        y = logits.argmax(dim=-1)
        if y.item() == EOS:
            return tokens, True, rows
        tokens.append(y.item())
    return tokens, False, rows


# ---- loading and comparing ------------------------------------------------

def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise IOProblem(f"cannot read {path}: {e}")


def read_npy_dir(folder):
    try:
        names = sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".npy"))
    except OSError as e:
        raise IOProblem(f"cannot list {folder}: {e}")
    arrays = {}
    for n in names:
        path = os.path.join(folder, n + ".npy")
        try:
            arrays[n] = np.load(path)
        except (OSError, ValueError) as e:
            raise IOProblem(f"cannot read {path}: {e}")
    return arrays


def check_names(kind, params, arrays, failures):
    """Every parameter has a float32 file of its shape, every file is a parameter.
    Returns whether every parameter has a usable file."""
    for n in sorted(set(arrays) - set(params)):
        failures.append(f"{kind}: {n}.npy matches no parameter of the model")
    usable = True
    for n in params:
        a = arrays.get(n)
        if a is None:
            failures.append(f"{kind}: no {n}.npy for parameter {n}")
        elif a.dtype != np.float32 or tuple(a.shape) != tuple(params[n].shape):
            failures.append(f"{kind}: {n}.npy is {a.dtype}{list(a.shape)}, "
                            f"expected float32{list(params[n].shape)}")
        else:
            continue
        usable = False
    return usable


def compare_grads(params, grads, failures):
    worst_ratio, lines = 0.0, []
    for n, p in params.items():
        ours, theirs = p.grad.numpy(), grads[n]
        err = np.abs(ours.astype(np.float64) - theirs)
        tol = GRAD_ATOL + GRAD_RTOL * float(np.abs(theirs).max())
        i = np.unravel_index(int(err.argmax()), err.shape)
        worst_ratio = max(worst_ratio, float(err[i]) / tol)
        if err[i] > tol:
            failures.append(f"gradient of {n}: max error {err[i]:.3g} > tol {tol:.3g} at index "
                            f"{list(map(int, i))} (pytorch {ours[i]:.8g}, attnlab {theirs[i]:.8g})")
        lines.append((float(err[i]), n))
    e, n = max(lines)
    print(f"gradients: {len(params)} tensors, max abs error {e:.3g} ({n}), "
          f"worst error/tolerance {worst_ratio:.3g}")


def compare_greedy(model, exp, failures):
    max_err, steps = 0.0, 0
    for b, (src, want) in enumerate(zip(exp["src"], exp["greedy"])):
        tokens, finished, rows = greedy(model, src, exp["max_len"])
        if tokens != want["tokens"] or finished != want["finished"]:
            failures.append(f"greedy source {b}: pytorch {tokens} finished={finished}, "
                            f"attnlab {want['tokens']} finished={want['finished']}")
        if len(rows) != len(want["attention"]):
            failures.append(f"greedy source {b}: {len(rows)} attention rows, attnlab "
                            f"{len(want['attention'])}")
        for t, (r, w) in enumerate(zip(rows, want["attention"])):
            if len(r) != len(w):
                failures.append(f"attention source {b} step {t}: {len(w)} weights, expected {len(r)}")
                continue
            err = np.abs(np.array(r) - np.array(w))
            j = int(err.argmax())
            max_err, steps = max(max_err, float(err[j])), steps + 1
            if err[j] > ATTN_ATOL:
                failures.append(f"attention source {b} step {t} position {j}: pytorch {r[j]:.8g}, "
                                f"attnlab {w[j]:.8g} (error {err[j]:.3g} > {ATTN_ATOL})")
    if len(exp["greedy"]) != len(exp["src"]):
        failures.append(f"{len(exp['greedy'])} greedy results for {len(exp['src'])} sources")
    print(f"greedy: {len(exp['src'])} sources, tokens/finished compared exactly; "
          f"attention {steps} rows, max abs error {max_err:.3g}")


def main(argv):
    if len(argv) != 2:
        raise IOProblem("usage: crosscheck.py DIR  (DIR written by crosscheck_export)")
    root = argv[1]
    cfg = read_json(os.path.join(root, "checkpoint", "config.json"))
    exp = read_json(os.path.join(root, "expected.json"))
    keys = ["model", "cell", "score", "embed", "hidden", "decoder_hidden", "attention_hidden",
            "decoder_init", "max_source_length", "src_vocab", "tgt_vocab"]
    missing = [k for k in keys if k not in cfg]
    if missing:
        raise IOProblem(f"{os.path.join(root, 'checkpoint', 'config.json')}: no key(s) {missing}")
    if not all(k in exp for k in ("src", "tgt", "max_len", "loss", "greedy")):
        raise IOProblem(f"{os.path.join(root, 'expected.json')}: needs src, tgt, max_len, "
                        "loss and greedy")
    weights = read_npy_dir(os.path.join(root, "checkpoint"))
    grads = read_npy_dir(os.path.join(root, "grads"))
    failures = []
    try:
        model = Model(cfg)
    except ValueError as e:
        failures.append(f"config: {e}")
        return finish(cfg, failures)
    params = dict(model.named_parameters())
    print(f"model: {cfg['model']} cell={model.cell} "
          f"score={model.score if cfg['model'] != 'seq2seq' else '-'} "
          f"decoder_init={'encoder' if model.init_from_encoder else 'zero'}, "
          f"{len(params)} parameters")
    if not check_names("checkpoint", params, weights, failures):
        return finish(cfg, failures)
    with torch.no_grad():
        for n, p in params.items():
            p.copy_(torch.from_numpy(weights[n]))
    print(f"checkpoint: {len(weights)} .npy files, every parameter loaded from its file")

    loss = batch_loss(model, exp["src"], exp["tgt"])
    loss.backward()
    rel = abs(loss.item() - exp["loss"]) / abs(exp["loss"])
    print(f"loss: pytorch {loss.item():.9g}, attnlab {exp['loss']:.9g}, rel error {rel:.3g}")
    if not rel <= LOSS_RTOL:
        failures.append(f"loss: pytorch {loss.item():.9g}, attnlab {exp['loss']:.9g}, "
                        f"rel error {rel:.3g} > {LOSS_RTOL}")
    if check_names("grads", params, grads, failures):
        compare_grads(params, grads, failures)
    compare_greedy(model, exp, failures)
    return finish(cfg, failures)


def finish(cfg, failures):
    what = f"{cfg.get('model')}/{cfg.get('score')}/{cfg.get('decoder_init')}@{cfg.get('cell')}"
    if failures:
        for f in failures:
            print("MISMATCH " + f)
        print(f"FAIL {what}: {len(failures)} mismatch(es) between attnlab and PyTorch")
        return 1
    print(f"OK {what}: attnlab agrees with PyTorch")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except IOProblem as e:
        print(f"crosscheck.py: {e}", file=sys.stderr)
        sys.exit(2)
