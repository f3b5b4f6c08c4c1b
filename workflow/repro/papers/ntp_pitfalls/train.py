"""Train one GPT on one arm of one graph family with one seed."""
from __future__ import annotations

import time

from repro.core import runtime
from repro.core.io import save_torch, write_json
from repro.core.seeding import seed_everything
from repro.nn.gpt import GPT, GPTConfig, n_params
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.ntp_pitfalls.data import batch_fn, load_split, spec_of


def model_config(params: dict) -> GPTConfig:
    spec = spec_of(params["graph"])
    return GPTConfig(vocab_size=spec.vocab_size, block_size=spec.seq_len, **params["model"])


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    seed, arm, graph = params["seed"], params["arm"], params["graph"]
    seed_everything(seed)
    spec = spec_of(graph)
    cfg = model_config(params)
    model = GPT(cfg)
    optim = OptimConfig.from_params(params["optim"])
    train_set = load_split(inputs["data"], "train") if graph["n_train"] else None
    test_keys = set(spec.keys(load_split(inputs["data"], "test")[0]))  # fresh draws never equal a test graph
    batches = batch_fn(spec, arm, params["batch_size"], seed, train_set, exclude=test_keys)
    device = runtime.device()
    start = time.perf_counter()
    state = fit(model, batches, optim, device=device, **resumable(outputs["model"], params))
    seconds = time.perf_counter() - start
    save_torch(outputs["model"], {"config": cfg.to_dict(), "state_dict": model.cpu().state_dict()})
    tokens = (spec.seq_len - 1) * params["batch_size"] * optim.steps
    write_json(outputs["log"], {"arm": arm, "seed": seed, "graph": graph, "n_params": n_params(model),
                                "steps": optim.steps, "device": str(device), "threads": threads,
                                "train_seconds": seconds, "tokens_per_second": tokens / seconds,
                                "history": state.history})


