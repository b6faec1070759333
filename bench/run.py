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
import json
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
                                              "gemm_gflop_per_step")},
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


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", default="S,M,L")
    p.add_argument("--models", default="seq2seq,attention")
    p.add_argument("--runs", type=int, default=3, help="alternating runs of each framework")
    p.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    p.add_argument("--no-race", action="store_true", help="skip the time-to-accuracy race")
    p.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "results.json"))
    a = p.parse_args()
    started = time.time()
    peaks = [json.loads(l) for l in subprocess.run([ATTNLAB, "--sgemm-peak"], check=True,
                                                   capture_output=True, text=True).stdout.split("\n") if l]
    peak = max(x["gflops"] for x in peaks)
    log(f"sgemm peak: {peaks}")
    results = []
    for size in a.sizes.split(","):
        for model in a.models.split(","):
            results.append(measure(size, model, a.runs))
    raced = None
    if not a.no_race:
        small = [r for r in results if r["size"] == "S" and r["model"] == "attention"]
        raced = race(small[0]["pytorch_setting"] if small else {"threads": 1, "malloc_tuned": True})
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump({"sgemm_peak": peaks, "results": results, "race": raced}, f, indent=1)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "unknown CPU")
    block = "\n".join([
        BEGIN,
        f"Measured by `bench/run.sh --sizes {a.sizes} --runs {a.runs}` on {time.strftime('%Y-%m-%d')}, "
        f"{CORES} cores ({cpu}), in {time.time() - started:.0f} s. Medians of {a.runs} alternating "
        "runs; each run's figure is itself the median of several steps after a warm-up. "
        f"attnlab runs as a user runs it ({results[0]['attnlab_threads']} threads, no "
        "environment variables); PyTorch at the fastest of the settings it was tried with "
        "(last column; every setting's figure is in `build/bench/results.json`). Target tokens "
        "per second count B × Ty per step. The GEMM rate is the step's matrix-product "
        "operations divided by the whole step's time, against this machine's sgemm peak "
        f"({peak:.0f} GFLOP/s on {CORES} cores, N = 2048).",
        "",
        table(results, peak),
    ] + ([] if raced is None else [
        "",
        f"Time to accuracy: attention/additive (E = {RACE['embed']}, H = {RACE['hidden']}, "
        f"A = {RACE['attn']}), Adam at lr 0.002, batch 64, clip 5, on {RACE['n']:,} `reverse` "
        f"pairs of {RACE['min_len']}-{RACE['max_len']} letters (`attnlab data reverse`), judged "
        f"by greedy exact accuracy on {RACE['valid']} held-out pairs every "
        f"{RACE['valid_every']} steps; the clock includes validation in both. attnlab is "
        "`attnlab train` as a user runs it; PyTorch is `bench/torch_reference.py --race` at "
        "the setting found fastest for S attention.",
        "",
        race_table(raced),
    ]) + [
        END,
    ])
    text = open(a.out).read() if os.path.exists(a.out) else ""
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    log(f"wrote {a.out} and {a.json}")


if __name__ == "__main__":
    main()
