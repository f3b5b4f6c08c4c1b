"""Benchmark of the shared training core (issue: make the shared core fast).

Trains the shared GPT on path-star G(2,5,50) (input length 31), 2 layers x 128, 4 heads, batch 64,
fresh graphs every batch (the reference implementation's workload), for a fixed number of timed
steps after a warm-up, in a fresh process per thread count. Prints and saves tokens/s, ms per step
(median, min), peak RSS, and the time from process start to the first step.

Then the seeds-side-by-side workload: the ntp_pitfalls mini model and batch (read from config/config.yaml:
its model, batch_size and first graph), K = 3 seeds trained one after another with `fit` ("separate") vs
together with `repro.nn.seeds.fit_seeds` ("batched"), at the same thread count, each in a fresh process, in
the order separate, batched, batched, separate (so that a drifting machine load cancels to first order);
prints the aggregate tokens/s of each and their ratio (by wall clock, and by the process's CPU time, which a
loaded machine disturbs less at 1 thread), the load average before each run, peak RSS, and whether the
batched run's final weights equal the separate runs' bit for bit.

    python bench/bench_core.py [--steps 300] [--threads 1 2] [--workload all|core|seeds] [--out bench/results.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

START = time.perf_counter()  # before the heavy imports: "time to first step" includes them


def set_up(threads: int) -> None:
    """What a job's runtime.configure does: the thread count and, unless $BENCH_DEFAULT_MALLOC=1
    (`--default-malloc`), glibc malloc keeping freed blocks (repro.core.runtime.keep_freed_memory)."""
    import torch

    from repro.core import runtime

    torch.set_num_threads(threads)
    if os.environ.get("BENCH_DEFAULT_MALLOC") != "1":
        runtime.keep_freed_memory()


def worker(threads: int, steps: int, warmup: int, compile_model: bool = False) -> dict:
    import resource
    import statistics

    import torch

    from repro.core.seeding import seed_everything
    from repro.data.pathstar import PathStar
    from repro.nn.gpt import GPT, GPTConfig
    from repro.nn.trainer import OptimConfig, fit
    from repro.papers.ntp_pitfalls.data import batch_fn

    set_up(threads)
    seed_everything(0)
    spec = PathStar(2, 5, 50)
    model = GPT(GPTConfig(vocab_size=spec.vocab_size, block_size=spec.seq_len, n_layer=2, n_head=4, d_model=128))
    if compile_model:
        model = torch.compile(model)
    stamps: list[float] = []
    first_step: list[float] = []

    def on_step(step, _):
        now = time.perf_counter()
        if not first_step:
            first_step.append(now - START)
        stamps.append(now)

    cfg = OptimConfig(steps=warmup + steps, lr=5e-4, warmup=10, log_every=50, ckpt_every=0)
    fit(model, batch_fn(spec, "ntp", 64, 0, None), cfg, device=torch.device("cpu"), on_step=on_step)
    per_step = [b - a for a, b in zip(stamps[warmup - 1:], stamps[warmup:])]
    tokens_per_step = 64 * (spec.seq_len - 1)
    return {
        "threads": threads, "timed_steps": steps, "compiled": compile_model,
        "tokens_per_second": tokens_per_step * len(per_step) / sum(per_step),
        "ms_per_step_median": 1000 * statistics.median(per_step),
        "ms_per_step_min": 1000 * min(per_step),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "seconds_to_first_step": first_step[0],
    }


def mini_workload() -> dict:
    """The ntp_pitfalls mini model and batch, from config/config.yaml (its first graph)."""
    import yaml

    cfg = yaml.safe_load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "config", "config.yaml")))
    ntp = cfg["ntp_pitfalls"]
    graph = ntp["graphs"][0]
    return {"graph": {k: graph[k] for k in ("name", "deg", "path_len", "num_nodes")}, "model": ntp["model"],
            "batch_size": graph.get("batch_size", ntp["batch_size"]),
            "lr": (ntp["optim"] | graph.get("optim", {}))["lr"]}


def seeds_worker(threads: int, mode: str, k: int, steps: int, warmup: int) -> dict:
    """K seeds of the mini workload, `separate` (fit, one seed after another) or `batched` (fit_seeds):
    aggregate tokens/s over the timed steps (after `warmup` steps of each run), peak RSS, and a hash of the
    final weights of each seed."""
    import hashlib
    import resource

    import torch

    from repro.core.seeding import seed_everything
    from repro.data.pathstar import PathStar
    from repro.nn.gpt import GPT, GPTConfig
    from repro.nn.seeds import fit_seeds
    from repro.nn.trainer import OptimConfig, fit
    from repro.papers.ntp_pitfalls.data import batch_fn

    set_up(threads)
    w = mini_workload()
    spec = PathStar(w["graph"]["deg"], w["graph"]["path_len"], w["graph"]["num_nodes"])
    gpt_cfg = GPTConfig(vocab_size=spec.vocab_size, block_size=spec.seq_len, **w["model"])
    cfg = OptimConfig(steps=warmup + steps, lr=w["lr"], warmup=10, log_every=10, ckpt_every=0)
    seeds = list(range(k))

    def model(seed):
        seed_everything(seed)
        return GPT(gpt_cfg)

    timed = cpu = 0.0

    def clock():  # wall-clock and process CPU time after each step
        stamps: list[tuple[float, float]] = []
        return stamps, lambda step, _: stamps.append((time.perf_counter(), time.process_time()))

    def add(stamps):
        nonlocal timed, cpu
        timed += stamps[-1][0] - stamps[warmup - 1][0]
        cpu += stamps[-1][1] - stamps[warmup - 1][1]

    batches = [batch_fn(spec, "ntp", w["batch_size"], s, None) for s in seeds]
    if mode == "separate":
        models = []
        for s in seeds:
            stamps, on_step = clock()
            models.append(model(s))
            fit(models[-1], batches[s], cfg, device=torch.device("cpu"), on_step=on_step)
            add(stamps)
    else:
        stamps, on_step = clock()
        models = [model(s) for s in seeds]
        fit_seeds(models, batches, cfg, device=torch.device("cpu"), on_step=on_step)
        add(stamps)
    tokens = k * steps * w["batch_size"] * (spec.seq_len - 1)
    digest = [hashlib.sha256(b"".join(t.numpy().tobytes() for t in m.state_dict().values())).hexdigest()[:16]
              for m in models]
    return {"mode": mode, "threads": threads, "k": k, "timed_steps": steps, "tokens_per_second": tokens / timed,
            "tokens_per_cpu_second": tokens / cpu,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "weights_sha256": digest}


def run_seeds(threads: list[int], k: int, steps: int, warmup: int) -> dict:
    runs, summary = [], []
    for t in threads:
        env = os.environ | {"OMP_NUM_THREADS": str(t)}
        mine = []
        for mode in ("separate", "batched", "batched", "separate"):
            load = os.getloadavg()[0]
            out = subprocess.run([sys.executable, __file__, "--seeds-worker", mode, "--threads", str(t), "--k", str(k),
                                  "--seeds-steps", str(steps), "--warmup", str(warmup)],
                                 env=env, capture_output=True, text=True, check=True)
            mine.append(json.loads(out.stdout.strip().splitlines()[-1]) | {"load_average_1min_before": load})
        mean = {m: sum(r["tokens_per_second"] for r in mine if r["mode"] == m) / 2 for m in ("separate", "batched")}
        mean_cpu = {m: sum(r["tokens_per_cpu_second"] for r in mine if r["mode"] == m) / 2 for m in ("separate", "batched")}
        same = len({tuple(r["weights_sha256"]) for r in mine}) == 1
        rss = {m: max(r["peak_rss_mib"] for r in mine if r["mode"] == m) for m in ("separate", "batched")}
        summary.append({"threads": t, "separate_tokens_per_second": mean["separate"],
                        "batched_tokens_per_second": mean["batched"], "ratio": mean["batched"] / mean["separate"],
                        "ratio_per_cpu_second": mean_cpu["batched"] / mean_cpu["separate"],
                        "bitwise_equal_weights": same, "peak_rss_mib": rss,
                        "load_average_1min": [r["load_average_1min_before"] for r in mine]})
        s = summary[-1]
        print(f"seeds K={k}, threads={t}: batched {s['batched_tokens_per_second']:,.0f} vs separate "
              f"{s['separate_tokens_per_second']:,.0f} tokens/s (aggregate) = {s['ratio']:.2f}x "
              f"({s['ratio_per_cpu_second']:.2f}x per CPU second); weights bitwise "
              f"equal: {same}; peak RSS {rss['batched']:.0f} vs {rss['separate']:.0f} MiB; load before runs "
              + " ".join(f"{x:.1f}" for x in s["load_average_1min"]))
        runs += mine
    return {"workload": mini_workload(), "k": k, "order": "separate, batched, batched, separate (fresh processes)",
            "summary": summary, "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", default="bench/results.json")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (off by default: see the note)")
    ap.add_argument("--workload", choices=["all", "core", "seeds"], default="all")
    ap.add_argument("--k", type=int, default=3, help="seeds trained side by side in the seeds workload")
    ap.add_argument("--seeds-steps", type=int, default=150, help="timed steps per run of the seeds workload")
    ap.add_argument("--default-malloc", action="store_true",
                    help="leave glibc malloc's thresholds at their defaults (jobs raise them: runtime.keep_freed_memory)")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--seeds-worker", choices=["separate", "batched"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.default_malloc:
        os.environ["BENCH_DEFAULT_MALLOC"] = "1"  # inherited by the worker processes
    if args.worker:
        print(json.dumps(worker(args.worker, args.steps, args.warmup, args.compile)))
        return
    if args.seeds_worker:
        print(json.dumps(seeds_worker(args.threads[0], args.seeds_worker, args.k, args.seeds_steps, args.warmup)))
        return
    runs = []
    core_threads = args.threads if args.workload in ("all", "core") else []
    for t in core_threads:  # one fresh process per setting: clean RSS and start-up time
        env = os.environ | {"OMP_NUM_THREADS": str(t)}
        out = subprocess.run([sys.executable, __file__, "--worker", str(t), "--steps", str(args.steps),
                              "--warmup", str(args.warmup)] + (["--compile"] if args.compile else []), env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = runs[-1]
        print(f"threads={t}: {r['tokens_per_second']:,.0f} tokens/s, {r['ms_per_step_median']:.2f} ms/step median "
              f"({r['ms_per_step_min']:.2f} min), peak RSS {r['peak_rss_mib']:.0f} MiB, first step after "
              f"{r['seconds_to_first_step']:.2f} s")
    seeds = run_seeds(args.threads, args.k, args.seeds_steps, args.warmup) if args.workload in ("all", "seeds") else None
    load = os.getloadavg()
    result = {"workload": "path-star G(2,5,50), GPT 2x128 h4, batch 64, input length 31, fp32 CPU",
              "load_average_1_5_15": load, "cpus": os.cpu_count(), "runs": runs, "seeds": seeds,
              "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"wrote {args.out} (load average {load[0]:.2f})")


if __name__ == "__main__":
    main()
