"""Train one dense GPT of one width on the mixture; then prune the widest model (no retraining) over
a sparsity grid with global magnitude and Wanda, and measure each task family's accuracy."""
from __future__ import annotations

import time

from repro.core import runtime
from repro.core.io import save_torch, write_json
from repro.core.seeding import generator, seed_everything
from repro.nn.gpt import GPT, GPTConfig, load_gpt, n_params
from repro.nn.prune import pruned, sparsity_of
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.downscaling.tasks import Mixture, accuracy


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    seed_everything(p["seed"])
    mixture = Mixture(p["data"])
    cfg = GPTConfig(vocab_size=mixture.vocab_size, block_size=mixture.seq_len, d_model=p["width"], **p["model"])
    model = GPT(cfg)
    t0 = time.perf_counter()
    state = fit(model, lambda step: mixture.batch(p["batch_size"], generator(p["seed"], step)),
                OptimConfig.from_params(p["optim"]), device=runtime.device(), **resumable(outputs["model"], p))
    model.cpu().eval()
    tests = mixture.test_sets(p["n_test"], p["seed"])
    save_torch(outputs["model"], {"config": cfg.to_dict(), "state_dict": model.state_dict()})
    write_json(outputs["metrics"], {"seed": p["seed"], "width": p["width"], "n_params": n_params(model),
                                    "block_params": n_params(model.blocks), "history": state.history,
                                    "train_seconds": time.perf_counter() - t0,
                                    "accuracy": {f: accuracy(model, *t) for f, t in tests.items()}})


def prune(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    model = load_gpt(inputs["model"])
    mixture = Mixture(p["data"])
    tests = mixture.test_sets(p["n_test"], p["seed"])
    calibration = mixture.batch(p["calibration"], generator(p["seed"], 31337))[0]  # pretraining-like text
    rows = []
    for method in p["methods"]:
        for sparsity in p["sparsities"]:
            small = pruned(model, method, sparsity, calibration)
            rows += [{"seed": p["seed"], "method": method, "sparsity": sparsity, "measured_sparsity": sparsity_of(small),
                      "family": f, "accuracy": accuracy(small, *t)} for f, t in tests.items()]
    write_json(outputs["metrics"], {"seed": p["seed"], "rows": rows})
