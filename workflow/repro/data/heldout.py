"""Held-out means held out: a generated test instance must never be a training draw.

Each generator defines a canonical key for "the same instance" (e.g. path-star: source, goal and the
edge *set*, whatever the edge order), and training draws whose key is a test key are redrawn from the
same generator, so a step's batch stays a pure function of (seed, step) and CPU runs stay bitwise
repeatable. Where exclusion is impossible or not meaningful (facts memorised by design, a constant
prompt), the overlap is measured instead and written to the job's metrics as `train_test_overlap`:
the fraction of test instances (rows, as they are scored) whose key occurs among the training data.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch
from torch import Tensor

Key = bytes
OVERLAP = "train_test_overlap"  # the metrics key, in every LM paper's metrics JSON


def row_keys(x: Tensor | np.ndarray) -> list[Key]:
    """One hashable key per row of an integer (n, d) array: its int64 bytes (exact, no collisions)."""
    a = np.ascontiguousarray(x.numpy() if isinstance(x, Tensor) else np.asarray(x), dtype=np.int64)
    if a.ndim != 2:
        a = a.reshape(a.shape[0], int(np.prod(a.shape[1:])))
    return [r.tobytes() for r in a]


def hits(keys: Iterable[Key], exclude: set | frozenset) -> list[int]:
    """Indices of the keys that are in `exclude`."""
    return [i for i, k in enumerate(keys) if k in exclude]


Draw = Callable[[int, torch.Generator], Sequence[Tensor]]


def draw_excluding(draw: Draw, key: Callable[[Sequence[Tensor]], list[Key]], n: int, gen: torch.Generator,
                   exclude: set | frozenset, max_rounds: int = 1000) -> tuple[Tensor, ...]:
    """`draw(n, gen)` with every row whose key is in `exclude` replaced by a fresh draw from the same
    generator (repeated until none is left). With nothing to exclude it is exactly `draw(n, gen)`, and
    it is always a pure function of the generator's state."""
    out = tuple(draw(n, gen))
    if not exclude:
        return out
    bad = hits(key(out), exclude)
    if bad:  # rows are replaced in place: never in tensors the draw function may share
        out = tuple(t.clone() for t in out)
    for _ in range(max_rounds):
        if not bad:
            return out
        new = tuple(draw(len(bad), gen))
        idx = torch.tensor(bad)
        for t, s in zip(out, new):
            t[idx] = s
        bad = [b for b, k in zip(bad, key(new)) if k in exclude]
    raise RuntimeError(f"held-out exclusion: {len(bad)} draws still hit the {len(exclude)} excluded test "
                       f"instances after {max_rounds} redraws; is the instance space (almost) all test set?")


def distinct_excluding(draw: Draw, key: Callable[[Sequence[Tensor]], list[Key]], n: int, gen: torch.Generator,
                       exclude: set | frozenset = frozenset(), max_rounds: int = 1000) -> tuple[Tensor, ...]:
    """n rows with pairwise distinct keys, none in `exclude` (a deduplicated test set): `draw(n, gen)`
    with later duplicates replaced by fresh draws. Without duplicates it is exactly `draw(n, gen)`."""
    out = tuple(t.clone() for t in draw(n, gen))
    keys = key(out)
    seen, bad = set(exclude), []
    for i, k in enumerate(keys):
        (bad.append(i) if k in seen else seen.add(k))
    for _ in range(max_rounds):
        if not bad:
            return out
        new = tuple(draw(len(bad), gen))
        still = []
        for j, (i, k) in enumerate(zip(bad, key(new))):
            if k in seen:
                still.append(i)
                continue
            seen.add(k)
            for t, s in zip(out, new):
                t[i] = s[j]
        bad = still
    raise RuntimeError(f"held-out test set: cannot find {n} distinct instances ({len(bad)} missing after "
                       f"{max_rounds} redraws); the instance space is too small")


def overlap(test_keys: Sequence[Key], train_keys: Iterable[Key]) -> float:
    """Fraction of the test rows whose key occurs among the training keys (0 for an empty test set)."""
    train = train_keys if isinstance(train_keys, (set, frozenset)) else set(train_keys)
    return sum(k in train for k in test_keys) / len(test_keys) if len(test_keys) else 0.0
