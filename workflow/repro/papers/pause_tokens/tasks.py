"""Synthetic downstream tasks where the answer depends on a query that comes last, so that nothing
before the query can finish the computation: extra positions after the query (pauses) are the only
extra parallel computation a fixed-depth model can get (Goyal et al.'s argument, made testable).

A context of n random digits is followed by `SEP`, one query token and the answer digit:
- window_sum: the query is a position q; answer = (x_q + … + x_{q+w−1}) mod 10, w reads after q is known;
- late_op: the query is an operation; answer = max, min, (sum mod 10) or the mode of the digits;
- late_count: the query is a digit d; answer = how many times d occurs in the context.

The pretraining corpus is free text of the same kind: several examples of both tasks concatenated,
every token scored, so pretraining teaches the skills and finetuning teaches the answer format.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from repro.core.seeding import generator
from repro.data.heldout import draw_excluding, hits, row_keys

OPS = ("max", "min", "sum", "mode")


@dataclass(frozen=True)
class Vocab:
    n_digits: int  # context length

    @property
    def pos0(self) -> int:  # position tokens P0..P(n-1)
        return 10

    @property
    def op0(self) -> int:
        return 10 + self.n_digits

    @property
    def sep(self) -> int:
        return self.op0 + len(OPS)

    @property
    def pause(self) -> int:
        return self.sep + 1

    @property
    def size(self) -> int:
        return self.sep + 2


def example_keys(x: Tensor) -> list[bytes]:
    """Canonical instance keys (repro.data.heldout) of examples (n, n_digits + 3): the prompt
    `x_1..x_n SEP query`, digits in order (what the model reads); the answer is a function of it."""
    return row_keys(x[:, :-1])


def examples(task: str, n: int, vocab: Vocab, window: int, gen: torch.Generator,
             exclude: set | frozenset = frozenset()) -> Tensor:
    """n examples `x_1..x_n SEP query answer`, (n, n_digits + 3); any whose key is in `exclude`
    (a test set's `example_keys`) is redrawn from gen."""
    if not exclude:
        return _examples(task, n, vocab, window, gen)
    draw = lambda k, g: (_examples(task, k, vocab, window, g),)  # noqa: E731
    return draw_excluding(draw, lambda b: example_keys(b[0]), n, gen, exclude)[0]


def test_examples(task: str, n: int, vocab: Vocab, window: int, seed: int) -> Tensor:
    """The held-out finetuning test set of a task (its own generator stream)."""
    return examples(task, n, vocab, window, generator(seed, 7777, 1))  # 3-tuple: never a training step's (seed, step)


def _examples(task: str, n: int, vocab: Vocab, window: int, gen: torch.Generator) -> Tensor:
    x = torch.randint(0, 10, (n, vocab.n_digits), generator=gen)
    if task == "window_sum":
        q = torch.randint(0, vocab.n_digits - window + 1, (n,), generator=gen)
        idx = q.unsqueeze(1) + torch.arange(window)
        answer = x.gather(1, idx).sum(1) % 10
        query = vocab.pos0 + q
    elif task == "late_op":
        op = torch.randint(0, len(OPS), (n,), generator=gen)
        counts = torch.nn.functional.one_hot(x, 10).sum(1)
        candidates = torch.stack([x.max(1).values, x.min(1).values, x.sum(1) % 10, counts.argmax(1)], dim=1)
        answer = candidates.gather(1, op.unsqueeze(1)).squeeze(1)
        query = vocab.op0 + op
    elif task == "late_count":
        d = torch.randint(0, 10, (n,), generator=gen)
        answer = (x == d.unsqueeze(1)).sum(1) % 10
        query = d
    else:
        raise ValueError(f"unknown pause_tokens task {task!r}")
    return torch.cat([x, torch.full((n, 1), vocab.sep), query.unsqueeze(1), answer.unsqueeze(1)], dim=1)


def corpus(n: int, per_sequence: int, tasks: list[str], vocab: Vocab, window: int, gen: torch.Generator,
           exclude: set | frozenset = frozenset()) -> Tensor:
    """Pretraining text: per_sequence random examples of random tasks, concatenated, (n, per_sequence·(n_digits+3)).
    Examples whose key is in `exclude` are redrawn (same task) from gen; with nothing excluded the
    draws are exactly those of the plain corpus."""
    parts = [examples(t, n * per_sequence, vocab, window, gen) for t in tasks]
    pick = torch.randint(0, len(tasks), (n * per_sequence,), generator=gen)
    chosen = torch.stack(parts)[pick, torch.arange(n * per_sequence)]
    if exclude and (bad := hits(example_keys(chosen), exclude)):
        bad = torch.tensor(bad)
        for i, task in enumerate(tasks):
            rows = bad[pick[bad] == i]
            if len(rows):
                chosen[rows] = examples(task, len(rows), vocab, window, gen, exclude)
    return chosen.view(n, -1)


def corpus_examples(x: Tensor, vocab: Vocab) -> Tensor:
    """The examples of corpus sequences (n, per_sequence·(n_digits+3)), one per row."""
    return x.reshape(-1, vocab.n_digits + 3)
