"""Calibration of the gan_stability ring GAN against the official toy's settings. Not part of the workflow.

Trains the ring GAN (repro.papers.gan_stability.ring.train_ring, seeds side by side) for both η of the
config, with the mini config's ring settings overridden by JSON, and prints per η each seed's mode coverage
and high-quality share averaged over the second half of training (the claim's statistic), the paired
difference, and the wall time. One process, 1 thread.

    python bench/calibrate_gan.py NAME '{"z_dim": 256, "batch_size": 512}' [SEEDS (default 0,1,2)] >> OUT.jsonl
"""
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

from repro.papers.gan_stability.ring import train_ring

name, overrides = sys.argv[1], json.loads(sys.argv[2])
seeds = [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else "0,1,2").split(",")]
torch.set_num_threads(1)
cfg = yaml.safe_load((Path(__file__).parents[1] / "config/config.yaml").read_text())["gan_stability"]
ring = cfg["ring"] | overrides
ring["snapshots"] = [0]
late = {}
with tempfile.TemporaryDirectory() as tmp:
    for eta in cfg["etas"]:
        paths = [f"{tmp}/eta{eta}_seed{s}.json" for s in seeds]
        start = time.perf_counter()
        train_ring(ring | {"eta": eta, "seeds": seeds}, {}, {"metrics": paths}, 1)
        seconds = time.perf_counter() - start
        runs = [json.loads(Path(p).read_text())["history"] for p in paths]
        half = ring["iterations"] / 2
        late[eta] = {"seconds": round(seconds, 1),
                     "modes": [sum(h["modes"] for h in r if h["iteration"] >= half) / sum(h["iteration"] >= half for h in r) for r in runs],
                     "high_quality": [sum(h["high_quality"] for h in r if h["iteration"] >= half) / sum(h["iteration"] >= half for h in r) for r in runs]}
lo, hi = cfg["etas"]
diff = [a - b for a, b in zip(late[hi]["modes"], late[lo]["modes"])]
print(json.dumps({"name": name, "overrides": overrides, "seeds": seeds, "late": late, "modes_diff": diff,
                  "mean_diff": sum(diff) / len(diff)}))
