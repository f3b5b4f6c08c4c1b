"""Empirical risk minimisation over a parameter grid, and its generalisation gap vs sample size
(shared by the algorithm-configuration illustrations)."""
from __future__ import annotations

import numpy as np


def erm_gap_curve(train_utility: np.ndarray, test_utility: np.ndarray, sizes: list[int], repeats: int,
                  rng: np.random.Generator) -> dict:
    """train_utility: (instances, params) utilities of a pool to sample training sets from;
    test_utility: (test instances, params). For each m, `repeats` random training sets of m
    instances: ERM picks the best parameter on them; the gap is |train mean − test mean| at that
    parameter, and the excess is best test mean − test mean at it (both in utility units)."""
    test_mean = test_utility.mean(axis=0)
    out = {"m": [], "gap": [], "excess": [], "param_index": []}
    for m in sizes:
        for _ in range(repeats):
            idx = rng.choice(len(train_utility), size=m, replace=False)
            train_mean = train_utility[idx].mean(axis=0)
            best = int(np.argmax(train_mean))
            out["m"].append(m)
            out["gap"].append(float(abs(train_mean[best] - test_mean[best])))
            out["excess"].append(float(test_mean.max() - test_mean[best]))
            out["param_index"].append(best)
    return out


def loglog_slope(m: list[float], y: list[float]) -> float:
    """Least-squares slope of log y against log m (the bound's shape is slope −1/2)."""
    m, y = np.asarray(m, float), np.maximum(np.asarray(y, float), 1e-12)
    return float(np.polyfit(np.log(m), np.log(y), 1)[0])
