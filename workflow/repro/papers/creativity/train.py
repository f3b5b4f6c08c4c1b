"""Train one arm on one task with one seed, then generate one answer per test prompt and score it.

Arms (all the same GPT size and step budget):
- ntp: next-token prediction on `hash SEP answer`; greedy decoding from fresh hashes (seed-conditioning);
- teacherless: the paper's hybrid data, half of each batch next-token and half teacherless (every answer
  input replaced by a dummy, all answer tokens predicted from the hash alone); decoding stays greedy
  and autoregressive;
- diffusion: masked diffusion over the answer (bidirectional GPT, `repro.nn.diffusion`), conditioned on
  the hash and decoded by ancestral sampling (the diffusion sampler has no greedy counterpart);
- ntp_nohash: next-token prediction with a constant prompt, decoded by temperature sampling.
The ntp model is also decoded at the no-hash arm's temperatures (hash + temperature: the paper's grid).
"""
from __future__ import annotations

import time

import numpy as np
import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, seed_everything
from repro.data.heldout import OVERLAP, overlap, row_keys
from repro.nn.diffusion import MaskedDiffusion, mask_answers
from repro.nn.gpt import GPT, GPTConfig, IGNORE, teacherless_inputs
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.creativity.tasks import TASKS, hashes, scores


def sequences(task, answers: np.ndarray, prompts: np.ndarray) -> torch.Tensor:
    sep = np.full((len(answers), 1), task.vocab.sep)
    return torch.as_tensor(np.concatenate([prompts, sep, answers], axis=1))


def ntp_batches(x: torch.Tensor, start: int, batch_size: int, seed: int, dummy: int, teacherless: bool):
    """(inputs, targets) with loss on the answer only; in teacherless mode half the batch has its
    answer inputs replaced by the dummy token."""
    inputs, targets = x[:, :-1], x[:, 1:].clone()
    targets[:, : start - 1] = IGNORE

    def batch(step: int):
        i = torch.randint(len(x), (batch_size,), generator=generator(seed, step))
        inp = inputs[i]
        if teacherless:
            answer_inputs = torch.zeros_like(inp, dtype=torch.bool)
            answer_inputs[: batch_size // 2, start:] = True
            inp = teacherless_inputs(inp, answer_inputs, dummy)
        return inp, targets[i]
    return batch


def diffusion_batches(x: torch.Tensor, start: int, batch_size: int, seed: int, mask_id: int):
    def batch(step: int):
        g = generator(seed, step)
        i = torch.randint(len(x), (batch_size,), generator=g)
        return mask_answers(x[i], start, mask_id, g)
    return batch


def data(task, p: dict, arm: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training answers, their prompts (hashes) and the test prompts. Held out: a test instance is its
    prompt; test hashes are drawn excluding the training ones (train_test_overlap 0), except in the
    no-hash arm, whose one constant prompt is every training and test prompt by design (overlap 1)."""
    rng = np.random.default_rng(seed)
    answers = task.sample_answers(p["n_train"], rng)
    train_hashes = hashes(len(answers), p["hash_len"], task.vocab, rng)
    test_hashes = hashes(p["n_test"], p["hash_len"], task.vocab, rng, exclude=set(map(tuple, train_hashes)))
    if arm == "ntp_nohash":
        filler = task.vocab.dummy
        train_hashes, test_hashes = np.full_like(train_hashes, filler), np.full_like(test_hashes, filler)
    return answers, train_hashes, test_hashes


class Run:
    """One run's task and data, shared by this from-scratch trainer and the full-scale GPT-2 finetuning
    (creativity.hub): the training sequences x (n, hash_len + 1 + answer_len) with the answer from `start`,
    the test prompts (n_test, hash_len + 1) and the train/test overlap of the prompts."""

    def __init__(self, p: dict):
        seed_everything(p["seed"])
        self.p, self.task = p, TASKS[p["task"]](p)
        self.answers, train_hashes, test_hashes = data(self.task, p, p["arm"], p["seed"])
        self.held_out = overlap(row_keys(test_hashes), row_keys(train_hashes))
        self.x = sequences(self.task, self.answers, train_hashes)
        self.start = p["hash_len"] + 1  # first answer position
        sep = np.full((len(test_hashes), 1), self.task.vocab.sep)
        self.prompts = torch.as_tensor(np.concatenate([test_hashes, sep], axis=1))
        self.train_set = {self.task.canonical(tuple(a)) for a in self.answers.tolist()}
        self.examples = None  # the first decoding's first answers (greedy where there is one)

    def temperatures(self) -> list[float]:
        """Decoding temperatures (0 = greedy): the no-hash arm samples at each configured temperature; the
        NTP + hash model is decoded greedily and at the same temperatures (the paper's hash × decoding grid:
        no retraining, the same model); the other arms greedily."""
        arm = self.p["arm"]
        return {"ntp_nohash": list(self.p["temperatures"]), "ntp": [0.0, *self.p["temperatures"]]}.get(arm, [0.0])

    def row(self, temperature: float, out: torch.Tensor, **extra) -> dict:
        """The scores of decoded answers out (n_test, answer_len) against the training set; the first call's
        answers are the metrics file's examples."""
        if self.examples is None:
            self.examples = out[:5].tolist()
        return {"task": self.task.name, "arm": self.p["arm"], "seed": self.p["seed"], "temperature": temperature,
                **extra, **scores(self.task, [tuple(a) for a in out.tolist()], self.train_set)}

    def write(self, path: str, rows: list[dict], seconds: float, state) -> None:
        write_json(path, {"rows": rows, "train_seconds": seconds, "history": state.history,
                          "examples": self.examples, OVERLAP: self.held_out})


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    seed, arm = p["seed"], p["arm"]
    run = Run(p)
    task, x, start = run.task, run.x, run.start
    v = task.vocab
    diffusion = arm == "diffusion"
    gpt = GPT(GPTConfig(vocab_size=v.size, block_size=x.shape[1], causal=not diffusion, **p["model"]))
    model = MaskedDiffusion(gpt) if diffusion else gpt
    batches = (diffusion_batches(x, start, p["batch_size"], seed, v.mask) if diffusion else
               ntp_batches(x, start, p["batch_size"], seed, v.dummy, teacherless=arm == "teacherless"))
    optim = OptimConfig.from_params(p["optim"])
    t0 = time.perf_counter()
    state = fit(model, batches, optim, device=runtime.device(), **resumable(outputs["metrics"], params))
    model.eval()  # decoded on the training device (draws on the CPU: the same on any device)
    seconds = time.perf_counter() - t0

    rows = []  # decoding draws from (seed, 999, 1), not (seed, 999): the stream of training batch 999
    for temperature in run.temperatures():
        if diffusion:
            out = model.sample(run.prompts, task.answer_len, v.mask, generator(seed, 999, 1))
        else:
            out = gpt.generate(run.prompts, task.answer_len, temperature, generator(seed, 999, 1))
        rows.append(run.row(temperature, out))
    run.write(outputs["metrics"], rows, seconds, state)
