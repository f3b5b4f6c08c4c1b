"""Go/no-go for a pause_tokens task with headroom: do pause tokens help the mini GPT on parity?

London & Kanade (arXiv 2505.21024) report that two-layer causal transformers learn parity when given pause
tokens and appear unable to without them; the audit of our pause_tokens recipe (shared/research/
audit_lm_fidelity.md §2) proposed checking StdFT vs PauseFT on parity before changing the paper's tasks.
This trains the pause_tokens mini model from scratch (no pretraining) on `x_1..x_n SEP [PAUSE]*k y`, y = the
parity of the n bits, loss on y only, with k = 0 and k = n pauses, and prints held-out accuracy (test
strings excluded from training draws).

    python bench/calibrate_pause_parity.py --bits 10 --pauses 0 10 --seeds 0 1 2 --steps 3000

Results: bench/calibration/pause_tokens.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from repro.core.seeding import generator  # noqa: E402
from repro.nn.gpt import GPT, IGNORE, GPTConfig  # noqa: E402
from repro.nn.trainer import OptimConfig, fit  # noqa: E402

SEP, PAUSE = 2, 3  # tokens 0 and 1 are the bits


def make(bits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs `bits SEP PAUSE*k` + answer, and targets scoring only the answer position."""
    n = len(bits)
    y = bits.sum(1) % 2
    x = torch.cat([bits, torch.full((n, 1), SEP), torch.full((n, k), PAUSE), y.unsqueeze(1)], 1)
    t = torch.full_like(x, IGNORE)
    t[:, -2] = y  # the position after the last prompt token predicts the answer
    return x[:, :-1], t[:, :-1]


def run(n_bits: int, k: int, seed: int, steps: int, batch: int, model: dict, lr: float) -> dict:
    torch.manual_seed(seed)
    n_test = min(1000, 2 ** n_bits // 4)  # distinct held-out strings, at most a quarter of all 2^n
    codes = torch.randperm(2 ** n_bits, generator=generator(seed, 99))[:n_test]
    test = (codes.unsqueeze(1) >> torch.arange(n_bits)) & 1
    held = {tuple(r) for r in test.tolist()}

    def batch_fn(step: int):
        b = torch.randint(0, 2, (batch, n_bits), generator=generator(seed, step))
        keep = torch.tensor([tuple(r) not in held for r in b.tolist()])
        return make(b[keep], k)

    net = GPT(GPTConfig(vocab_size=4, block_size=n_bits + 1 + k, **model))
    accs = []

    def evaluate(step: int, m: GPT):
        if step % 500 and step != steps:
            return None
        with torch.no_grad():
            x, t = make(test, k)
            m.eval()
            pred = m.logits(m.hidden(x)[:, -1]).argmax(-1)
            m.train()
        accs.append((step, round((pred == t[:, -1]).float().mean().item(), 3)))
        return {"step": step}

    start = time.perf_counter()
    fit(net, batch_fn, OptimConfig(steps=steps, lr=lr, warmup=100, min_lr_ratio=0.1, ckpt_every=0, log_every=100),
        device=torch.device("cpu"), on_step=evaluate)
    return {"bits": n_bits, "pauses": k, "seed": seed, "n_test": n_test, "seconds": round(time.perf_counter() - start, 1),
            "test accuracy by step": accs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bits", type=int, default=10)
    ap.add_argument("--pauses", type=int, nargs="+", default=[0, 10])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = {"n_layer": 2, "n_head": 2, "d_model": 64}  # the pause_tokens mini model
    for seed in args.seeds:
        for k in args.pauses:
            print(json.dumps(run(args.bits, k, seed, args.steps, args.batch, model, args.lr)), flush=True)


if __name__ == "__main__":
    main()
