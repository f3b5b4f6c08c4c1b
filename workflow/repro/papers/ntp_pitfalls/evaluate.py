"""Held-out evaluation: free-running full-path accuracy, first-hop accuracy, and teacher-forced
accuracy per target position (the Clever-Hans signature)."""
from __future__ import annotations

import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.data.heldout import OVERLAP, overlap
from repro.data.pathstar import is_valid_path
from repro.nn.gpt import IGNORE
from repro.papers.ntp_pitfalls.data import arm_target, has_train_split, load_split, make_batch, spec_of
from repro.nn.gpt import load_gpt


@torch.no_grad()
def evaluate(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    arm, graph = params["arm"], params["graph"]
    spec = spec_of(graph)
    model = load_gpt(inputs["model"]).to(runtime.device())
    prefix, path = load_split(inputs["data"], "test")
    target = arm_target(path, arm)
    device = runtime.device()

    # Free-running prediction: greedy decoding, or one parallel pass for the teacherless model.
    if arm == "teacherless":
        tl_inputs, _ = make_batch(prefix, path, arm, spec)
        positions = torch.arange(spec.prefix_len - 1, spec.seq_len - 1)
        predicted = model.predict_parallel(tl_inputs.to(device), positions.to(device)).cpu()
    else:
        predicted = model.generate(prefix.to(device), spec.path_len).cpu()
    correct = predicted == target
    as_path = predicted.flip(1) if arm == "reverse" else predicted
    valid = [is_valid_path(p, q, spec) for p, q in zip(as_path.tolist(), prefix.tolist())]
    hop1 = spec.path_len - 2 if arm == "reverse" else 1  # index of the source's child in the output

    # Teacher-forced: the true target tokens as inputs (the teacherless model's inputs are `$`).
    inp, tgt = make_batch(prefix, path, arm, spec)
    logits, _ = model(inp.to(device))
    forced = (logits.argmax(-1).cpu() == tgt)[:, spec.prefix_len - 1:]
    assert (tgt[:, spec.prefix_len - 1:] != IGNORE).all()

    # Held out: a fixed training split is checked here; fresh training draws are 0 by construction
    # (batch_fn redraws any graph whose PathStar.keys is a test key).
    test_keys = spec.keys(prefix)
    seen = overlap(test_keys, spec.keys(load_split(inputs["data"], "train")[0])) if has_train_split(graph) else 0.0

    write_json(outputs["metrics"], {
        "graph": params["graph_name"], "arm": arm, "seed": params["seed"],
        "deg": spec.deg, "path_len": spec.path_len, "num_nodes": spec.num_nodes, "n_test": len(prefix),
        "full_path_accuracy": correct.all(1).float().mean().item(),
        "first_hop_accuracy": correct[:, hop1].float().mean().item(),
        "valid_path_rate": sum(valid) / len(valid),
        "per_position_accuracy": correct.float().mean(0).tolist(),
        "forced_per_position_accuracy": forced.float().mean(0).tolist(),
        "chance": 1 / spec.deg,
        "n_test_distinct": len(set(test_keys)),
        OVERLAP: seen,
    })
