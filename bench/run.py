#!/usr/bin/python3
"""attnlab against PyTorch, side by side on this machine, and the tables of
BENCHMARKS.md rewritten from what was measured. Run it through bench/run.sh.

For each size and model: PyTorch is first tried at each setting it could be
run with (1 or all intra-op threads; glibc's allocator as is, or told to keep
its memory with MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_), the fastest
setting is kept, and then attnlab (as a user runs it: no environment, its
default threads) and that PyTorch setting are timed in alternation.
"""
import argparse
import collections
import json
import math
import random
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ATTNLAB = os.path.join(ROOT, "build", "bench_train_step")
TORCH = [sys.executable, os.path.join(ROOT, "bench", "torch_reference.py")]
TUNED = {"MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_TRIM_THRESHOLD_": "1000000000"}
CORES = os.cpu_count() or 1

#          E    H    D     A    B   Tx  Ty  Vs     Vt     steps
SIZES = {
    "S": (64, 128, 256, 128, 64, 30, 12, 40, 15, 10),
    "M": (128, 256, 512, 256, 64, 30, 20, 8000, 8000, 6),
    "L": (256, 512, 1024, 512, 64, 50, 50, 16000, 16000, 3),
}
BEGIN, END = "<!-- bench/run.sh: begin -->", "<!-- bench/run.sh: end -->"


