"""The open-ended tasks of Nagarajan, Wu et al. (2025), as token sequences `hash SEP answer`.

- Sibling discovery: parents a_i, each with two disjoint child sets B1_i, B2_i; a valid answer is
  `b1 b2 a` with b1 ∈ B1_a, b2 ∈ B2_a. Which child belongs to which parent is only ever seen in the
  training triples, so it must be held in weights.
- Circle construction: a valid answer lists, in any order, the k edges `u v` of one cycle through k
  distinct nodes out of n. Novelty is structural: nodes are relabelled by first appearance, so two
  answers that differ only by a node renaming count as the same.

Each training answer gets its own random hash (`hash_len` symbols); test prompts are fresh hashes.
The no-hash arm replaces every hash by a constant filler, so prompts carry no randomness.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np


@dataclass(frozen=True)
class Vocab:
    n_entities: int
    n_hash_symbols: int

    @property
    def hash0(self) -> int:
        return self.n_entities

    @property
    def sep(self) -> int:
        return self.n_entities + self.n_hash_symbols

    @property
    def dummy(self) -> int:  # teacherless input filler, the no-hash prompt filler
        return self.sep + 1

    @property
    def mask(self) -> int:  # the absorbing state of masked diffusion
        return self.sep + 2

    @property
    def size(self) -> int:
        return self.sep + 3


class Sibling:
    name = "sibling"

    def __init__(self, p: dict):
        self.n_parents, self.n_children = p["parents"], p["children"]
        # entities: parents 0..P-1, then B1 children and B2 children, C per parent each
        self.vocab = Vocab(self.n_parents * (1 + 2 * self.n_children), p["hash_symbols"])
        self.answer_len = 3

    def child(self, parent: np.ndarray, which: int, j: np.ndarray) -> np.ndarray:
        return self.n_parents + (which * self.n_parents + parent) * self.n_children + j

    def sample_answers(self, n: int, rng: np.random.Generator) -> np.ndarray:
        total = self.n_parents * self.n_children ** 2
        if n > total:
            raise ValueError(f"sibling: {n} training triples asked, only {total} exist")
        flat = rng.choice(total, n, replace=False)
        parent, rest = np.divmod(flat, self.n_children ** 2)
        j1, j2 = np.divmod(rest, self.n_children)
        return np.stack([self.child(parent, 0, j1), self.child(parent, 1, j2), parent], axis=1)

    def is_valid(self, ans: tuple[int, ...]) -> bool:
        b1, b2, a = ans
        if not 0 <= a < self.n_parents:
            return False
        c1, c2 = self.child(a, 0, np.arange(self.n_children)), self.child(a, 1, np.arange(self.n_children))
        return b1 in c1 and b2 in c2

    def canonical(self, ans: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(ans)


class Circle:
    name = "circle"

    def __init__(self, p: dict):
        self.n_nodes, self.k = p["nodes"], p["cycle_len"]
        self.vocab = Vocab(self.n_nodes, p["hash_symbols"])
        self.answer_len = 2 * self.k

    def sample_answers(self, n: int, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((n, self.answer_len), dtype=np.int64)
        for i in range(n):
            nodes = rng.choice(self.n_nodes, self.k, replace=False)
            edges = np.stack([nodes, np.roll(nodes, -1)], axis=1)[rng.permutation(self.k)]
            flip = rng.random(self.k) < 0.5
            edges[flip] = edges[flip, ::-1]
            out[i] = edges.reshape(-1)
        return out

    def is_valid(self, ans: tuple[int, ...]) -> bool:
        if max(ans) >= self.n_nodes:
            return False
        g = nx.MultiGraph(list(zip(ans[::2], ans[1::2])))
        return (g.number_of_nodes() == self.k and g.number_of_edges() == self.k and nx.is_connected(g)
                and all(d == 2 for _, d in g.degree) and nx.number_of_selfloops(g) == 0)

    def canonical(self, ans: tuple[int, ...]) -> tuple[int, ...]:
        first: dict[int, int] = {}
        return tuple(first.setdefault(t, len(first)) for t in ans)


TASKS = {"sibling": Sibling, "circle": Circle}


def hashes(n: int, length: int, vocab: Vocab, rng: np.random.Generator, exclude: set = frozenset()) -> np.ndarray:
    """n distinct random hashes, none of them in `exclude`."""
    if n + len(exclude) > vocab.n_hash_symbols ** length:
        raise ValueError(f"{n} new hashes asked, but only {vocab.n_hash_symbols}^{length} exist ({len(exclude)} excluded)")
    seen, out = set(exclude), []
    while len(out) < n:
        h = tuple(vocab.hash0 + rng.integers(0, vocab.n_hash_symbols, length))
        if h not in seen:
            seen.add(h)
            out.append(h)
    return np.array(out, dtype=np.int64)


def scores(task, answers: list[tuple[int, ...]], train: set) -> dict:
    """Creativity (unique, valid, unseen answers per prompt), validity and memorisation rates."""
    valid = [a for a in answers if len(a) == task.answer_len and task.is_valid(a)]
    canon = [task.canonical(a) for a in valid]
    novel = {c for c in canon if c not in train}
    n = len(answers)
    return {"creativity": len(novel) / n, "validity": len(valid) / n,
            "memorisation": sum(c in train for c in canon) / n, "n_prompts": n}
