"""The synthetic pretraining mixture of the down-scaling study, three task families in one vocabulary:

- fact recall: `[F] s r o s r o …`, facts from a fixed random table (subject, relation) → object,
  recalled from weights (the closed-book QA stand-in; the table is sized to take a real share of the
  model); every object is scored;
- in-context retrieval: `[C] k1 v1 … kK vK [Q] k v k v …`, fresh random key → value pairs given in the
  context, then queries of those keys (open-book QA; multi-query, every queried value scored);
- in-context learning: `[L] x1 y1 x2 y2 …` with y = x + c (mod P) and c drawn per sequence, so the
  function has to be inferred from the exemplars; every y after the first is scored, and accuracy is
  measured on the last `queries` ones (after at least `pairs` exemplars).
"""
from __future__ import annotations

import torch
from torch import Tensor

from repro.core.seeding import generator
from repro.nn.gpt import IGNORE

FAMILIES = ("fact", "retrieval", "icl")


class Mixture:
    def __init__(self, p: dict):
        self.n_subjects, self.n_relations, self.n_objects = p["subjects"], p["relations"], p["objects"]
        self.n_keys, self.P, self.K, self.n_queries = p["keys"], p["modulus"], p["pairs"], p["queries"]
        self.facts = torch.randint(0, self.n_objects, (self.n_subjects, self.n_relations),
                                   generator=generator(p["fact_seed"]))
        # token blocks: subjects | objects (fact answers and retrieval values) | keys | numbers | relations | specials
        self.obj0 = self.n_subjects
        self.key0 = self.obj0 + self.n_objects
        self.num0 = self.key0 + self.n_keys
        self.rel0 = self.num0 + self.P
        self.F, self.C, self.L, self.Q, self.PAD = range(self.rel0 + self.n_relations, self.rel0 + self.n_relations + 5)
        self.vocab_size = self.PAD + 1
        self.seq_len = 2 + 2 * (self.K + self.n_queries)
        self.facts_per_sequence = (self.seq_len - 1) // 3
        self.mix = [float(w) for w in p["mix"]]

    @staticmethod
    def _lm(x: Tensor, scored: Tensor) -> tuple[Tensor, Tensor]:
        """(inputs, targets) with loss only where `scored` (B, T) marks a token of x."""
        y = torch.where(scored, x, torch.full_like(x, IGNORE))
        return x[:, :-1], y[:, 1:]

    def fact(self, n: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
        m = self.facts_per_sequence
        s = torch.randint(0, self.n_subjects, (n, m), generator=g)
        r = torch.randint(0, self.n_relations, (n, m), generator=g)
        triples = torch.stack([s, self.rel0 + r, self.obj0 + self.facts[s, r]], 2).reshape(n, -1)
        pad = torch.full((n, self.seq_len - 1 - triples.shape[1]), self.PAD)
        x = torch.cat([torch.full((n, 1), self.F), triples, pad], 1)
        scored = torch.zeros_like(x, dtype=torch.bool)
        scored[:, 3:1 + 3 * m:3] = True
        return self._lm(x, scored)

    def retrieval(self, n: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
        keys = torch.rand(n, self.n_keys, generator=g).argsort(1)[:, : self.K] + self.key0
        values = torch.randint(0, self.n_objects, (n, self.K), generator=g) + self.obj0
        q = torch.rand(n, self.K, generator=g).argsort(1)[:, : self.n_queries] if self.n_queries <= self.K else \
            torch.randint(0, self.K, (n, self.n_queries), generator=g)
        context = torch.stack([keys, values], 2).reshape(n, -1)
        queries = torch.stack([keys.gather(1, q), values.gather(1, q)], 2).reshape(n, -1)
        x = torch.cat([torch.full((n, 1), self.C), context, torch.full((n, 1), self.Q), queries], 1)
        scored = torch.zeros_like(x, dtype=torch.bool)
        scored[:, 2 * self.K + 3::2] = True
        return self._lm(x, scored)

    def icl(self, n: int, g: torch.Generator, last_only: bool = False) -> tuple[Tensor, Tensor]:
        m = self.K + self.n_queries
        c = torch.randint(0, self.P, (n, 1), generator=g)
        xs = torch.randint(0, self.P, (n, m), generator=g)
        pairs = torch.stack([xs, (xs + c) % self.P], 2).reshape(n, -1) + self.num0
        x = torch.cat([torch.full((n, 1), self.L), pairs, torch.full((n, 1), self.Q)], 1)  # Q: unscored filler
        scored = torch.zeros_like(x, dtype=torch.bool)
        first = 2 * (self.K + 1) if last_only else 4
        scored[:, first:2 * m + 1:2] = True
        return self._lm(x, scored)

    def batch(self, n: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
        total = sum(self.mix)
        sizes = [round(n * w / total) for w in self.mix[:-1]]
        sizes.append(n - sum(sizes))
        parts = [getattr(self, f)(m, g) for f, m in zip(FAMILIES, sizes)]
        return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])

    def test_sets(self, n: int, seed: int) -> dict[str, tuple[Tensor, Tensor]]:
        """Per family, n held-out sequences; ICL is scored only after `pairs` exemplars."""
        g = generator(seed, 4242)
        return {"fact": self.fact(n, g), "retrieval": self.retrieval(n, g), "icl": self.icl(n, g, last_only=True)}


@torch.no_grad()
def accuracy(model, inputs: Tensor, targets: Tensor) -> float:
    scored = targets != IGNORE
    logits = model.logits(model.hidden(inputs)[scored])
    return (logits.argmax(-1) == targets[scored]).float().mean().item()
