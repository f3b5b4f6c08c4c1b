"""Figures, table and claims for adversarial_risk."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.adversarial_risk.claims import make_claims, most_robust

TITLE = "Revisiting adversarial risk (Suggala, Prasad, Nagarajan & Ravikumar, 2019)"
DEFS = {"adv_error_standard": "standard definition: f(x+δ) ≠ y", "adv_error_modified": "modified definition: f(x+δ) ≠ f*(x+δ)"}
REGIMES = {"standard": "standard training", "adversarial_standard": "PGD, standard definition",
           "adversarial_modified": "PGD, modified definition"}


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    fam = pd.DataFrame([r | {"seed": d["seed"]} for p in inputs["family"] for d in [read_json(p)] for r in d["rows"]])
    focus = params["eps_focus"]

    # (1) the family at ε_focus: standard error against adversarial error, for each definition.
    at = fam[np.isclose(fam.eps, focus)]
    mean = at.groupby(["t", "keep_island", "bayes"], as_index=False)[["std_error", *DEFS]].mean()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True)
    for ax, (col, label) in zip(axes, DEFS.items()):
        for keep, marker in [(True, "o"), (False, "x")]:
            sub = mean[mean.keep_island == keep]
            ax.scatter(sub[col], sub.std_error, marker=marker, s=18, label="island kept" if keep else "island given up")
        b = mean[mean.bayes].iloc[0]
        ax.scatter(b[col], b.std_error, marker="*", s=160, color="red", label="Bayes f*", zorder=3)
        ax.set(xlabel=f"adversarial error (ε={focus:g})", title=label)
    axes[0].set_ylabel("standard error")
    axes[1].legend(fontsize=7)
    save_figure(fig, outputs["tradeoff_png"], outputs["tradeoff_pdf"])

    # (2) accuracy vs ε: the Bayes classifier and the most robust one under each definition.
    rows = []
    for (seed, eps), g in fam.groupby(["seed", "eps"]):
        bayes = g[g.bayes].iloc[0]
        for col, label in DEFS.items():
            robust = most_robust(g, col)
            for name, r in [("Bayes f*", bayes), ("most robust in family", robust)]:
                rows += [{"seed": seed, "eps": eps, "definition": label, "classifier": name, "accuracy": 1 - r[col],
                          "kind": "adversarial"},
                         {"seed": seed, "eps": eps, "definition": label, "classifier": name, "accuracy": 1 - r.std_error,
                          "kind": "standard"}]
    acc = pd.DataFrame(rows)
    grid = sns.relplot(data=acc, x="eps", y="accuracy", hue="classifier", style="kind", col="definition", kind="line",
                       errorbar=("pi", 100), marker="o", height=3.2, aspect=1.2)
    grid.set(xlabel="ε", ylabel="accuracy")
    save_figure(grid.figure, outputs["accuracy_png"], outputs["accuracy_pdf"])

    # (3) the 2-D toy and the decision regions of the three trained MLPs (first seed).
    runs = [read_json(p) for p in inputs["training"]]
    first = min(runs, key=lambda r: r["seed"])
    n = first["grid"]
    xs = np.linspace(-1, 1, n)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), sharey=True)
    for ax, (regime, label) in zip(axes, REGIMES.items()):
        region = np.array(first["regimes"][regime]["grid_sign"]).reshape(n, n)
        ax.contourf(xs, xs, region, levels=[-0.5, 0.5, 1.5], colors=["#f4cccc", "#cfe2f3"])
        ax.axvline(0, color="black", lw=1, ls="--")
        ax.add_patch(plt.Circle(first["island_centre"], first["island_radius"], fill=False, color="black", ls="--"))
        ax.set(title=label, xlabel="x₁", aspect="equal")
    axes[0].set_ylabel("x₂")
    save_figure(fig, outputs["toy2d_png"], outputs["toy2d_pdf"])

    train = pd.DataFrame([{"seed": r["seed"], "regime": REGIMES[k], **{m: v[m] for m in ("std_error", *DEFS)}}
                          for r in runs for k, v in r["regimes"].items()])
    table = train.groupby("regime", sort=False)[["std_error", *DEFS]].agg(["mean", "std"])
    table.columns = [f"{a}_{b}" for a, b in table.columns]
    write_table(table.reset_index().fillna(0.0), outputs["table"])
    C.write_claims(outputs["claims"], "adversarial_risk", TITLE, params["scale"], make_claims(fam, runs, focus),
                   note="Noiseless toys (y = f*(x)): a half-space plus a positive island narrower than 2ε. The 1-D "
                        "adversary searches a fine grid of the ε-ball; the 2-D adversary uses ℓ2 PGD for both "
                        "definitions plus random points of the ball.")

