"""The synthetic pretraining mixture of the down-scaling study, three task families in one vocabulary:

- fact recall: `[F] s r o s r o …`, facts from a fixed random table (subject, relation) → object,
  recalled from weights (the closed-book QA stand-in); every object is scored. A subject is a name of
  `subject_tokens` tokens over a shared alphabet of `alphabet` symbols (2 tokens over 64 symbols: up to
  4,096 names), so the table cannot sit in one private embedding row per subject: it has to live in the
  blocks' weights, the only weights pruning reaches (as in an LLM, where facts live in MLP weights and
  names are several tokens). `subject_tokens: 1` gives every subject its own token;
- in-context retrieval: `[C] k1 v1 … kK vK [Q] k v k v …`, fresh random key → value pairs given in the
  context, then queries of those keys, drawn with replacement (open-book QA; every queried value scored);
- in-context learning of a function drawn per sequence, inferred from the exemplars `[L] x1 y1 x2 y2 …`:
  `icl: threshold`, a 1-D threshold classifier y = [x ≥ t] with t drawn per sequence (the simplest case of
  the paper's in-context linear classifier), or `icl: shift`, y = x + c (mod P). Every y after the first is
  scored in training; accuracy is measured on the last `queries` ones (after `pairs` exemplars).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from repro.core.seeding import generator
from repro.data.heldout import draw_excluding, overlap, row_keys
from repro.nn.gpt import IGNORE

FAMILIES = ("fact", "retrieval", "icl")
HELD_OUT = ("retrieval", "icl")  # evaluated on sequences never trained on; facts are memorised by design


class Mixture:
    def __init__(self, p: dict):
        self.n_subjects, self.n_relations, self.n_objects = p["subjects"], p["relations"], p["objects"]
        self.n_keys, self.P, self.K, self.n_queries = p["keys"], p["modulus"], p["pairs"], p["queries"]
        self.icl_task = p.get("icl", "shift")
        if self.icl_task not in ("shift", "threshold"):
            raise ValueError(f"downscaling: icl must be 'shift' or 'threshold', got {self.icl_task!r}")
        self.subject_tokens = p.get("subject_tokens", 1)
        self.alphabet = p.get("alphabet", self.n_subjects) if self.subject_tokens > 1 else self.n_subjects
        if self.alphabet ** self.subject_tokens < self.n_subjects:
            raise ValueError(f"downscaling: {self.n_subjects} subjects need more names than {self.alphabet} symbols "
                             f"give in {self.subject_tokens} tokens ({self.alphabet ** self.subject_tokens})")
        g = generator(p["fact_seed"])
        self.facts = torch.randint(0, self.n_objects, (self.n_subjects, self.n_relations), generator=g)
        # subject i's name: distinct random symbol tuples (names[i] = its tokens; code → subject index)
        codes = torch.randperm(self.alphabet ** self.subject_tokens, generator=g)[: self.n_subjects] \
            if self.subject_tokens > 1 else torch.arange(self.n_subjects)
        self._place = self.alphabet ** torch.arange(self.subject_tokens)  # a name's code = Σ token · place
        self.names = codes[:, None] // self._place % self.alphabet
        self._subject_of = torch.full((self.alphabet ** self.subject_tokens,), -1, dtype=torch.long)
        self._subject_of[codes] = torch.arange(self.n_subjects)
        # token blocks: name symbols | objects (fact answers and retrieval values) | keys | numbers | relations | specials
        self.obj0 = self.alphabet
        self.key0 = self.obj0 + self.n_objects
        self.num0 = self.key0 + self.n_keys
        self.rel0 = self.num0 + self.P
        self.F, self.C, self.L, self.Q, self.PAD = range(self.rel0 + self.n_relations, self.rel0 + self.n_relations + 5)
        self.vocab_size = self.PAD + 1
        self.seq_len = 2 + 2 * (self.K + self.n_queries)
        self.fact_len = self.subject_tokens + 2  # name, relation, object
        self.facts_per_sequence = (self.seq_len - 1) // self.fact_len
        if self.facts_per_sequence < 1:
            raise ValueError(f"downscaling: a fact of {self.fact_len} tokens does not fit a sequence of {self.seq_len}")
        self.mix = [float(w) for w in p["mix"]]

    def baseline(self) -> dict[str, float]:
        """Per family, the best expected accuracy without the skill the family tests (a fraction):
        - fact: the relation's most common object, without knowing the subject (exact, from the table);
        - retrieval: the most frequent value in the context, without matching the query's key (Monte Carlo,
          100,000 contexts from a fixed stream, so the same number every time);
        - icl: the label most likely given the query x alone, without the exemplars (exact): for `threshold`
          P(y = 1 | x) = #{t <= x} / (P - 1) with t uniform in 1..P-1; for `shift` 1 / P.
        Claims normalise accuracy above these floors (claims.skill_retained)."""
        counts = torch.stack([torch.bincount(self.facts[:, r], minlength=self.n_objects)
                              for r in range(self.n_relations)])
        fact = (counts.max(1).values.float() / self.n_subjects).mean().item()
        values = torch.randint(0, self.n_objects, (100_000, self.K), generator=generator(0))
        same = (values[:, :, None] == values[:, None, :]).sum(2)  # each value's multiplicity in its context
        retrieval = (same.max(1).values.float() / self.K).mean().item()
        if self.icl_task == "threshold":
            p1 = torch.arange(self.P, dtype=torch.float64).clamp(max=self.P - 1) / (self.P - 1)
            icl = torch.maximum(p1, 1 - p1).mean().item()
        else:
            icl = 1 / self.P
        return {"fact": fact, "retrieval": retrieval, "icl": icl}

    @staticmethod
    def _lm(x: Tensor, scored: Tensor) -> tuple[Tensor, Tensor]:
        """(inputs, targets) with loss only where `scored` (B, T) marks a token of x."""
        y = torch.where(scored, x, torch.full_like(x, IGNORE))
        return x[:, :-1], y[:, 1:]

    # Each family draws whole sequences (`*_x`); the scored positions are the same for every row.
    def fact_x(self, n: int, g: torch.Generator) -> Tensor:
        m = self.facts_per_sequence
        s = torch.randint(0, self.n_subjects, (n, m), generator=g)
        r = torch.randint(0, self.n_relations, (n, m), generator=g)
        triples = torch.cat([self.names[s], (self.rel0 + r)[..., None], (self.obj0 + self.facts[s, r])[..., None]], 2)
        triples = triples.reshape(n, m * self.fact_len)  # explicit sizes: n may be 0 (a family with no share)
        pad = torch.full((n, self.seq_len - 1 - triples.shape[1]), self.PAD)
        return torch.cat([torch.full((n, 1), self.F), triples, pad], 1)

    def retrieval_x(self, n: int, g: torch.Generator) -> Tensor:
        keys = torch.rand(n, self.n_keys, generator=g).argsort(1)[:, : self.K] + self.key0
        values = torch.randint(0, self.n_objects, (n, self.K), generator=g) + self.obj0
        # queries drawn with replacement: without it the last query is known by elimination (4 distinct queries
        # of 4 keys score 0.52 with no retrieval at all), a shortcut the mixture's models settled in
        q = torch.randint(0, self.K, (n, self.n_queries), generator=g)
        context = torch.stack([keys, values], 2).reshape(n, 2 * self.K)
        queries = torch.stack([keys.gather(1, q), values.gather(1, q)], 2).reshape(n, 2 * self.n_queries)
        return torch.cat([torch.full((n, 1), self.C), context, torch.full((n, 1), self.Q), queries], 1)

    def icl_x(self, n: int, g: torch.Generator) -> Tensor:
        m = self.K + self.n_queries
        xs = torch.randint(0, self.P, (n, m), generator=g)
        if self.icl_task == "threshold":  # y = [x >= t], t in 1..P-1: both labels possible
            t = torch.randint(1, self.P, (n, 1), generator=g)
            ys = (xs >= t).long()
        else:
            c = torch.randint(0, self.P, (n, 1), generator=g)
            ys = (xs + c) % self.P
        pairs = torch.stack([xs, ys], 2).reshape(n, 2 * m) + self.num0
        return torch.cat([torch.full((n, 1), self.L), pairs, torch.full((n, 1), self.Q)], 1)  # Q: unscored filler

    def scored(self, family: str, last_only: bool = False) -> Tensor:
        """(1, seq_len) mask of the scored tokens of a family's sequences."""
        scored = torch.zeros(1, self.seq_len, dtype=torch.bool)
        if family == "fact":
            scored[:, self.fact_len:1 + self.fact_len * self.facts_per_sequence:self.fact_len] = True
        elif family == "retrieval":
            scored[:, 2 * self.K + 3::2] = True
        elif family == "icl":  # ICL is scored after `pairs` exemplars at test time (last_only)
            scored[:, 2 * (self.K + 1) if last_only else 4:2 * (self.K + self.n_queries) + 1:2] = True
        else:
            raise ValueError(f"unknown downscaling family {family!r}; expected one of {FAMILIES}")
        return scored

    def keys(self, family: str, x: Tensor) -> list[bytes]:
        """Canonical instance keys of the held-out families (repro.data.heldout):
        - retrieval: the context as a set of key → value pairs (any listing order) and the queries in order;
        - icl: the exemplar (x, y) pairs as a multiset and the query pairs in order (for `shift` the pairs
          determine c; for `threshold` two thresholds that label the shown xs alike are the same instance).
        Facts have none: recalling the (memorised) fact table is the point, so they are not held out.
        x: whole sequences or just the model inputs (the last token is a function of the others)."""
        a = x.numpy()  # numpy: a few small ops per training step, cheaper than torch's
        if family == "retrieval":
            context = np.sort(a[:, 1:1 + 2 * self.K:2] * self.vocab_size + a[:, 2:2 + 2 * self.K:2], axis=1)
            return row_keys(np.concatenate([context, a[:, 2 + 2 * self.K:self.seq_len - 1]], axis=1))
        if family == "icl":
            end = 1 + 2 * (self.K + self.n_queries)
            pairs = (a[:, 1:end:2] - self.num0) * self.P + a[:, 2:end:2] - self.num0
            return row_keys(np.concatenate([np.sort(pairs[:, : self.K], axis=1), pairs[:, self.K:]], axis=1))
        raise ValueError(f"downscaling: no held-out key for family {family!r}")

    def draw(self, family: str, n: int, g: torch.Generator, exclude: set | frozenset = frozenset(),
             last_only: bool = False) -> tuple[Tensor, Tensor]:
        """n (inputs, targets) of one family; draws whose key is in `exclude` are redrawn from g."""
        sample = getattr(self, f"{family}_x")
        if exclude:
            (x,) = draw_excluding(lambda k, gen: (sample(k, gen),), lambda b: self.keys(family, b[0]), n, g, exclude)
        else:
            x = sample(n, g)
        return self._lm(x, self.scored(family, last_only).expand_as(x))

    def fact(self, n: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
        return self.draw("fact", n, g)

    def retrieval(self, n: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
        return self.draw("retrieval", n, g)

    def icl(self, n: int, g: torch.Generator, last_only: bool = False) -> tuple[Tensor, Tensor]:
        return self.draw("icl", n, g, last_only=last_only)

    def sizes(self, n: int) -> list[int]:
        total = sum(self.mix)
        sizes = [round(n * w / total) for w in self.mix[:-1]]
        return sizes + [n - sum(sizes)]

    def batch(self, n: int, g: torch.Generator, exclude: dict[str, set] | None = None) -> tuple[Tensor, Tensor]:
        """A training batch of the mixture; `exclude` (family → test keys, see `test_keys`) keeps the
        held-out families' test sequences out of it."""
        exclude = exclude or {}
        parts = [self.draw(f, m, g, exclude.get(f, frozenset())) for f, m in zip(FAMILIES, self.sizes(n))]
        return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])

    def test_sets(self, n: int, seed: int) -> dict[str, tuple[Tensor, Tensor]]:
        """Per family, n held-out sequences; ICL is scored only after `pairs` exemplars."""
        g = generator(seed, 4242, 1)  # a 3-tuple: never a training step's (seed, step) stream
        return {"fact": self.fact(n, g), "retrieval": self.retrieval(n, g), "icl": self.icl(n, g, last_only=True)}

    def test_keys(self, tests: dict[str, tuple[Tensor, Tensor]]) -> dict[str, set]:
        """The held-out families' test keys, to exclude from training (`batch(..., exclude=)`)."""
        return {f: set(self.keys(f, tests[f][0])) for f in HELD_OUT}

    def overlaps(self, tests: dict[str, tuple[Tensor, Tensor]], seed: int, steps: int, batch_size: int) -> dict:
        """Measured train/test overlap per family, the training stream replayed step by step.
        Held-out families: the fraction of test sequences whose key is a training draw (0 when training
        excluded them). Facts: the fraction of scored test fact queries (subject, relation) that training
        showed (≈1 by design: the table is memorised)."""
        size = dict(zip(FAMILIES, self.sizes(batch_size)))
        seen = torch.zeros(self.n_subjects * self.n_relations, dtype=torch.bool)
        train_keys: dict[str, set] = {f: set() for f in HELD_OUT}
        exclude = self.test_keys(tests)
        for step in range(steps):
            g = generator(seed, step)  # the same draws, in the same order, as batch() at this step
            for f in FAMILIES:
                x = self.draw(f, size[f], g, exclude.get(f, frozenset()))[0]
                if f == "fact":
                    seen[self.fact_codes(x)] = True
                else:
                    train_keys[f].update(self.keys(f, x))
        out = {"fact": seen[self.fact_codes(tests["fact"][0])].float().mean().item()}
        for f in HELD_OUT:
            out[f] = overlap(self.keys(f, tests[f][0]), train_keys[f])
        return out

    def fact_codes(self, x: Tensor) -> Tensor:
        """subject · relations + relation of every fact in fact sequences (or their inputs, which may lack the
        last object) x, flattened."""
        at = 1 + self.fact_len * torch.arange(self.facts_per_sequence)  # each fact's first name token
        names = torch.stack([x[:, at + j] for j in range(self.subject_tokens)], -1)
        s = self._subject_of[(names * self._place).sum(-1)]
        return (s * self.n_relations + x[:, at + self.subject_tokens] - self.rel0).reshape(-1)


@torch.no_grad()
def accuracy(model, inputs: Tensor, targets: Tensor) -> float:
    """Next-token accuracy at the scored positions, on the model's device, in fp32."""
    inputs, targets = inputs.to(model.device), targets.to(model.device)
    scored = targets != IGNORE
    logits = model.logits(model.hidden(inputs)[scored])
    return (logits.argmax(-1) == targets[scored]).float().mean().item()
