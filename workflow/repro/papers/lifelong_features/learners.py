"""Streams of related tasks over n boolean features, and three learners that pay for every feature
they read (Balcan, Blum & Nagarajan, 2017, illustrated):

- lifelong (the theory's learner): reads the features of the structure it has learned on earlier tasks
  (monomials or decision-list features) on a few `id_examples`, identifies which part of it the target
  uses, then reads only that part's features on the other examples. When held-out (validation) error
  says something is missing, it reads all n features of a probe of `probe_start` examples, doubling the
  probe until validation passes (or the probe is the whole fitting split), and adds what it finds to
  what it knows;
- from scratch: the same protocol with nothing learned before (a probe of all n features that grows
  until validation passes, then only the found features): both stop at the same validation error, so
  their costs are compared at matched error;
- oracle: reads just the features of the current target.

Every feature evaluation is counted once per (example, feature) of the task (`learn_task`'s read mask).

Two task families: sparse degree-2 polynomials over a shared dictionary of monomials (regression),
and decision lists over a shared pool of features (classification). With probability p_new each
part of a target is new rather than shared (p_new = 1: unrelated tasks)."""
from __future__ import annotations

from itertools import combinations
from typing import Callable

import numpy as np
from sklearn.linear_model import Lasso

from repro.core.io import write_json

Predictor = Callable[[np.ndarray], np.ndarray]


def all_pairs(n: int) -> np.ndarray:
    return np.array(list(combinations(range(n), 2)))


