"""The exact linear-regression experiment: gradient descent on X (n × d, eigenvalues λ_k ∝ k^−decay).
The teacher fits the labels y = X w* for `teacher_steps` steps; the student fits the teacher's
predictions (distillation). In the data's eigenbasis GD learns direction k as 1 − (1 − ηλ_k)^t, so
the student gets the product of two such filters: at the same progress on the top direction it has
learned less of every low-eigenvalue direction than a model trained on y, i.e. distillation
exaggerates GD's implicit bias towards the top eigendirections. "Same progress" = the same mean
fraction learned over all directions. We run GD numerically and read the
fractions learned off the eigenbasis."""
from __future__ import annotations

import numpy as np

from repro.core.io import write_json


def design(n: int, d: int, decay: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X = U diag(s) Vᵀ with XᵀX/n having eigenvalues ∝ k^−decay (largest 1); returns X, V, λ."""
    U, _ = np.linalg.qr(rng.standard_normal((n, d)))
    V, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.arange(1, d + 1, dtype=float) ** -decay
    return U * np.sqrt(lam * n) @ V.T, V, lam


def gd(X: np.ndarray, targets: np.ndarray, lr: float, steps: int, record: list[int]) -> dict[int, np.ndarray]:
    """Full-batch GD on ½‖Xw − t‖²/n from w = 0; the weights at the recorded steps."""
    n, w, out = len(X), np.zeros(X.shape[1]), {}
    for t in range(1, steps + 1):
        w -= lr * X.T @ (X @ w - targets) / n
        if t in record:
            out[t] = w.copy()
    return out


def linear(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rng = np.random.default_rng(p["seed"])
    X, V, lam = design(p["n"], p["d"], p["decay"], rng)
    w_star = rng.standard_normal(p["d"])
    y = X @ w_star
    grid = sorted(set(np.unique(np.geomspace(1, p["max_steps"], p["points"]).astype(int)).tolist()))
    coef = lambda w: (V.T @ w) / (V.T @ w_star)  # noqa: E731  (fraction of each eigendirection learned)
    ordinary = {t: coef(w) for t, w in gd(X, y, p["lr"], p["max_steps"], set(grid)).items()}
    teacher_w = gd(X, y, p["lr"], p["teacher_steps"], {p["teacher_steps"]})[p["teacher_steps"]]
    student = {t: coef(w) for t, w in gd(X, X @ teacher_w, p["lr"], p["max_steps"], set(grid)).items()}
    curves = [{"model": name, "step": t, "direction": k + 1, "eigenvalue": float(lam[k]), "learned": float(f[k])}
              for name, traj in (("one-hot (labels)", ordinary), ("distilled (teacher's outputs)", student))
              for t, f in traj.items() for k in range(p["d"])]
    # matched progress: for each student step, the label-trained step whose mean fraction learned (over
    # all directions) is closest; then compare how that progress splits between top and bottom directions
    q = p["top_bottom"]
    matched = []
    for t, f in student.items():
        t_match = min(ordinary, key=lambda s: abs(ordinary[s].mean() - f.mean()))
        o = ordinary[t_match]
        matched.append({"student_step": t, "ordinary_step": t_match, "progress": float(f.mean()),
                        "student_top": float(f[:q].mean()), "student_bottom": float(f[-q:].mean()),
                        "ordinary_top": float(o[:q].mean()), "ordinary_bottom": float(o[-q:].mean())})
    write_json(outputs["metrics"], {"seed": p["seed"], "curves": curves, "matched": matched,
                                    "teacher_steps": p["teacher_steps"], "top_bottom": q})
