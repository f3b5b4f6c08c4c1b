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

TITLE = "Revisiting adversarial risk (Suggala, Prasad, Nagarajan & Ravikumar, 2019)"
DEFS = {"adv_error_standard": "standard definition: f(x+δ) ≠ y", "adv_error_modified": "modified definition: f(x+δ) ≠ f*(x+δ)"}
REGIMES = {"standard": "standard training", "adversarial_standard": "PGD, standard definition",
           "adversarial_modified": "PGD, modified definition"}


def most_robust(group: pd.DataFrame, column: str, tol: float = 1e-3) -> pd.Series:
    """The classifier with the lowest adversarial error; among near-ties, the most accurate."""
    near = group[group[column] <= group[column].min() + tol]
    return near.loc[near.std_error.idxmin()]


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


def make_claims(fam: pd.DataFrame, runs: list[dict], focus: float) -> list[dict]:
    at = fam[np.isclose(fam.eps, focus)]
    gaps, robust_adv, bayes_adv = [], [], []
    for _, g in at.groupby("seed"):
        bayes, robust = g[g.bayes].iloc[0], most_robust(g, "adv_error_standard")
        gaps.append(robust.std_error - bayes.std_error)
        robust_adv.append(robust.adv_error_standard)
        bayes_adv.append(bayes.adv_error_standard)
    check1 = C.all_of(C.all_above("standard error of the most robust (standard def.) − Bayes", gaps, 0.005),
                      C.all_below("its adversarial error − Bayes's", [r - b for r, b in zip(robust_adv, bayes_adv)], 0.0))

    runs = sorted(runs, key=lambda r: r["seed"])
    val = lambda regime, m: [r["regimes"][regime][m] for r in runs]  # noqa: E731
    std, adv_std, adv_mod = (val(k, "std_error") for k in ("standard", "adversarial_standard", "adversarial_modified"))
    check2 = C.all_above("std error: PGD (standard def.) − standard training",
                         [a - b for a, b in zip(adv_std, std)], 0.005)
    check3 = C.all_of(
        C.all_below("std error: PGD (modified def.) − standard training", [a - b for a, b in zip(adv_mod, std)], 0.005),
        C.all_below("modified adversarial error: PGD (modified def.) − standard training",
                    [a - b for a, b in zip(val("adversarial_modified", "adv_error_modified"),
                                           val("standard", "adv_error_modified"))], 0.0))
    return [
        C.claim("tradeoff_standard_definition", f"Under the standard definition, the classifier with the lowest "
                f"adversarial error (ε={focus:g}) is not the Bayes classifier: being robust costs standard accuracy.",
                "a trade-off between standard and adversarial accuracy", {
                    "standard error gap (most robust − Bayes)": gaps, "most robust: adversarial error": robust_adv,
                    "Bayes: adversarial error (standard def.)": bayes_adv}, check1),
        C.claim("tradeoff_in_training", "Adversarial training under the standard definition raises the standard error.",
                "the trade-off reported in the literature", {"standard training: std error": std,
                                                             "PGD (standard def.): std error": adv_std}, check2),
        C.claim("no_tradeoff_modified_definition", "Under the modified definition there is no trade-off: adversarial "
                "training keeps the standard error of standard training and lowers the (modified) adversarial error; "
                "the Bayes classifier has zero error under both.", "Bayes optimal for both risks", {
                    "standard training: std error": std, "PGD (modified def.): std error": adv_mod,
                    "standard training: modified adv error": val("standard", "adv_error_modified"),
                    "PGD (modified def.): modified adv error": val("adversarial_modified", "adv_error_modified")},
                check3),
    ]