def monomials(X: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    return X[:, pairs[:, 0]] * X[:, pairs[:, 1]] if len(pairs) else np.zeros((len(X), 0))


def relative_error(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean((y - pred) ** 2) / np.var(y))


def lasso_support(X: np.ndarray, y: np.ndarray, pairs: np.ndarray, alpha: float, threshold: float) -> np.ndarray:
    fit = Lasso(alpha=alpha, max_iter=5000).fit(monomials(X, pairs), y)
    return pairs[np.abs(fit.coef_) > threshold]


def least_squares(X: np.ndarray, y: np.ndarray, pairs: np.ndarray) -> Predictor:
    A = np.column_stack([monomials(X, pairs), np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return lambda Z: np.column_stack([monomials(Z, pairs), np.ones(len(Z))]) @ coef


def sparse_fit(X: np.ndarray, y: np.ndarray, pairs: np.ndarray, alpha: float, threshold: float) -> Predictor:
    """Lasso to select a few of the candidate monomials, then least squares on them."""
    support = lasso_support(X, y, pairs, alpha, threshold) if len(pairs) else pairs
    return least_squares(X, y, support)


class Polynomials:
    """y = Σ c_j x_a x_b + noise over `per_task` monomials from a hidden dictionary of `dictionary`
    pairs of `relevant` variables. Learned structure: an array of monomials (pairs)."""

    def __init__(self, p: dict, rng: np.random.Generator):
        self.p, self.rng = p, rng
        relevant = rng.choice(p["n"], p["relevant"], replace=False)
        pairs = np.array(list(combinations(sorted(relevant), 2)))
        self.dictionary = pairs[rng.choice(len(pairs), p["dictionary"], replace=False)]
        self.every = all_pairs(p["n"])
        self.empty = np.zeros((0, 2), int)

    def task(self):
        p, rng = self.p, self.rng
        chosen = self.dictionary[rng.choice(len(self.dictionary), p["per_task"], replace=False)].copy()
        for j in range(len(chosen)):
            if rng.random() < p["p_new"]:
                chosen[j] = np.sort(rng.choice(p["n"], 2, replace=False))
        return chosen, rng.choice([-1.0, 1.0], len(chosen)) * rng.uniform(0.5, 1.5, len(chosen))

    def examples(self, target, m: int) -> tuple[np.ndarray, np.ndarray]:
        pairs, coef = target
        X = self.rng.integers(0, 2, (m, self.p["n"])).astype(float)
        return X, monomials(X, pairs) @ coef + self.p["noise"] * self.rng.standard_normal(m)

    def structure_of(self, target) -> np.ndarray:
        return target[0]

    def features_of(self, structure: np.ndarray) -> np.ndarray:
        return np.unique(structure)

    def fit(self, X, y, structure) -> Predictor:
        return sparse_fit(X, y, structure, self.p["lasso_alpha"], self.p["support_threshold"])

    def discover(self, X, y, current: Predictor | None) -> np.ndarray:
        """Monomials that explain what the current fit misses: the `screen` pairs most correlated with the
        residual (sure independence screening, for speed), then Lasso on the residual over them."""
        residual = y - (current(X) if current is not None else y.mean())
        M = monomials(X, self.every)
        M, r = M - M.mean(0), residual - residual.mean()
        score = np.abs(M.T @ r) / np.maximum(np.linalg.norm(M, axis=0), 1e-12)   # |correlation| × ‖r‖
        screened = self.every[np.sort(np.argsort(-score, kind="stable")[: self.p["screen"]])]
        return lasso_support(X, residual, screened, self.p["lasso_alpha"], self.p["support_threshold"])

    def identify(self, X, y, known: np.ndarray) -> np.ndarray:
        """The known monomials the target uses (Lasso over them only)."""
        return lasso_support(X, y, known, self.p["lasso_alpha"], self.p["support_threshold"])

    def merge(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.unique(np.vstack([a, b]), axis=0) if len(b) else a

    error = staticmethod(relative_error)


class DecisionLists:
    """Labels from a decision list of `per_task` rules "if x_f = v then label" (and a default) whose
    features come from a hidden pool of `relevant` features; labels flipped with probability
    `noise`. Learned structure: an array of feature indices. Learner: Rivest's greedy algorithm."""

    def __init__(self, p: dict, rng: np.random.Generator):
        self.p, self.rng = p, rng
        self.pool = rng.choice(p["n"], p["relevant"], replace=False)
        self.every = np.arange(p["n"])
        self.empty = np.zeros(0, int)

    def task(self):
        p, rng = self.p, self.rng
        features = rng.choice(self.pool, p["per_task"], replace=False)
        for j in range(len(features)):
            if rng.random() < p["p_new"]:
                features[j] = rng.integers(p["n"])
        rules = [(int(f), int(rng.integers(2)), int(rng.integers(2))) for f in features]
        return rules, int(rng.integers(2))

    @staticmethod
    def predict(rules, default: int, X: np.ndarray) -> np.ndarray:
        labels = np.full(len(X), default)
        for f, v, label in reversed(rules):  # the first rule that fires wins
            labels[X[:, f] == v] = label
        return labels

    def examples(self, target, m: int) -> tuple[np.ndarray, np.ndarray]:
        X = self.rng.integers(0, 2, (m, self.p["n"]))
        y = self.predict(*target, X)
        return X, np.where(self.rng.random(m) < self.p["noise"], 1 - y, y)

    def structure_of(self, target) -> np.ndarray:
        return np.unique([f for f, _, _ in target[0]])

    def features_of(self, structure: np.ndarray) -> np.ndarray:
        return structure

    def fit(self, X, y, structure) -> Predictor:
        """Greedy decision list over the allowed features: repeatedly add the purest, then largest,
        rule on the examples not yet covered; a rule must cover at least `min_rule_cover` of them
        (so that noise is not memorised)."""
        rules, remaining = [], np.ones(len(y), bool)
        min_cover = max(1, int(self.p["min_rule_cover"] * len(y)))
        for _ in range(self.p["max_rules"]):
            yr = y[remaining]
            if len(structure) == 0 or len(yr) == 0 or yr.min() == yr.max():
                break
            Xr = X[remaining][:, structure]
            best = None
            for v in (0, 1):
                match = Xr == v
                n, pos = match.sum(0), (match & (yr[:, None] == 1)).sum(0)
                purity = np.where(n >= min_cover, np.maximum(pos, n - pos) / np.maximum(n, 1), -1.0)
                i = int(np.lexsort((n, purity))[-1])  # purity first, coverage breaks ties
                if purity[i] >= 0 and (best is None or (purity[i], n[i]) > best[0]):
                    best = ((purity[i], n[i]), (int(structure[i]), v, int(pos[i] * 2 >= n[i])))
            if best is None:
                break
            rules.append(best[1])
            remaining &= X[:, best[1][0]] != best[1][1]
        rest = y[remaining] if remaining.any() else y
        default = int(rest.mean() >= 0.5)
        predictor = lambda Z: self.predict(rules, default, Z)  # noqa: E731
        predictor.features = np.unique([f for f, _, _ in rules]).astype(int)
        return predictor

    def discover(self, X, y, current: Predictor | None) -> np.ndarray:
        """Features of a decision list learned from all n features of the probe examples."""
        return self.fit(X, y, self.every).features

    def identify(self, X, y, known: np.ndarray) -> np.ndarray:
        """The known features the target uses (a decision list learned over them only)."""
        return self.fit(X, y, known).features

    def merge(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.union1d(a, b).astype(int)

    @staticmethod
    def error(y: np.ndarray, pred: np.ndarray) -> float:
        return float(np.mean(y != pred))


FAMILIES = {"polynomials": Polynomials, "decision_lists": DecisionLists}


def learn_task(family, X: np.ndarray, y: np.ndarray, known, p: dict, id_examples: int):
    """One task under the feature-cost protocol. The last validation_share of the m examples validate.
    1. Read the features of `known` on the first id_examples (or probe) examples; identify the part of
       `known` the target uses (family.identify); read only that part's features on every other example;
       fit on the fitting split, validate.
    2. If validation error > error_threshold: read all n features of the first `probe` examples
       (probe_start, then doubling, at most the fitting split), discover new structure from them, add it
       to `known`, and go back to 1.
    Returns (predictor fitted on all m examples with the identified part, known structure after the task
    (what was known before plus the identified part),
    read mask [m, n] of the feature evaluations made, probe size used: 0 when none was needed)."""
    m, n = X.shape
    n_fit = int(m * (1 - p["validation_share"]))
    read, probe, before = np.zeros((m, n), bool), 0, known
    while True:
        k = min(n_fit, max(id_examples, probe))
        if len(known) and k:
            read[:k, family.features_of(known)] = True
            target = family.identify(X[:k], y[:k], known)
        else:
            target = family.empty
        read[:, family.features_of(target)] = True          # the fitting and validation examples
        model = family.fit(X[:n_fit], y[:n_fit], target)
        if family.error(y[n_fit:], model(X[n_fit:])) <= p["error_threshold"] or probe >= n_fit:
            break
        probe = min(n_fit, max(p["probe_start"], 2 * probe))
        read[:probe] = True                                   # every feature of the probe examples
        known = family.merge(known, family.discover(X[:probe], y[:probe], model))
    # Remember what was known plus the part this task's validated model uses (not every candidate a
    # small probe threw up: those would make every later task read them).
    return family.fit(X, y, target), family.merge(before, target), read, probe


def run_stream(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rng = np.random.default_rng(p["seed"])
    family = FAMILIES[p["family"]](p, rng)
    learned = family.empty
    rows = []
    for t in range(p["tasks"]):
        target = family.task()
        X, y = family.examples(target, p["m"])
        X_test, y_test = family.examples(target, p["m_test"])
        truth = family.structure_of(target)
        oracle = family.fit(X, y, truth)                         # reads the target's features
        scratch, _, scratch_read, scratch_probe = learn_task(family, X, y, family.empty, p, 0)
        final, learned, read, probe = learn_task(family, X, y, learned, p, p["id_examples"])
        rows.append({"task": t, "scratch_features": float(scratch_read.sum() / p["m"]),
                     "scratch_error": family.error(y_test, scratch(X_test)), "scratch_probe": scratch_probe,
                     "oracle_features": float(len(family.features_of(truth))),
                     "oracle_error": family.error(y_test, oracle(X_test)),
                     "lifelong_features": float(read.sum() / p["m"]), "lifelong_error": family.error(y_test, final(X_test)),
                     "lifelong_probe": probe, "probed": probe > 0, "known_structure": len(learned)})
    write_json(outputs["stream"], {"seed": p["seed"], "setting": p["setting"], "family": p["family"], "n": p["n"],
                                   "rows": rows})
