"""Calibration sweep for ntp_pitfalls: learning curves (held-out accuracy vs step) for several
configurations, one process per configuration, 1 thread each. Not part of the workflow.

    python bench/calibrate_pathstar.py OUT.jsonl NAME ARM DEG PATH_LEN N LAYERS HEADS D BS LR MAX_STEPS MAX_SECONDS [SEED]

SEED (default 0) seeds the initialisation and the training stream; the probe set is fixed across seeds.
"""
import json
import sys
import time

import torch

from repro.core.seeding import generator, seed_everything
from repro.data.pathstar import PathStar
from repro.nn.gpt import GPT, GPTConfig
from repro.nn.trainer import OptimConfig, fit
from repro.papers.ntp_pitfalls.data import arm_target, batch_fn, make_batch

if len(sys.argv) not in (14, 15) or sys.argv[1] in ("-h", "--help"):
    sys.exit(__doc__)
out, name, arm = sys.argv[1:4]
deg, L, N, layers, heads, d, bs = map(int, sys.argv[4:11])
lr, max_steps, max_seconds = float(sys.argv[11]), int(sys.argv[12]), float(sys.argv[13])
seed = int(sys.argv[14]) if len(sys.argv) > 14 else 0
torch.set_num_threads(1)
seed_everything(seed)
spec = PathStar(deg, L, N)
model = GPT(GPTConfig(vocab_size=spec.vocab_size, block_size=spec.seq_len, n_layer=layers, n_head=heads, d_model=d))
prefix, path = spec.sample(256, generator(99, 1, 10**9))
start = time.perf_counter()


class Stop(Exception):
    pass


@torch.no_grad()
def probe(step, m):
    if step % 500 and step != max_steps:
        return
    m.eval()
    if arm == "teacherless":
        inp, _ = make_batch(prefix, path, arm, spec)
        pred = m.predict_parallel(inp, torch.arange(spec.prefix_len - 1, spec.seq_len - 1))
    else:
        pred = m.generate(prefix, L)
    full = (pred == arm_target(path, arm)).all(1).float().mean().item()
    inp, tgt = make_batch(prefix, path, arm, spec)
    forced = (m(inp)[0].argmax(-1) == tgt)[:, spec.prefix_len - 1:].float().mean(0).tolist()
    rec = {"name": name, "seed": seed, "step": step, "sec": round(time.perf_counter() - start, 1), "full": full, "forced": forced}
    with open(out, "a") as fh:
        fh.write(json.dumps(rec) + "\n")
    m.train()
    if time.perf_counter() - start > max_seconds:
        raise Stop


cfg = OptimConfig(steps=max_steps, lr=lr, warmup=100, min_lr_ratio=1.0, weight_decay=0.01, log_every=100, ckpt_every=0)
try:
    fit(model, batch_fn(spec, arm, bs, seed, None), cfg, device=torch.device("cpu"), on_step=probe)
except Stop:
    pass
