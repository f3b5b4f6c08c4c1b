"""Calibrate geometric_memory's in-weights path-star (part b) against the official mixed recipe.

The official recipe samples edge facts and training path queries uniformly from their union (so a path
query's share of a batch is n_paths / (n_paths + n_edges)), with lr 5e-4 and weight decay 1e-2; ours gave
paths a fixed 50% of every batch at lr 3e-3, weight decay 0.1. This script trains one seed of one setting
through the pipeline's own stage (repro.papers.geometric_memory.star.train_star) and prints the held-out
path accuracy curve, e.g.

    python bench/calibrate_star.py --deg 5 --lr 5e-4 --weight-decay 0.01 --steps 8000 --seed 0

Results: bench/calibration/geometric_memory.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from repro.papers.geometric_memory.star import StarTask, train_star  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deg", type=int, default=5)
    ap.add_argument("--arm-len", type=int, default=3)
    ap.add_argument("--path-share", type=float, default=None,
                    help="a fixed share of path queries per batch (the old recipe: 0.5); default: the official "
                         "mixed recipe, paths and edges sampled uniformly from their union (the config's `uniform`)")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    star = yaml.safe_load(open(Path(__file__).resolve().parents[1] / "config/config.yaml"))["geometric_memory"]["star"]
    task = StarTask(args.deg, args.arm_len, args.seed, star["train_share"])
    n_edges, n_paths = 2 * args.deg * args.arm_len, len(task.train_arms)
    share = n_paths / (n_paths + n_edges) if args.path_share is None else args.path_share
    p = star | {"deg": args.deg, "arm_len": args.arm_len, "seed": args.seed, "path_share": share,
                "eval_every": 500, "optim": star["optim"] | {"steps": args.steps, "lr": args.lr,
                                                             "weight_decay": args.weight_decay}}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "star.json"
        train_star(p, {}, {"metrics": str(out)}, 1)
        doc = json.loads(out.read_text())
    curve = [(r["step"], round(r["train_path_accuracy"], 3), round(r["test_path_accuracy"], 3),
              round(r["test_first_hop_accuracy"], 3)) for r in doc["curve"]]
    print(json.dumps({"args": vars(args), "path_share": round(share, 4), "n_test_leaves": doc["n_test_leaves"],
                      "seconds": round(doc["train_seconds"], 1), "curve (step, train path, test path, test hop 1)": curve}))


if __name__ == "__main__":
    main()
