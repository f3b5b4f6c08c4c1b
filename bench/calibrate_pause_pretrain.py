"""Is pause pretraining under-trained at the mini budget? Pretrain the standard and the pause arm of one seed
through the pipeline's own stages (repro.papers.pause_tokens.train), then print, per arm: the held-out
loss on real (non-pause) tokens, read on plain text and on text with the arm's random pauses, and the
finetuned accuracy of every task with and without finetuning pauses (the 2x2 grid's cells), e.g.

    python bench/calibrate_pause_pretrain.py --seed 0 --set pretrain_optim.steps=4500

The paper pretrains both arms on the same data until both are trained; the audit (shared/research/
audit_lm_fidelity.md §2) found PausePT_StdFT far below StdPT_StdFT at 1,500 steps (an under-training gap,
not the paper's effect). `--set key.sub=value` overrides config/config.yaml's pause_tokens section.
Results: bench/calibration/pause_tokens.md.
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
from repro.core.io import load_weights, read_json  # noqa: E402
from repro.core.seeding import generator  # noqa: E402
from repro.nn.gpt import gpt_from_saved  # noqa: E402
from repro.nn.pause import insert_random_pauses  # noqa: E402
from repro.papers.pause_tokens.tasks import Vocab, corpus  # noqa: E402
from repro.papers.pause_tokens.train import finetune, pretrain  # noqa: E402


@torch.no_grad()
def heldout_loss(model, p: dict, with_pauses: bool) -> float:
    """Mean next-token loss on real tokens of 512 fresh corpus sequences (a stream no training step uses)."""
    v = Vocab(p["n_digits"])
    g = generator(p["seed"], 999, 2)
    x = corpus(512, p["per_sequence"], p["tasks"], v, p["window"], g)
    if with_pauses:
        n = round(p["pretrain_pause_rate"] * x.shape[1])
        inputs, targets = insert_random_pauses(x, n, v.pause, g)
    else:
        inputs, targets = x[:, :-1], x[:, 1:]
    return model(inputs, targets)[1].item()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="key.sub=value override of the pause_tokens config")
    args = ap.parse_args()
    torch.set_num_threads(1)
    pt = paper_config("pause_tokens", args.set)
    common = {k: v for k, v in pt.items() if k not in ("seeds", "resources", "threads")}
    out = {"seed": args.seed, "set": args.set, "arms": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for arm in ("std", "pause"):
            t0 = time.perf_counter()
            p = common | {"arm": arm, "seed": args.seed}
            pretrain(p, {}, {"model": f"{tmp}/{arm}.pt"}, 1)
            model = gpt_from_saved(load_weights(f"{tmp}/{arm}.pt")).eval()
            row = {"pretrain_s": round(time.perf_counter() - t0, 1),
                   "loss_plain": round(heldout_loss(model, p, False), 4),
                   "loss_with_pauses": round(heldout_loss(model, p, True), 4)}
            for task in pt["tasks"]:
                finetune(p | {"task": task}, {"model": f"{tmp}/{arm}.pt"}, {"metrics": f"{tmp}/{arm}_{task}.json"}, 1)
                for r in read_json(f"{tmp}/{arm}_{task}.json")["rows"]:
                    if r["inference_pauses"] == r["finetune_pauses"]:
                        row[f"{task}:{r['finetune']}FT"] = round(r["accuracy"], 3)
            out["arms"][arm] = row
    print(json.dumps(out))


if __name__ == "__main__":
    main()
