"""Path-star data sets on disk, and the per-arm view of a batch (inputs, targets)."""
from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor

from repro.core.seeding import generator
from repro.data.heldout import distinct_excluding, draw_excluding
from repro.data.pathstar import PathStar
from repro.nn.gpt import IGNORE, teacherless_inputs

ARMS = ("ntp", "teacherless", "reverse")


def spec_of(graph: dict) -> PathStar:
    return PathStar(deg=graph["deg"], path_len=graph["path_len"], num_nodes=graph["num_nodes"])


def make_data(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Held-out test graphs (distinct instances), and a fixed training set when n_train > 0 (else
    training draws fresh graphs every batch). Train and test come from different generator streams,
    and no training graph is a test graph (same source, goal and edge set: `PathStar.keys`)."""
    import datasets  # lazily: training on fresh graphs never needs it

    from repro.data.hf import save_dataset

    spec = spec_of(params)
    key = lambda batch: spec.keys(batch[0])  # noqa: E731
    test = distinct_excluding(spec.sample, key, params["n_test"], generator(params["seed"], 1, 10**9))
    dd = {"test": test}
    if params["n_train"]:
        dd["train"] = draw_excluding(spec.sample, key, params["n_train"], generator(params["seed"], 0, 10**9),
                                     exclude=set(spec.keys(test[0])))
    dd = {split: datasets.Dataset.from_dict({"prefix": prefix.tolist(), "path": path.tolist()})
          for split, (prefix, path) in dd.items()}
    save_dataset(datasets.DatasetDict(dd), outputs["data"], spec={k: params[k] for k in ("deg", "path_len", "num_nodes")})


def load_split(path: str | Path, split: str) -> tuple[Tensor, Tensor]:
    from repro.data.hf import load_dataset_dir  # lazily, as above

    ds = load_dataset_dir(path)
    if split not in ds:
        raise KeyError(f"{path}: no '{split}' split (has {list(ds)})")
    cols = ds[split].with_format("torch")[:]
    return cols["prefix"], cols["path"]


def arm_target(path: Tensor, arm: str) -> Tensor:
    """What the model must output after `=`: the path, or the path reversed (goal → source)."""
    if arm not in ARMS:
        raise ValueError(f"unknown arm {arm!r}; expected one of {ARMS}")
    return path.flip(1) if arm == "reverse" else path


def make_batch(prefix: Tensor, path: Tensor, arm: str, spec: PathStar) -> tuple[Tensor, Tensor]:
    """(inputs, targets) for next-token training; loss only on the target tokens.
    Teacherless: target-position inputs become `$`, so all target tokens come from one pass."""
    seq = torch.cat([prefix, arm_target(path, arm)], dim=1)
    inputs, targets = seq[:, :-1], seq[:, 1:].clone()
    targets[:, : spec.prefix_len - 1] = IGNORE
    if arm == "teacherless":
        is_target_input = torch.arange(inputs.shape[1]) >= spec.prefix_len
        inputs = teacherless_inputs(inputs, is_target_input.expand_as(inputs), spec.dummy)
    return inputs, targets


def batch_fn(spec: PathStar, arm: str, batch_size: int, seed: int, train: tuple[Tensor, Tensor] | None,
             exclude: set | frozenset = frozenset()):
    """Step → batch. Fresh graphs per step (train is None), any graph whose key is in `exclude` (the
    test set's `PathStar.keys`) redrawn from the step's generator; or a random draw from a fixed set
    (which make_data already drew without the test graphs)."""
    key = lambda batch: spec.keys(batch[0])  # noqa: E731

    def fn(step: int) -> tuple[Tensor, Tensor]:
        gen = generator(seed, step)
        if train is None:
            prefix, path = draw_excluding(spec.sample, key, batch_size, gen, exclude)
        else:
            idx = torch.randint(len(train[0]), (batch_size,), generator=gen)
            prefix, path = train[0][idx], train[1][idx]
        return make_batch(prefix, path, arm, spec)
    return fn
