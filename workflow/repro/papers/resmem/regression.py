"""The stylized regression: y = ⟨β, x⟩ + a·sin(freq·x₁) + noise with x ~ U[−1, 1]^d. The base is least
squares (it can only learn the linear part); ResMem adds a soft kNN over its training residuals. Test
risk (MSE) of both vs the number of training points n."""
from __future__ import annotations

import numpy as np

from repro.core.io import write_json
from repro.papers.resmem.knn import SoftKNN, tune


def sample(n: int, beta: np.ndarray, p: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-1, 1, (n, len(beta)))
    return x, x @ beta + p["amplitude"] * np.sin(p["frequency"] * x[:, 0]) + p["noise"] * rng.standard_normal(n)


def regression(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rng = np.random.default_rng(p["seed"])
    beta = rng.standard_normal(p["dim"])
    x_test, y_test = sample(p["n_test"], beta, p, rng)
    rows = []
    for n in p["sizes"]:
        x, y = sample(n, beta, p, rng)
        x_val, y_val = sample(p["n_val"], beta, p, rng)
        design = lambda v: np.column_stack([v, np.ones(len(v))])  # noqa: E731
        coef = np.linalg.lstsq(design(x), y, rcond=None)[0]
        base = lambda v: design(v) @ coef  # noqa: E731
        knn = SoftKNN(x, y - base(x))
        best = tune(knn, lambda r: base(x_val) + r, x_val, lambda pred: -np.mean((pred - y_val) ** 2), p["ks"], p["sigmas"])
        rows.append({"seed": p["seed"], "n": n, "base_risk": float(np.mean((base(x_test) - y_test) ** 2)),
                     "resmem_risk": float(np.mean((base(x_test) + knn(x_test, *best) - y_test) ** 2)),
                     "k": best[0], "sigma": best[1]})
    write_json(outputs["metrics"], {"seed": p["seed"], "rows": rows})
