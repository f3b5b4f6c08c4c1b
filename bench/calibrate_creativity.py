"""Calibrate one creativity arm on one task: one seed through the pipeline's own stage
(repro.papers.creativity.train.train), printing each decoding's validity / creativity and the time, e.g.

    python bench/calibrate_creativity.py --task sibling --arm diffusion --seed 0 --set optim.steps=6000

`--set key.sub=value` overrides config/config.yaml's creativity section (YAML values), as the rule builds it.
Results: bench/calibration/creativity.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))
from calibration_config import paper_config  # noqa: E402
from repro.papers.creativity.params import run_params  # noqa: E402
from repro.papers.creativity.train import train  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="sibling")
    ap.add_argument("--arm", default="diffusion", choices=["ntp", "teacherless", "diffusion", "ntp_nohash"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="key.sub=value override of the creativity config")
    args = ap.parse_args()
    torch.set_num_threads(1)
    cr = paper_config("creativity", args.set)
    if args.task not in cr["tasks"]:
        raise SystemExit(f"--task {args.task!r}: the config's tasks are {sorted(cr['tasks'])}")
    p = run_params(cr, args.task, args.arm, args.seed)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        train(p, {}, {"metrics": f"{tmp}/m.json"}, 1)
        doc = json.loads(Path(f"{tmp}/m.json").read_text())
    rows = [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in doc["rows"]]
    print(json.dumps({"task": args.task, "arm": args.arm, "seed": args.seed, "set": args.set,
                      "seconds": round(time.perf_counter() - t0, 1), "rows": rows}))


if __name__ == "__main__":
    main()
