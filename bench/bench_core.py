"""Benchmark of the shared training core (issue: make the shared core fast).

Trains the shared GPT on path-star G(2,5,50) (input length 31), 2 layers x 128, 4 heads, batch 64,
fresh graphs every batch (the reference implementation's workload), for a fixed number of timed
steps after a warm-up, in a fresh process per thread count. Prints and saves tokens/s, ms per step
(median, min), peak RSS, and the time from process start to the first step.

    python bench/bench_core.py [--steps 300] [--threads 1 2] [--out bench/results.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

START = time.perf_counter()  # before the heavy imports: "time to first step" includes them


def worker(threads: int, steps: int, warmup: int, compile_model: bool = False) -> dict:
    import resource
    import statistics

    import torch

    from repro.core.seeding import seed_everything
    from repro.data.pathstar import PathStar
    from repro.nn.gpt import GPT, GPTConfig
    from repro.nn.trainer import OptimConfig, fit
    from repro.papers.ntp_pitfalls.data import batch_fn

    torch.set_num_threads(threads)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", default="bench/results.json")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (off by default: see the note)")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.steps, args.warmup, args.compile)))
        return
    runs = []
    for t in args.threads:  # one fresh process per setting: clean RSS and start-up time
        env = os.environ | {"OMP_NUM_THREADS": str(t)}
        out = subprocess.run([sys.executable, __file__, "--worker", str(t), "--steps", str(args.steps),
                              "--warmup", str(args.warmup)] + (["--compile"] if args.compile else []), env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = runs[-1]
        print(f"threads={t}: {r['tokens_per_second']:,.0f} tokens/s, {r['ms_per_step_median']:.2f} ms/step median "
              f"({r['ms_per_step_min']:.2f} min), peak RSS {r['peak_rss_mib']:.0f} MiB, first step after "
              f"{r['seconds_to_first_step']:.2f} s")
    load = os.getloadavg()
    result = {"workload": "path-star G(2,5,50), GPT 2x128 h4, batch 64, input length 31, fp32 CPU",
              "load_average_1_5_15": load, "cpus": os.cpu_count(), "runs": runs,
              "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"wrote {args.out} (load average {load[0]:.2f})")


if __name__ == "__main__":
    main()
