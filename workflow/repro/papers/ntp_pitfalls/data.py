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
    and no training graph is a test graph (same source, goal and edge set: `PathStar.keys`).

    With the paper's files (inputs `test_file` / `train_file`, repro.data.files), a file replaces the
    generated split: its first n_test / n_train graphs (all when the key is absent), every line checked
    against deg, path_len and num_nodes. A file test set is kept as listed (repeats included); generated
    graphs are drawn around a file's graphs as around generated ones; and training graphs from a file that
    are test graphs are dropped from training (their count is written to spec.json as `train_excluded`)."""
    import datasets  # lazily: training on fresh graphs never needs it

    from repro.data.files import read_pathstar_file
    from repro.data.hf import save_dataset

    spec = spec_of(params)
    key = lambda batch: spec.keys(batch[0])  # noqa: E731
    from_file = {split: read_pathstar_file(inputs[f"{split}_file"], spec, params.get(f"n_{split}"))
                 for split in ("test", "train") if inputs.get(f"{split}_file")}
    test = from_file.get("test")
    if test is None:
        avoid = set(spec.keys(from_file["train"][0])) if "train" in from_file else set()
        test = distinct_excluding(spec.sample, key, params["n_test"], generator(params["seed"], 1, 10**9), avoid)
    test_keys = set(spec.keys(test[0]))
    dd, info = {"test": test}, {"train_excluded": 0}
    if "train" in from_file:
        prefix, path = from_file["train"]
        keep = [i for i, k in enumerate(spec.keys(prefix)) if k not in test_keys]
        if not keep:
            raise ValueError(f"{inputs['train_file']}: every training graph is a test graph; nothing left to train on")
        dd["train"] = (prefix[keep], path[keep])
        info["train_excluded"] = len(prefix) - len(keep)
    elif params.get("n_train"):
        dd["train"] = draw_excluding(spec.sample, key, params["n_train"], generator(params["seed"], 0, 10**9),
                                     exclude=test_keys)
    dd = {split: datasets.Dataset.from_dict({"prefix": prefix.tolist(), "path": path.tolist()})
          for split, (prefix, path) in dd.items()}
    info |= {f"{split}_file": str(inputs[f"{split}_file"]) for split in from_file}
    save_dataset(datasets.DatasetDict(dd), outputs["data"],
                 spec={k: params[k] for k in ("deg", "path_len", "num_nodes")} | info)


def has_train_split(graph: dict) -> bool:
    """Whether the graph family trains on a fixed set (n_train > 0 or a train_file), not fresh graphs."""
    return bool(graph.get("n_train") or graph.get("train_file"))


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
