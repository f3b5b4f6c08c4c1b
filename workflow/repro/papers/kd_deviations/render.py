"""Figures and table for kd_deviations; the claims are in claims.py."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.kd_deviations.claims import make_claims

TITLE = "On student-teacher deviations in distillation (Nagarajan, Menon, Bhojanapalli, Mobahi & Kumar, 2023)"


def load(linear_paths, images_path):
    docs = [read_json(p) for p in linear_paths]
    curves = pd.DataFrame([dict(seed=d["seed"], **c) for d in docs for c in d["curves"]])
    matched = pd.DataFrame([dict(seed=d["seed"], **m) for d in docs for m in d["matched"]])
    img = read_json(images_path)
    return curves, matched, pd.DataFrame(img["rows"]), pd.DataFrame(img["points"])


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    p = params
    curves, matched, slopes, points = load(inputs["linear"], inputs["images"])

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    steps = sorted(set(curves.step))
    show = [steps[i] for i in np.linspace(0, len(steps) - 1, 4).astype(int)[1:]]
    sub = curves[(curves.seed == curves.seed.min()) & curves.step.isin(show)]
    sns.lineplot(data=sub, x="direction", y="learned", hue="step", style="model", palette="viridis", ax=axes[0])
    axes[0].set(xlabel="eigendirection (largest eigenvalue first)", ylabel="fraction of w* learned",
                title="per-direction progress of gradient descent")
    m = matched[(matched.progress > 0.05) & (matched.progress < 0.95)]
    for col, label, ls in [("student_top", "distilled: top", "-"), ("ordinary_top", "one-hot: top", "--"),
                           ("student_bottom", "distilled: bottom", "-"), ("ordinary_bottom", "one-hot: bottom", "--")]:
        g = m.groupby("progress")[col].mean()
        axes[1].plot(g.index, g.values, ls=ls, marker="o", ms=3, label=label, color="C0" if "top" in col else "C3")
    axes[1].set(xlabel="mean fraction learned over all directions (matched progress)", ylabel="fraction learned",
                title=f"top vs bottom {int(p['top_bottom'])} directions")
    axes[1].legend(fontsize=7)
    save_figure(fig, outputs["eigen_png"], outputs["eigen_pdf"])

    grid = sns.relplot(data=points, x="teacher", y="student", col="split", hue="seed", s=8, alpha=0.5, height=3.4,
                       palette="deep")
    for ax in grid.axes.flat:
        lo, hi = ax.get_xlim()
        ax.plot([lo, hi], [lo, hi], "k--", lw=1)
    grid.set(xlabel="teacher: φ = z_c − logsumexp of the other logits (its top class c)",
             ylabel="student: φ of that class")
    save_figure(grid.figure, outputs["confidence_png"], outputs["confidence_pdf"])

    write_table(slopes, outputs["table"])
    C.write_claims(outputs["claims"], "kd_deviations", TITLE, p["scale"], make_claims(matched, slopes),
                   note="Linear part: exact GD on a synthetic design with eigenvalues ∝ k^−decay; the student is "
                        "distilled from a teacher stopped early. Image part: CNN teachers on digits (weight decay, "
                        "shift augmentation), students of the same size trained for the same number of epochs on "
                        "the teachers' probabilities computed on the students' augmented batches, and a one-hot "
                        "control of another seed; confidence φ = z_c − logsumexp of the other logits; slopes by "
                        "least squares with 95% bootstrap intervals.")

