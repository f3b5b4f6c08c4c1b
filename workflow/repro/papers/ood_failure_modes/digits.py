"""Digits experiments (scikit-learn's bundled 8×8 digits; binary task: digit < 5).

- geometric skew: the ℓ2 norm of the max-margin classifier on random ReLU features grows with the
  number of training points n (so a spurious feature that adds margin becomes ever more useful);
- control vs experimental: a spurious feature s = ±scale agrees with the label in a majority group
  and disagrees in a minority group; in the control data both groups are equal (s carries no
  information), in the experimental data the majority is duplicated. An MLP trained on each is
  tested with s shifted to a value v for every test point."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from repro.core.io import write_json
from repro.core.seeding import seed_everything
from repro.nn.mlp import mlp


def binary_digits() -> tuple[np.ndarray, np.ndarray]:
    d = load_digits()
    return d.data / 16.0, np.where(d.target < 5, 1.0, -1.0)


def max_margin_norms(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rng = np.random.default_rng(p["seed"])
    X, y = binary_digits()
    W = rng.standard_normal((X.shape[1], p["features"])) / np.sqrt(X.shape[1])
    Phi = np.maximum(X @ W, 0)
    rows = []
    for n in p["sizes"]:
        idx = rng.choice(len(y), n, replace=False)
        svm = SVC(kernel="linear", C=1e6).fit(Phi[idx], y[idx])  # hard margin on separable features
        train_acc = float((svm.predict(Phi[idx]) == y[idx]).mean())
        rows.append({"n": n, "norm": float(np.linalg.norm(svm.coef_)), "train_accuracy": train_acc})
    write_json(outputs["result"], {"seed": p["seed"], "rows": rows})


def with_spurious(X: np.ndarray, y: np.ndarray, majority: np.ndarray, scale: float) -> np.ndarray:
    s = np.where(majority, y, -y) * scale
    return np.column_stack([X, s])


def spurious_digits(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    seed_everything(p["seed"])
    rng = np.random.default_rng(p["seed"])
    X, y = binary_digits()
    order = rng.permutation(len(y))
    train, test = order[: p["n_train"]], order[p["n_train"]:]
    majority = rng.random(len(train)) < 0.5                          # two equal groups
    Xtr = with_spurious(X[train], y[train], majority, p["scale"])
    results = {}
    for name, dup in [("control", 1), ("experimental", p["duplication"])]:
        weights = torch.tensor(np.where(majority, dup, 1.0), dtype=torch.float32)
        model = mlp([Xtr.shape[1], p["hidden"], p["hidden"], 1])
        opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
        xt, yt = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(y[train], dtype=torch.float32)
        for _ in range(p["epochs"]):  # full batch: duplication = weighting
            loss = (weights * F.softplus(-yt * model(xt).squeeze(-1))).sum() / weights.sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        accs = []
        with torch.no_grad():
            for v in p["shifts"]:
                Xte = np.column_stack([X[test], np.full(len(test), v)])
                pred = torch.sign(model(torch.tensor(Xte, dtype=torch.float32)).squeeze(-1)).numpy()
                accs.append(float((pred == y[test]).mean()))
        results[name] = accs
    write_json(outputs["result"], {"seed": p["seed"], "shifts": p["shifts"], "accuracy": results})
