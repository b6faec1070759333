#!/usr/bin/python3
"""The eng-fra study: plain seq2seq and attention on real sentences, attnlab
against PyTorch on the same split, tokens, sizes and epochs. Run it through
scripts/engfra.sh, which builds attnlab and installs what is missing.

1. A fixed split of ../shared/data/eng-fra.tsv: a shuffle with seed 1, every
   20th pair held out for testing.
2. `attnlab compare` trains both models side by side (one core each) with the
   defaults for a file (sentencepiece tokens, vocabulary sizes by the README's
   rule) at E = H = A = SIZE, and judges them on the held-out pairs by source
   length; its report shows heatmaps of real sentences.
3. PyTorch (bench/torch_reference.py --epochs-on) trains the same two models
   on the same sentencepiece pieces (read from attnlab's checkpoint with
   Python's sentencepiece), side by side too, at its fastest setting (one
   thread, glibc told to keep its memory).
4. Both are scored the same way: detokenized greedy output against the raw
   references with `attnlab bleu` (sacreBLEU's 13a BLEU), and exact match of
   the text. The figures go into BENCHMARKS.md between the markers below.
"""
import argparse
import datetime
import glob
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "build", "attnlab")
DATA = os.path.join(ROOT, "..", "shared", "data", "eng-fra.tsv")
TORCH = os.path.join(ROOT, "bench", "torch_reference.py")
TUNED = {"MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_TRIM_THRESHOLD_": "1000000000"}
BEGIN, END = "<!-- scripts/engfra.sh: begin -->", "<!-- scripts/engfra.sh: end -->"
MODELS = ["seq2seq", "attention"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def split(out_dir, test_every):
    pairs = []
    with open(DATA, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0].strip() and cols[1].strip():
                pairs.append((cols[0], cols[1]))
    random.Random(1).shuffle(pairs)
    test = pairs[::test_every]
    train = [p for i, p in enumerate(pairs) if i % test_every]
    files = {}
    for name, ps in (("train", train), ("test", test)):
        files[name] = os.path.join(out_dir, name + ".tsv")
        with open(files[name], "w", encoding="utf-8") as f:
            f.writelines(f"{a}\t{b}\n" for a, b in ps)
    files["refs"] = os.path.join(out_dir, "test.fr")
    with open(files["refs"], "w", encoding="utf-8") as f:
        f.writelines(b + "\n" for _, b in test)
    return train, test, files


def bleu(refs_file, hyps_file):
    out = subprocess.run([CLI, "bleu", "--ref", refs_file, "--hyp", hyps_file, "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def pytorch(a, files, test, ckpt, out_dir):
    """Both models at once, one thread each, on attnlab's sentencepiece pieces."""
    import sentencepiece as spm
    sp = {side: spm.SentencePieceProcessor(model_file=os.path.join(ckpt, side + "_sentencepiece.model"))
          for side in ("src", "tgt")}
    pieces = {}
    for name in ("train", "test"):
        pieces[name] = os.path.join(out_dir, name + ".pieces.tsv")
        with open(files[name], encoding="utf-8") as f, open(pieces[name], "w", encoding="utf-8") as o:
            for line in f:
                s, t = line.rstrip("\n").split("\t")[:2]
                o.write(" ".join(sp["src"].encode(s, out_type=str)) + "\t" +
                        " ".join(sp["tgt"].encode(t, out_type=str)) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(TUNED)
    procs = {}
    for m in MODELS:
        hyp = os.path.join(out_dir, f"pytorch-{m}.pieces")
        cmd = [sys.executable, TORCH, "--model", m, "--epochs-on", pieces["train"], pieces["test"],
               hyp, "--epochs", str(a.epochs), "--embed", str(a.size), "--hidden", str(a.size),
               "--attn", str(a.size), "--threads", "1"]
        procs[m] = (subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True), hyp)
    results = {}
    for m, (p, hyp) in procs.items():
        out, _ = p.communicate()
        if p.returncode:
            sys.exit(f"pytorch {m} failed")
        r = json.loads(out.strip().splitlines()[-1])
        text = os.path.join(out_dir, f"pytorch-{m}.txt")
        with open(hyp, encoding="utf-8") as f, open(text, "w", encoding="utf-8") as o:
            hyps = [sp["tgt"].decode(line.split()) for line in f]
            o.writelines(h + "\n" for h in hyps)
        r["bleu"] = bleu(files["refs"], text)["score"]
        r["exact"] = sum(h == t for h, (_, t) in zip(hyps, test)) / len(test)
        results[m] = r
        log(f"  pytorch {m}: {r['train_seconds']:.0f} s, BLEU {r['bleu']:.2f}")
    return results


def attnlab(a, files, out_dir):
    out = os.path.join(out_dir, "compare")
    cmd = [CLI, "compare", "--train", files["train"], "--test", files["test"], "--models",
           ",".join(MODELS), "--epochs", str(a.epochs), "--embed", str(a.size), "--hidden",
           str(a.size), "--attention-hidden", str(a.size), "--heatmaps", "6", "--out", out]
    log("$ " + " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd))
    t0 = time.time()
    subprocess.run(cmd, check=True)
    wall = time.time() - t0
    with open(os.path.join(out, "results.json"), encoding="utf-8") as f:
        r = json.load(f)
    return r, wall, out


def fmt_row(cells):
    return "| " + " | ".join(cells) + " |"


def report(a, r, wall, theirs, n_train, n_test, out):
    ours = {m["name"].split(":")[0]: m for m in r["models"]}
    date = datetime.date.today().isoformat()
    lines = [
        f"`scripts/engfra.sh` ({date}; {a.epochs} epochs, E = H = A = {a.size}, "
        f"{n_train:,} training pairs of `../shared/data/eng-fra.tsv`, every 20th pair of a "
        f"fixed shuffle held out: {n_test:,}). Both frameworks train on the same "
        "sentencepiece pieces (attnlab's defaults for a file; PyTorch reads attnlab's models "
        "with Python's sentencepiece), with Adam at lr 0.002, batch 64, clip 5, two runs at a "
        "time, one core each. BLEU is sacreBLEU's 13a BLEU of the detokenized greedy output "
        f"against the raw references (`{r.get('sacrebleu_signature', 'tok:13a')}`), "
        "computed by `attnlab bleu` for both; exact is the share of outputs equal to the "
        "reference text.",
        "",
        fmt_row(["model", "framework", "training seconds", "BLEU (13a)", "exact"]),
        "|---|---|---|---|---|",
    ]
    for m in MODELS:
        s = ours[m]["summary"]
        lines.append(fmt_row([m, "attnlab", f"{s['seconds']['mean']:.0f}",
                              f"{s['sacrebleu']['mean']:.2f}",
                              f"{100 * s['exact_accuracy']['mean']:.1f}%"]))
        t = theirs[m]
        lines.append(fmt_row([m, "pytorch", f"{t['train_seconds']:.0f}", f"{t['bleu']:.2f}",
                              f"{100 * t['exact']:.1f}%"]))
    lines += ["", "attnlab by source length (sentencepiece pieces), from `compare`'s report:", "",
              fmt_row(["source pieces", "sentences"] + [f"{m} BLEU" for m in MODELS] +
                      [f"{m} exact" for m in MODELS]),
              "|---|---|" + "---|" * (2 * len(MODELS))]
    for k, b in enumerate(r["buckets"]):
        rng = str(b["min_length"]) if b["min_length"] == b["max_length"] else \
            f"{b['min_length']}-{b['max_length']}"
        row = [rng, str(b.get("sentences", ""))]
        row += [f"{ours[m]['by_length'][k]['sacrebleu']['mean']:.1f}" for m in MODELS]
        row += [f"{100 * ours[m]['by_length'][k]['exact_accuracy']['mean']:.1f}%" for m in MODELS]
        lines.append(fmt_row(row))
    lines += ["", f"The whole study took {wall / 60:.0f} minutes for attnlab's side "
              f"(splitting, sentencepiece, training, judging); the report with heatmaps of real "
              f"sentences is `{os.path.relpath(out, ROOT)}/report.html`."]
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--no-pytorch", action="store_true", help="attnlab's side only")
    a = p.parse_args()
    out_dir = os.path.join(ROOT, "build", "engfra")
    os.makedirs(out_dir, exist_ok=True)
    train, test, files = split(out_dir, 20)
    log(f"eng-fra: {len(train)} training pairs, {len(test)} held out")
    r, wall, out = attnlab(a, files, out_dir)
    if a.no_pytorch:
        return
    ckpt = sorted(glob.glob(os.path.join(out, "attention*", "seed1")))[0]
    theirs = pytorch(a, files, test, ckpt, out_dir)
    text = report(a, r, wall, theirs, len(train), len(test), out)
    print(text)
    path = os.path.join(ROOT, "BENCHMARKS.md")
    with open(path, encoding="utf-8") as f:
        md = f.read()
    if BEGIN in md:
        md = md[:md.index(BEGIN) + len(BEGIN)] + "\n" + text + "\n" + md[md.index(END):]
    else:
        md += "\n## Real sentences: eng-fra\n\n" + BEGIN + "\n" + text + "\n" + END + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(md)
    log(f"BENCHMARKS.md: the eng-fra section rewritten")


if __name__ == "__main__":
    main()
