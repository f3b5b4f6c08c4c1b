"""Part (b): path-star in weights. One star graph per seed is memorised from its edges (`[EDGE] u v`,
both directions); path queries `[PATH] leaf [PAUSE] → root n1 … leaf` are trained for 75% of the
leaves (the mixed recipe: edges and paths in every batch) and tested on the held-out leaves.
The first hop n1 is the hard token: choosing the arm that leads to an unseen leaf takes an
arm_len-fold composition of edges, unless the embeddings make it a one-step lookup."""
from __future__ import annotations

import time

import numpy as np
import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, seed_everything
from repro.data.graphs import path_star
from repro.data.heldout import OVERLAP, overlap, row_keys
from repro.nn.gpt import GPT, GPTConfig, IGNORE, n_params
from repro.nn.trainer import OptimConfig, fit, resumable


class StarTask:
    def __init__(self, deg: int, arm_len: int, seed: int, train_share: float):
        rng = np.random.default_rng(seed)
        self.root, self.arms = path_star(deg, arm_len, rng)
        self.n = 1 + deg * arm_len
        self.EDGE, self.PATH, self.PAUSE, self.PAD = self.n, self.n + 1, self.n + 2, self.n + 3
        self.vocab_size, self.seq_len = self.n + 4, 3 + arm_len + 1
        order = rng.permutation(deg)
        n_train = int(round(train_share * deg))
        self.train_arms, self.test_arms = np.sort(order[:n_train]), np.sort(order[n_train:])

    def chain(self, arm: int) -> list[int]:
        return [self.root, *self.arms[arm].tolist()]

    def edge_examples(self) -> tuple[torch.Tensor, torch.Tensor]:
        pairs = [(u, v) for a in range(len(self.arms)) for u, v in zip(self.chain(a), self.chain(a)[1:])]
        pairs += [(v, u) for u, v in pairs]
        pad = [self.PAD] * (self.seq_len - 3)
        x = [[self.EDGE, u, v, *pad] for u, v in pairs]
        y = [[IGNORE, v] + [IGNORE] * (self.seq_len - 2) for _, v in pairs]
        return torch.tensor(x), torch.tensor(y)

    def path_examples(self, arms: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        x = [[self.PATH, self.chain(a)[-1], self.PAUSE, *self.chain(a)] for a in arms]
        y = [[IGNORE, IGNORE, *self.chain(a), IGNORE] for a in arms]
        return torch.tensor(x)[:, : self.seq_len], torch.tensor(y)[:, : self.seq_len]


    @staticmethod
    def query_keys(x: torch.Tensor) -> list[bytes]:
        """Canonical instance keys (repro.data.heldout): the prompt `[PATH] leaf [PAUSE]` of a path
        query (or `[EDGE] u v` of an edge example, never equal to a path query's)."""
        return row_keys(x[:, :3])


class FileStarTask(StarTask):
    """The same task on the paper's own star (repro.data.files.read_star_files): the edge examples are the
    edges file's lines, the training and test queries its path files' lines (a training query whose target
    is a test target is dropped, `excluded`). Node ids become tokens by a permutation drawn from `seed`."""

    STAR_FILES = ("edges_file", "train_paths_file", "test_paths_file")

    def __init__(self, files: dict, deg: int, arm_len: int, seed: int):
        from repro.data.files import read_star_files, token_map

        star = read_star_files(*(files[k] for k in self.STAR_FILES), deg=deg, arm_len=arm_len)
        ids = [u for e in star.edges for u in e] + [u for _, r in star.train + star.test for u in r]
        tok = token_map(ids, seed)
        self.root = tok[star.root]
        self.paths = [[tok[u] for u in r] for _, r in star.train + star.test]
        self.pairs = [(tok[u], tok[v]) for u, v in star.edges]
        self.excluded = len(star.excluded)
        self.n = len(tok)
        self.EDGE, self.PATH, self.PAUSE, self.PAD = self.n, self.n + 1, self.n + 2, self.n + 3
        self.vocab_size, self.seq_len = self.n + 4, 3 + arm_len + 1
        self.train_arms = np.arange(len(star.train))
        self.test_arms = np.arange(len(star.train), len(self.paths))

    def chain(self, arm: int) -> list[int]:
        return self.paths[arm]

    def edge_examples(self) -> tuple[torch.Tensor, torch.Tensor]:
        pad = [self.PAD] * (self.seq_len - 3)
        x = [[self.EDGE, u, v, *pad] for u, v in self.pairs]
        y = [[IGNORE, v] + [IGNORE] * (self.seq_len - 2) for _, v in self.pairs]
        return torch.tensor(x), torch.tensor(y)


def make_task(p: dict, inputs: dict) -> StarTask:
    """The generated star, or the paper's own from its three files (all named in the config)."""
    if all(inputs.get(k) for k in FileStarTask.STAR_FILES):
        return FileStarTask(inputs, p["deg"], p["arm_len"], p["seed"])
    return StarTask(p["deg"], p["arm_len"], p["seed"], p["train_share"])


def training_set(task: StarTask) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Every training example (edges of all arms: memorised by design; path queries of the training
    arms only) and how many of them are edges."""
    xe, ye = task.edge_examples()
    xp, yp = task.path_examples(task.train_arms)
    return torch.cat([xe, xp]), torch.cat([ye, yp]), len(xe)


def held_out_overlap(task: StarTask) -> float:
    """Measured: the share of test path queries (held-out leaves) whose prompt is a training example;
    0 by construction, since the training and test arms are disjoint."""
    return overlap(task.query_keys(task.path_examples(task.test_arms)[0]), task.query_keys(training_set(task)[0]))


def batch_fn(task: StarTask, batch_size: int, path_share: float | str, seed: int):
    """batch(step) → (x, y): batch_size training examples drawn with replacement from generator(seed, step).
    path_share: the share of path queries in a batch (the rest: edges), or "uniform": every edge and path
    query equally likely, as the official mixed recipe samples them (a path's share is then
    n_paths / (n_paths + n_edges))."""
    X, Y, n_edges = training_set(task)
    if path_share == "uniform":
        weight = torch.ones(len(X))
    else:
        n_paths = len(X) - n_edges
        weight = torch.cat([torch.full((n_edges,), (1 - path_share) / n_edges),
                            torch.full((n_paths,), path_share / n_paths)])

    def batch(step: int):
        i = torch.multinomial(weight, batch_size, replacement=True, generator=generator(seed, step))
        return X[i], Y[i]
    return batch


@torch.no_grad()
def path_accuracy(model: GPT, task: StarTask, arms: np.ndarray) -> dict:
    x, _ = task.path_examples(arms)
    out = model.generate(x[:, :3], x.shape[1] - 3)
    truth = x[:, 3:]
    return {"path_accuracy": (out == truth).all(1).float().mean().item(),
            "first_hop_accuracy": (out[:, 1] == truth[:, 1]).float().mean().item()}


def train_star(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    seed_everything(p["seed"])
    task = make_task(p, inputs)
    model = GPT(GPTConfig(vocab_size=task.vocab_size, block_size=task.seq_len, **p["model"]))
    optim = OptimConfig.from_params(p["optim"])

    def evaluate(step: int, m: GPT) -> dict | None:
        if step % p["eval_every"] and step != optim.steps:
            return None
        m.eval()
        record = {"step": step, **{f"{split}_{k}": v for split, arms in
                                   (("train", task.train_arms), ("test", task.test_arms))
                                   for k, v in path_accuracy(m, task, arms).items()}}
        m.train()
        return record
    start = time.perf_counter()
    state = fit(model, batch_fn(task, p["batch_size"], p["path_share"], p["seed"]), optim,
                device=runtime.device(), on_step=evaluate, **resumable(outputs["metrics"], p))
    curve = state.evals
    model.cpu()
    write_json(outputs["metrics"], {
        "seed": p["seed"], "deg": p["deg"], "arm_len": p["arm_len"], "chance_first_hop": 1 / p["deg"],
        "n_train_leaves": len(task.train_arms), "n_test_leaves": len(task.test_arms), "n_params": n_params(model),
        "train_seconds": time.perf_counter() - start, "curve": curve, "history": state.history, **curve[-1],
        OVERLAP: held_out_overlap(task),
        **({k: str(inputs[k]) for k in FileStarTask.STAR_FILES} | {"train_queries_excluded": task.excluded}
           if isinstance(task, FileStarTask) else {})})
