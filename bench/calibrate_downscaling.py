"""Calibrate downscaling's mini mixture: one seed, every width of one setting, through the pipeline's own
stages (repro.papers.downscaling.train.train / prune), printing the dense accuracies per family and width,
and where each family's retained skill drops below 0.8 under pruning (the claims' statistic), e.g.

    python bench/calibrate_downscaling.py --seed 0 --set data.subjects=2000 --set model.n_head=2

`--set key.sub=value` overrides config/config.yaml's downscaling section (YAML values).
Results: bench/calibration/downscaling.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))
from calibration_config import paper_config  # noqa: E402
from repro.papers.downscaling.claims import reduction_at_drop, skill_retained  # noqa: E402
from repro.papers.downscaling.tasks import Mixture  # noqa: E402
from repro.papers.downscaling.train import prune, train  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="key.sub=value override of the downscaling config")
    ap.add_argument("--widths", type=str, default=None, help="comma-separated widths (default: the config's)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ds = paper_config("downscaling", args.set)
    widths = [int(w) for w in args.widths.split(",")] if args.widths else ds["widths"]
    common = {k: ds[k] for k in ("data", "model", "batch_size", "n_test", "optim")} | {"seed": args.seed}
    out = {"seed": args.seed, "set": args.set, "dense": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for w in widths:
            t0 = time.perf_counter()
            files = {"model": f"{tmp}/w{w}.pt", "metrics": f"{tmp}/w{w}.json"}
            train(common | {"width": w}, {}, files, 1)
            m = json.loads(Path(files["metrics"]).read_text())
            out["dense"][w] = {"accuracy": {f: round(a, 3) for f, a in m["accuracy"].items()},
                               "block_params": m["block_params"], "n_params": m["n_params"],
                               "seconds": round(time.perf_counter() - t0, 1)}
            print(json.dumps({w: out["dense"][w]}), flush=True)
        t0 = time.perf_counter()
        p = common | {k: ds[k] for k in ("methods", "sparsities", "calibration")}
        prune(p, {"model": f"{tmp}/w{max(widths)}.pt"}, {"metrics": f"{tmp}/prune.json"}, 1)
        rows = pd.DataFrame(json.loads(Path(f"{tmp}/prune.json").read_text())["rows"])
    rows["normalised"] = skill_retained(rows, ["method", "family"], rows.sparsity == 0, Mixture(ds["data"]).baseline())
    out["drop_sparsity"] = {f"{m}/{f}": round(reduction_at_drop(c, "sparsity"), 3)
                            for (m, f), c in rows.groupby(["method", "family"])}
    out["prune_seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
