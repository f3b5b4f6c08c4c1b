"""Train GPTs on one arm of one graph family: one seed per job, or all seeds side by side in one."""
from __future__ import annotations

import time

from repro.core import runtime
from repro.core.io import save_torch, write_json
from repro.core.seeding import seed_everything
from repro.nn.gpt import GPT, GPTConfig, n_params
from repro.nn.seeds import fit_seeds, job_seeds
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.ntp_pitfalls.data import batch_fn, has_train_split, load_split, spec_of


def model_config(params: dict) -> GPTConfig:
    spec = spec_of(params["graph"])
    return GPTConfig(vocab_size=spec.vocab_size, block_size=spec.seq_len, **params["model"])


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Train one seed (`params["seed"]`; outputs `model`, `log`: one path each), or all of `params["seeds"]`
    side by side in one job (repro.nn.seeds.fit_seeds; outputs `model`, `log`: one path per seed, in the
    order of the seeds). Seed k gets its own initialisation, data order and optimizer state either way, and
    the same weights (bitwise on the CPU): batching changes the job's speed, never its numbers."""
    arm, graph = params["arm"], params["graph"]
    seeds, (model_out, log_out) = job_seeds(params, outputs, "model", "log")
    spec = spec_of(graph)
    cfg = model_config(params)
    models = []
    for seed in seeds:
        seed_everything(seed)  # each seed's initialisation, as if it trained alone
        models.append(GPT(cfg))
    optim = OptimConfig.from_params(params["optim"])
    train_set = load_split(inputs["data"], "train") if has_train_split(graph) else None
    test_keys = set(spec.keys(load_split(inputs["data"], "test")[0]))  # fresh draws never equal a test graph
    batches = [batch_fn(spec, arm, params["batch_size"], seed, train_set, exclude=test_keys) for seed in seeds]
    device = runtime.device()
    start = time.perf_counter()
    if len(seeds) == 1:  # a single seed trains alone
        states = [fit(models[0], batches[0], optim, device=device, **resumable(model_out[0], params))]
    else:
        states = fit_seeds(models, batches, optim, device=device, **resumable(model_out[0], params, part="seeds"))
    seconds = time.perf_counter() - start
    tokens = (spec.seq_len - 1) * params["batch_size"] * optim.steps * len(seeds)
    for seed, model, state, model_path, log_path in zip(seeds, models, states, model_out, log_out, strict=True):
        save_torch(model_path, {"config": cfg.to_dict(), "state_dict": model.cpu().state_dict()})
        # train_seconds and tokens_per_second are the job's: all of its seeds together
        write_json(log_path, {"arm": arm, "seed": seed, "graph": graph, "n_params": n_params(model),
                              "steps": optim.steps, "device": str(device), "threads": threads,
                              "train_seconds": seconds, "tokens_per_second": tokens / seconds,
                              "seeds_in_job": seeds, "history": state.history})
