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
from repro.data.heldout import OVERLAP
from repro.papers.downscaling.tasks import HELD_OUT, Mixture, accuracy


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    seed_everything(p["seed"])
    mixture = Mixture(p["data"])
    cfg = GPTConfig(vocab_size=mixture.vocab_size, block_size=mixture.seq_len, d_model=p["width"], **p["model"])
    model = GPT(cfg)
    tests = mixture.test_sets(p["n_test"], p["seed"])
    exclude = mixture.test_keys(tests)  # no in-context test sequence is ever a training sequence
    t0 = time.perf_counter()
    state = fit(model, lambda step: mixture.batch(p["batch_size"], generator(p["seed"], step), exclude),
                OptimConfig.from_params(p["optim"]), device=runtime.device(), **resumable(outputs["model"], p))
    train_seconds = time.perf_counter() - t0
    model.eval()
    acc = {f: accuracy(model, *t) for f, t in tests.items()}  # on the training device
    model.cpu()
    save_torch(outputs["model"], {"config": cfg.to_dict(), "state_dict": model.state_dict()})
    write_json(outputs["metrics"], {"seed": p["seed"], "width": p["width"], "n_params": n_params(model),
                                    "block_params": n_params(model.blocks), "history": state.history,
                                    "train_seconds": train_seconds, "accuracy": acc,
                                    **held_out(mixture, tests, p)})


def held_out(mixture: Mixture, tests: dict, p: dict) -> dict:
    """The measured train/test overlap (training replayed): `train_test_overlap` over the held-out
    (in-context) families, 0 since training excludes their test sequences; facts are trained on by
    design, their share of test facts seen in training is reported per family alongside."""
    by_family = mixture.overlaps(tests, p["seed"], p["optim"]["steps"], p["batch_size"])
    return {OVERLAP: max(by_family[f] for f in HELD_OUT), f"{OVERLAP}_by_family": by_family}


def prune(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Prune and evaluate on the job's device (full scale: a GPU), in fp32."""
    model = load_gpt(inputs["model"]).to(runtime.device())
    write_json(outputs["metrics"], prune_and_evaluate(model, Mixture(params["data"]), params))


def prune_and_evaluate(model, mixture: Mixture, p: dict, tag: dict | None = None) -> dict:
    """The metrics document of one trained model: a row per method × sparsity × family (accuracy as a
    fraction, measured_sparsity over the block linears), each row and the document carrying `tag` (e.g.
    the hub model's name), and the measured train/test overlap. One pruned copy at a time (2× the memory)."""
    tag = tag or {}
    tests = mixture.test_sets(p["n_test"], p["seed"])
    # pretraining-like text, without the test sequences; a 3-tuple stream, never a training step's (seed, step)
    calibration = mixture.batch(p["calibration"], generator(p["seed"], 31337, 1), mixture.test_keys(tests))[0]
    calibration = calibration.to(model.device)
    rows = []
    for method in p["methods"]:
        for sparsity in p["sparsities"]:
            small = pruned(model, method, sparsity, calibration)
            rows += [{"seed": p["seed"], **tag, "method": method, "sparsity": sparsity,
                      "measured_sparsity": sparsity_of(small), "family": f, "accuracy": accuracy(small, *t)}
                     for f, t in tests.items()]
            del small
    return {"seed": p["seed"], **tag, "rows": rows, **held_out(mixture, tests, p)}
