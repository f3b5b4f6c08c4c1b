"""A stream of sparse-polynomial regression tasks over n boolean features that share degree-2
monomials from a hidden dictionary, and three learners that pay for every feature they read:

- from scratch: reads all n features of every training example, Lasso over all degree-2 monomials;
- lifelong: reads only the variables of the monomials it has learned so far, fits least squares on
  them, and, only when held-out error says a monomial is missing, reads all n features of a few
  examples to find it (Lasso on the residual) and adds it to its dictionary;
- oracle: reads just the variables of the current target's monomials.
The paper is theory; this illustrates its claim that a lifelong learner needs far fewer feature
evaluations per example than one learning each task from scratch, when tasks share structure."""
from __future__ import annotations

from itertools import combinations

import numpy as np
from sklearn.linear_model import Lasso

from repro.core.io import write_json


def all_pairs(n: int) -> np.ndarray:
    return np.array(list(combinations(range(n), 2)))


def monomials(X: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    return X[:, pairs[:, 0]] * X[:, pairs[:, 1]] if len(pairs) else np.zeros((len(X), 0))


def relative_error(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean((y - pred) ** 2) / np.var(y))


def lasso_support(X: np.ndarray, y: np.ndarray, pairs: np.ndarray, alpha: float, threshold: float) -> np.ndarray:
    fit = Lasso(alpha=alpha, max_iter=5000).fit(monomials(X, pairs), y)
    return pairs[np.abs(fit.coef_) > threshold]


def least_squares(X: np.ndarray, y: np.ndarray, pairs: np.ndarray):
    A = np.column_stack([monomials(X, pairs), np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return lambda Z: np.column_stack([monomials(Z, pairs), np.ones(len(Z))]) @ coef


def sparse_fit(X: np.ndarray, y: np.ndarray, pairs: np.ndarray, alpha: float, threshold: float):
    """Lasso to select a few of the candidate monomials, then least squares on them."""
    support = lasso_support(X, y, pairs, alpha, threshold) if len(pairs) else pairs
    return least_squares(X, y, support)


class TaskStream:
    """Targets y = Σ c_j x_a x_b + noise over `per_task` monomials drawn from a hidden dictionary
    (of `dictionary` pairs of `relevant` variables); with probability p_new each monomial is instead
    a fresh pair of any variables (p_new = 1: unrelated tasks)."""

    def __init__(self, p: dict, rng: np.random.Generator):
        self.p, self.rng = p, rng
        relevant = rng.choice(p["n"], p["relevant"], replace=False)
        pairs = np.array(list(combinations(sorted(relevant), 2)))
        self.dictionary = pairs[rng.choice(len(pairs), p["dictionary"], replace=False)]

    def task(self) -> tuple[np.ndarray, np.ndarray]:
        p, rng = self.p, self.rng
        chosen = self.dictionary[rng.choice(len(self.dictionary), p["per_task"], replace=False)].copy()
        for j in range(len(chosen)):
            if rng.random() < p["p_new"]:
                chosen[j] = np.sort(rng.choice(p["n"], 2, replace=False))
        coef = rng.choice([-1.0, 1.0], len(chosen)) * rng.uniform(0.5, 1.5, len(chosen))
        return chosen, coef

    def examples(self, target: np.ndarray, coef: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
        X = self.rng.integers(0, 2, (m, self.p["n"])).astype(float)
        return X, monomials(X, target) @ coef + self.p["noise"] * self.rng.standard_normal(m)


def run_stream(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rng = np.random.default_rng(p["seed"])
    stream = TaskStream(p, rng)
    every_pair = all_pairs(p["n"])
    learned = np.zeros((0, 2), int)
    rows = []
    for t in range(p["tasks"]):
        target, coef = stream.task()
        X, y = stream.examples(target, coef, p["m"])
        X_test, y_test = stream.examples(target, coef, p["m_test"])
        row = {"task": t, "target_vars": len(np.unique(target))}

        # From scratch: all n features of every example.
        scratch = sparse_fit(X, y, every_pair, p["lasso_alpha"], p["support_threshold"])
        row |= {"scratch_features": float(p["n"]), "scratch_error": relative_error(y_test, scratch(X_test))}

        # Oracle: only the target's own variables.
        oracle = least_squares(X, y, target)
        row |= {"oracle_features": float(len(np.unique(target))), "oracle_error": relative_error(y_test, oracle(X_test))}

        # Lifelong: the learned dictionary's variables; probe all features only when validation fails.
        n_fit = int(p["m"] * (1 - p["validation_share"]))
        fit = sparse_fit(X[:n_fit], y[:n_fit], learned, p["lasso_alpha"], p["support_threshold"])
        probed = 0
        if not len(learned) or relative_error(y[n_fit:], fit(X[n_fit:])) > p["error_threshold"]:
            probed = p["probe"]
            residual = y[:probed] - (fit(X[:probed]) if len(learned) else y[:probed].mean())
            new = lasso_support(X[:probed], residual, every_pair, p["lasso_alpha"], p["support_threshold"])
            learned = np.unique(np.vstack([learned, new]), axis=0) if len(new) else learned
        used = sparse_fit(X, y, learned, p["lasso_alpha"], p["support_threshold"])
        n_vars = len(np.unique(learned))
        cost = probed * p["n"] + (p["m"] - probed) * n_vars
        row |= {"lifelong_features": cost / p["m"], "lifelong_error": relative_error(y_test, used(X_test)),
                "probed": probed > 0, "dictionary_size": len(learned)}
        rows.append(row)
    write_json(outputs["stream"], {"seed": p["seed"], "setting": p["setting"], "n": p["n"], "rows": rows})
