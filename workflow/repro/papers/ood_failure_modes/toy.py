"""The 2-D toy: an invariant feature x_inv = y·u, u ~ U[γ, c], that alone separates the classes with
margin γ, and a spurious feature x_sp = ±1 that agrees with y in the majority group and disagrees
in the minority group.

- statistical skew: the majority is duplicated k times (p = k / (k + 1)); duplication leaves the
  max-margin classifier (w_sp = 0) unchanged, yet gradient descent on the logistic loss leans on
  x_sp for a long time, the more so the larger p;
- geometric skew: the minority has fewer *distinct* points; the max-margin classifier itself then
  uses x_sp, the more so the smaller the minority."""
from __future__ import annotations

import numpy as np
from sklearn.svm import SVC

from repro.core.io import write_json


def groups(n: int, gamma: float, c: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = rng.choice([-1.0, 1.0], n)
    return np.column_stack([y * rng.uniform(gamma, c, n), y]), y  # x_sp = y: the majority's sign


def spurious_share(w: np.ndarray) -> float:
    return float(abs(w[1]) / np.linalg.norm(w))


def gd_path(X: np.ndarray, y: np.ndarray, weights: np.ndarray, lr: float, epochs: int, record: np.ndarray) -> list[float]:
    """Full-batch gradient descent on the weighted logistic loss from w = 0 (no bias); the spurious
    share |w_sp| / ‖w‖ at the recorded epochs."""
    w, out, weights = np.zeros(2), [], weights / weights.sum()
    record = set(int(r) for r in record)
    for epoch in range(1, epochs + 1):
        margins = y * (X @ w)
        grad = -(weights * y / (1 + np.exp(margins))) @ X
        w -= lr * grad
        if epoch in record:
            out.append(spurious_share(w))
    return out


def max_margin(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Hard-margin linear SVM through the origin (a very large C on separable data)."""
    return SVC(kernel="linear", C=1e6).fit(np.vstack([X, -X]), np.concatenate([y, -y])).coef_[0]


def toy(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rng = np.random.default_rng(p["seed"])
    Xa, ya = groups(p["n_group"], p["gamma"], p["c"], rng)            # majority: x_sp = y
    Xb, yb = groups(p["n_group"], p["gamma"], p["c"], rng)
    Xb[:, 1] *= -1                                                     # minority: x_sp = -y
    X, y = np.vstack([Xa, Xb]), np.concatenate([ya, yb])
    record = np.unique(np.logspace(0, np.log10(p["epochs"]), p["records"]).astype(int))
    statistical = []
    for share in p["majority_shares"]:
        k = share / (1 - share)                                       # duplicates of each majority point
        weights = np.concatenate([np.full(len(ya), k), np.ones(len(yb))])
        statistical.append({"majority_share": share, "epochs": record.tolist(),
                            "spurious_share": gd_path(X, y, weights, p["lr"], p["epochs"], record),
                            "max_margin_spurious_share": spurious_share(max_margin(X, y))})
    geometric = []
    for n_minority in p["minority_sizes"]:
        Xg, yg = np.vstack([Xa, Xb[:n_minority]]), np.concatenate([ya, yb[:n_minority]])
        geometric.append({"minority_points": n_minority, "minority_fraction": n_minority / len(yg),
                          "max_margin_spurious_share": spurious_share(max_margin(Xg, yg))})
    write_json(outputs["result"], {"seed": p["seed"], "statistical": statistical, "geometric": geometric})