def size_args(size):
    E, H, _, A, B, Tx, Ty, Vs, Vt, steps = SIZES[size]
    return ["--embed", E, "--hidden", H, "--attn", A, "--batch", B, "--src-len", Tx,
            "--tgt-len", Ty, "--src-vocab", Vs, "--tgt-vocab", Vt, "--steps", steps,
            "--decode-steps", max(2, steps // 2)]


def run(cmd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(env_extra or {})
    out = subprocess.run([str(c) for c in cmd], env=env, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def measure(size, model, runs):
    args = ["--model", model] + size_args(size)
    settings = [(t, tuned) for t in sorted({1, CORES}) for tuned in (False, True)]
    tried = {}
    for t, tuned in settings:  # find PyTorch's fastest setting
        r = run(TORCH + args + ["--threads", t], TUNED if tuned else None)
        tried[(t, tuned)] = r
        log(f"  {size} {model}: pytorch threads={t} {'tuned' if tuned else 'default'} "
            f"{r['train_ms']:.1f} ms/step")
    best = min(tried, key=lambda k: tried[k]["train_ms"])
    ours, theirs = [], [tried[best]]
    for i in range(runs):  # alternate, so drifts in the machine hit both
        ours.append(run([ATTNLAB] + args))
        log(f"  {size} {model}: attnlab {ours[-1]['train_ms']:.1f} ms/step")
        if i + 1 < runs:
            theirs.append(run(TORCH + args + ["--threads", best[0]], TUNED if best[1] else None))
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    return {
        "size": size, "model": model,
        "attnlab": {k: med(ours, k) for k in ("train_ms", "decode_ms", "peak_rss_mb",
                                              "gemm_gflop_per_step", "decode_gemm_gflop")},
        "attnlab_threads": ours[0]["threads"],
        "pytorch": {k: med(theirs, k) for k in ("train_ms", "decode_ms", "peak_rss_mb")},
        "pytorch_setting": {"threads": best[0], "malloc_tuned": best[1]},
        "pytorch_tried": {f"threads={t},{'tuned' if tu else 'default'}": r["train_ms"]
                          for (t, tu), r in tried.items()},
        "runs": runs,
    }


RACE = dict(n=20000, valid=500, min_len=10, max_len=28, embed=32, hidden=64, attn=64,
            valid_every=100, target=0.99, budget=1200)


def race(setting):
    """Seconds until 99% exact on held-out reverse, attnlab then PyTorch, same data and model."""
    cli = os.path.join(ROOT, "build", "attnlab")
    d = os.path.join(ROOT, "build", "bench", "race")
    os.makedirs(d, exist_ok=True)
    files = {}
    for name, n, seed in (("train", RACE["n"], 1), ("valid", RACE["valid"], 2)):
        files[name] = os.path.join(d, name + ".tsv")
        subprocess.run([cli, "data", "reverse", "--n", str(n), "--seed", str(seed), "--min-len",
                        str(RACE["min_len"]), "--max-len", str(RACE["max_len"]), "--out",
                        files[name]], check=True)
    save = os.path.join(d, "attnlab")
    metrics = save + ".metrics.jsonl"
    if os.path.exists(metrics):  # a new run starts its own log, but do not read an old one
        os.remove(metrics)
    cmd = [cli, "train", "--train", files["train"], "--valid", files["valid"], "--src-tokenizer",
           "char", "--tgt-tokenizer", "char", "--embed", str(RACE["embed"]), "--hidden",
           str(RACE["hidden"]), "--attention-hidden", str(RACE["attn"]), "--valid-every",
           str(RACE["valid_every"]), "--epochs", "1000", "--save", save]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours, history = None, []
    try:
        while ours is None and proc.poll() is None:
            time.sleep(0.5)
            if not os.path.exists(metrics):
                continue
            for line in open(metrics):
                r = json.loads(line)
                if "valid_exact_accuracy" not in r or [r["step"], r["elapsed"]] in [h[:2] for h in history]:
                    continue
                history.append([r["step"], round(r["elapsed"], 1), r["valid_exact_accuracy"]])
                log(f"  race: attnlab step {r['step']} {r['elapsed']:.0f} s exact "
                    f"{100 * r['valid_exact_accuracy']:.2f}%")
                if r["valid_exact_accuracy"] >= RACE["target"] or r["elapsed"] > RACE["budget"]:
                    ours = {"reached": r["valid_exact_accuracy"] >= RACE["target"],
                            "seconds": r["elapsed"], "steps": r["step"],
                            "exact": r["valid_exact_accuracy"], "history": history}
                    break
    finally:
        proc.terminate()
        proc.wait()
    theirs = run(TORCH + ["--race", files["train"], files["valid"], "--embed", RACE["embed"],
                          "--hidden", RACE["hidden"], "--attn", RACE["attn"], "--valid-every",
                          RACE["valid_every"], "--target", RACE["target"], "--budget",
                          RACE["budget"], "--threads", setting["threads"]],
                 TUNED if setting["malloc_tuned"] else None)
    return {"attnlab": ours, "pytorch": theirs, "pytorch_setting": setting}


ENGFRA = dict(file=os.path.join(ROOT, "..", "shared", "data", "eng-fra.tsv"), test_every=20,
              epochs=3, embed=128, hidden=128, attn=128)


def corpus_bleu(hyps, refs):
    """Corpus BLEU-4, unsmoothed, with the brevity penalty: the same sum for both."""
    match, total, hl, rl = [0] * 4, [0] * 4, 0, 0
    for h, r in zip(hyps, refs):
        hl, rl = hl + len(h), rl + len(r)
        for n in range(1, 5):
            hc = collections.Counter(tuple(h[i:i + n]) for i in range(len(h) - n + 1))
            rc = collections.Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
            match[n - 1] += sum(min(c, rc[g]) for g, c in hc.items())
            total[n - 1] += max(len(h) - n + 1, 0)
    if min(match) == 0:
        return 0.0
    bp = 1.0 if hl >= rl else math.exp(1 - rl / max(hl, 1))
    return 100 * bp * math.exp(sum(math.log(m / t) for m, t in zip(match, total)) / 4)


def engfra(setting):
    """3 epochs of eng-fra at word level, both frameworks on the same tokens and
    split, and the BLEU of each one's greedy translations of the held-out part."""
    d = os.path.join(ROOT, "build", "bench", "engfra")
    os.makedirs(d, exist_ok=True)
    with open(ENGFRA["file"], encoding="utf-8") as f:  # tokenized by attnlab's word tokenizer
        lines = subprocess.run([ATTNLAB, "--tokenize", "word"], stdin=f, check=True,
                               capture_output=True, text=True).stdout.splitlines()
    pairs = [l.split("\t") for l in lines if "\t" in l and all(x.strip() for x in l.split("\t"))]
    random.Random(1).shuffle(pairs)
    test = pairs[::ENGFRA["test_every"]]
    train = [p for i, p in enumerate(pairs) if i % ENGFRA["test_every"]]
    files = {n: os.path.join(d, n + ".tsv") for n in ("train", "test")}
    for n, ps in (("train", train), ("test", test)):
        with open(files[n], "w", encoding="utf-8") as f:
            f.writelines(f"{a}\t{b}\n" for a, b in ps)
    refs = [b.split() for _, b in test]
    sizes = ["--embed", ENGFRA["embed"], "--hidden", ENGFRA["hidden"]]
    cli = os.path.join(ROOT, "build", "attnlab")
    save, hyp = os.path.join(d, "attnlab"), os.path.join(d, "attnlab.hyp")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    t0 = time.time()
    subprocess.run([str(c) for c in [cli, "train", "--train", files["train"], "--src-tokenizer",
                    "space", "--tgt-tokenizer", "space", "--attention-hidden", ENGFRA["attn"],
                    "--epochs", ENGFRA["epochs"], "--save", save] + sizes], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours = {"train_seconds": time.time() - t0}
    t1 = time.time()
    sources = "".join(a + "\n" for a, _ in test)
    with open(hyp, "w", encoding="utf-8") as out:
        subprocess.run([cli, "translate", "--checkpoint", save, "--batch-size", "64"], env=env,
                       check=True, input=sources, stdout=out, text=True)
    ours["translate_seconds"] = time.time() - t1
    ours["bleu"] = corpus_bleu([l.split() for l in open(hyp, encoding="utf-8")], refs)
    log(f"  eng-fra: attnlab {ours['train_seconds']:.0f} s, BLEU {ours['bleu']:.1f}")
    their_hyp = os.path.join(d, "pytorch.hyp")
    theirs = run(TORCH + ["--epochs-on", files["train"], files["test"], their_hyp, "--epochs",
                          ENGFRA["epochs"], "--attn", ENGFRA["attn"], "--threads",
                          setting["threads"]] + sizes, TUNED if setting["malloc_tuned"] else None)
    theirs["bleu"] = corpus_bleu([l.split() for l in open(their_hyp, encoding="utf-8")], refs)
    log(f"  eng-fra: pytorch {theirs['train_seconds']:.0f} s, BLEU {theirs['bleu']:.1f}")
    return {"attnlab": ours, "pytorch": theirs, "pytorch_setting": setting,
            "train_pairs": len(train), "test_pairs": len(test)}


def engfra_text(r):
    a, p = r["attnlab"], r["pytorch"]
    return "\n".join([
        f"Three epochs of `eng-fra` ({r['date']}; `../shared/data/eng-fra.tsv`, tokenized once by attnlab's "
        f"`word` tokenizer for both; {r['train_pairs']:,} training pairs, every "
        f"{ENGFRA['test_every']}th of a fixed shuffle held out: {r['test_pairs']:,}), attention/"
        f"additive with E = {ENGFRA['embed']}, H = {ENGFRA['hidden']}, A = {ENGFRA['attn']}, "
        "the full vocabularies, Adam at lr 0.002, batch 64, clip 5; BLEU-4 of greedy "
        "translations over the same tokens, computed by the same function for both:",
        "",
        "| framework | training seconds | greedy translation of the held-out part, s | BLEU |",
        "|---|---|---|---|",
        f"| attnlab | {a['train_seconds']:.0f} | {a['translate_seconds']:.1f} | {a['bleu']:.1f} |",
        f"| pytorch | {p['train_seconds']:.0f} | {p['translate_seconds']:.1f} | {p['bleu']:.1f} |",
        "",
        f"attnlab needs **{a['train_seconds'] / p['train_seconds']:.2f}×** PyTorch's training "
        "time (its figure includes loading the data and saving the checkpoint).",
    ])


def race_table(r):
    rows = ["| framework | seconds to 99% exact | steps | exact at that validation |",
            "|---|---|---|---|"]
    for name in ("attnlab", "pytorch"):
        x = r[name]
        if x is None:
            rows.append(f"| {name} | did not finish | | |")
            continue
        sec = f"{x['seconds']:.0f}" if x["reached"] else f"not reached in {x['seconds']:.0f}"
        rows.append(f"| {name} | {sec} | {x['steps']} | {100 * x['exact']:.2f}% |")
    if r["attnlab"] and r["attnlab"]["reached"] and r["pytorch"]["reached"]:
        rows.append(f"\nattnlab needs **{r['attnlab']['seconds'] / r['pytorch']['seconds']:.2f}×** "
                    "PyTorch's time.")
    return "\n".join(rows)


def table(results, peak):
    rows = ["| size | model | attnlab ms/step | PyTorch ms/step | speed-up | target tok/s "
            "(attnlab / PyTorch) | greedy ms: attnlab / PyTorch | speed-up | peak RSS MB: "
            "attnlab / PyTorch | GEMM GFLOP/step | GEMM rate, % of peak | PyTorch setting |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        E, H, D, A, B, Tx, Ty, Vs, Vt, _ = SIZES[r["size"]]
        a, p = r["attnlab"], r["pytorch"]
        tok = B * Ty * 1000
        rate = a["gemm_gflop_per_step"] / (a["train_ms"] / 1000)
        s = r["pytorch_setting"]
        rows.append(
            f"| {r['size']} | {r['model']} | {a['train_ms']:.1f} | {p['train_ms']:.1f} | "
            f"**{p['train_ms'] / a['train_ms']:.2f}×** | {tok / a['train_ms']:,.0f} / "
            f"{tok / p['train_ms']:,.0f} | {a['decode_ms']:.1f} / {p['decode_ms']:.1f} | "
            f"**{p['decode_ms'] / a['decode_ms']:.2f}×** | {a['peak_rss_mb']:.0f} / "
            f"{p['peak_rss_mb']:.0f} | {a['gemm_gflop_per_step']:.2f} | {rate:.1f} GFLOP/s, "
            f"{100 * rate / peak:.0f}% | {s['threads']} thread{'s' if s['threads'] > 1 else ''}"
            f"{', MALLOC_* tuned' if s['malloc_tuned'] else ''} |")
    return "\n".join(rows)


def ceiling_table(results, peak):
    """How fast the matrix products alone allow: their operations at the sgemm peak."""
    rows = ["| size | model | training: GEMM floor ms | attnlab ms | best possible speed-up | "
            "greedy: GEMM floor ms | attnlab ms | best possible speed-up |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        a, p = r["attnlab"], r["pytorch"]
        if "decode_gemm_gflop" not in a:
            continue
        tf, df = a["gemm_gflop_per_step"] / peak * 1000, a["decode_gemm_gflop"] / peak * 1000
        rows.append(f"| {r['size']} | {r['model']} | {tf:.1f} | {a['train_ms']:.1f} | "
                    f"{p['train_ms'] / tf:.2f}× | {df:.1f} | {a['decode_ms']:.1f} | "
                    f"{p['decode_ms'] / df:.2f}× |")
    return "\n".join(rows) if len(rows) > 2 else ""


def render(r):
    """The BENCHMARKS.md block from results.json's parts, each with its own date."""
    out = [BEGIN]
    t = r.get("timing")
    if t:
        out += [
            f"Measured by `bench/run.sh --sizes {t['sizes']} --runs {t['runs']}` on {t['date']}, "
            f"{CORES} cores ({t['cpu']}), in {t['seconds']:.0f} s. Medians of {t['runs']} "
            "alternating runs; each run's figure is itself the median of several steps after a "
            f"warm-up. attnlab runs as a user runs it ({t['results'][0]['attnlab_threads']} "
            "threads, no environment variables); PyTorch at the fastest of the settings it was "
            "tried with (last column; every setting's figure is in `build/bench/results.json`). "
            "Target tokens per second count B × Ty per step. The GEMM rate is the step's "
            "matrix-product operations divided by the whole step's time, against this machine's "
            f"sgemm peak ({t['peak']:.0f} GFLOP/s on {CORES} cores, N = 2048).",
            "", table(t["results"], t["peak"])]
        ceiling = ceiling_table(t["results"], t["peak"])
        if ceiling:
            out += [
                "", "The floor the machine sets: each step's (or decode's) matrix-product "
                "operations at the sgemm peak, with nothing else taking any time; the best "
                "speed-up over PyTorch that any implementation could show here is PyTorch's "
                "time divided by that floor.", "", ceiling]
    if r.get("race"):
        out += [
            "",
            f"Time to accuracy ({r['race']['date']}): attention/additive (E = {RACE['embed']}, "
            f"H = {RACE['hidden']}, A = {RACE['attn']}), Adam at lr 0.002, batch 64, clip 5, on "
            f"{RACE['n']:,} `reverse` pairs of {RACE['min_len']}-{RACE['max_len']} letters "
            f"(`attnlab data reverse`), judged by greedy exact accuracy on {RACE['valid']} "
            f"held-out pairs every {RACE['valid_every']} steps; the clock includes validation in "
            "both. attnlab is `attnlab train` as a user runs it; PyTorch is "
            "`bench/torch_reference.py --race` at the setting found fastest for S attention.",
            "", race_table(r["race"])]
    if r.get("engfra"):
        out += ["", engfra_text(r["engfra"])]
    return "\n".join(out + [END])


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", default="S,M,L")
    p.add_argument("--models", default="seq2seq,attention")
    p.add_argument("--runs", type=int, default=3, help="alternating runs of each framework")
    p.add_argument("--parts", default="timing,race,engfra",
                   help="what to measure; the other parts keep their last results (results.json)")
    p.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    p.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "results.json"))
    a = p.parse_args()
    parts = set(a.parts.split(","))
    if parts - {"timing", "race", "engfra"}:
        p.error(f"--parts: unknown {sorted(parts - {'timing', 'race', 'engfra'})}")
    r = {}
    if os.path.exists(a.json) and parts != {"timing", "race", "engfra"}:
        with open(a.json) as f:
            r = json.load(f)
    today = time.strftime("%Y-%m-%d")
    if "timing" in parts:
        started = time.time()
        out = subprocess.run([ATTNLAB, "--sgemm-peak"], check=True, capture_output=True,
                             text=True).stdout
        peaks = [json.loads(l) for l in out.splitlines() if l]
        log(f"sgemm peak: {peaks}")
        results = [measure(size, model, a.runs) for size in a.sizes.split(",")
                   for model in a.models.split(",")]
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                    if l.startswith("model name")), "unknown CPU")
        r["timing"] = {"date": today, "sizes": a.sizes, "runs": a.runs, "cpu": cpu,
                       "sgemm_peak": peaks, "peak": max(x["gflops"] for x in peaks),
                       "results": results, "seconds": time.time() - started}
    small = [x for x in r.get("timing", {}).get("results", [])
             if x["size"] == "S" and x["model"] == "attention"]
    setting = small[0]["pytorch_setting"] if small else {"threads": 1, "malloc_tuned": True}
    if "race" in parts:
        r["race"] = dict(race(setting), date=today)
    if "engfra" in parts:
        r["engfra"] = dict(engfra(setting), date=today)
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(r, f, indent=1)
    text = open(a.out).read() if os.path.exists(a.out) else ""
    block = render(r)
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    log(f"wrote {a.out} and {a.json}")


if __name__ == "__main__":
    main()
