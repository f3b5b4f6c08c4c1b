"""Figures and claims for algorithm_configuration (a theory paper: claims are illustrations)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.algorithm_configuration.claims import make_claims

TITLE = ("Learning-theoretic foundations of algorithm configuration for combinatorial partitioning problems "
         "(Balcan, Nagarajan, Vitercik & White, 2017)")
PARAM = {"maxcut": "rounding parameter s", "clustering": "linkage parameter α"}
UTILITY = {"maxcut": "expected cut / SDP value", "clustering": "1 − clustering error"}


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    docs = [read_json(p) for p in inputs["utilities"]]
    curves = pd.DataFrame([{"problem": d["problem"], "family": d["family"], "seed": d["seed"], "param": g,
                            "split": split, "utility": np.mean(np.array(d[split])[:, i])}
                           for d in docs for split in ("pool", "test") for i, g in enumerate(d["grid"])])
    curves["split"] = curves.split.map({"pool": "train", "test": "test"})

    for problem, png, pdf in [("maxcut", "maxcut_png", "maxcut_pdf"), ("clustering", "clustering_png", "clustering_pdf")]:
        sub = curves[curves.problem == problem]
        fig, ax = plt.subplots(figsize=(5, 3.4))
        sns.lineplot(data=sub, x="param", y="utility", hue="family", style="split", errorbar=("pi", 100), ax=ax)
        ax.set(xlabel=PARAM[problem], ylabel=UTILITY[problem] + " (mean over instances)")
        ax.legend(fontsize=7)
        save_figure(fig, outputs[png], outputs[pdf])

    gaps = pd.DataFrame([{"problem": d["problem"], "family": d["family"], "seed": d["seed"], "m": m, "gap": g}
                         for d in docs for m, g in zip(d["gap_curve"]["m"], d["gap_curve"]["gap"])])
    gaps["setting"] = gaps.problem + ": " + gaps.family
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    sns.lineplot(data=gaps, x="m", y="gap", hue="setting", errorbar=("pi", 100), marker="o", ax=ax)
    ms = np.array(sorted(set(gaps.m)))
    first = gaps[gaps.m == ms[0]].gap.mean()
    ax.plot(ms, first * np.sqrt(ms[0] / ms), "k--", label="∝ √(pdim / m) (bound's shape)")
    ax.set(xscale="log", yscale="log", xlabel="training instances m", ylabel="|train − test| utility of ERM's choice")
    ax.legend(fontsize=7)
    save_figure(fig, outputs["gap_png"], outputs["gap_pdf"])

    trees = pd.DataFrame(read_json(inputs["trees"])["rows"])
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    sns.lineplot(data=trees, x="n", y="trees", errorbar=("pi", 100), marker="o", ax=ax)
    ax.set(xlabel="points n", ylabel="distinct merge trees over α ∈ [0, 1]")
    save_figure(fig, outputs["trees_png"], outputs["trees_pdf"])

    best = (curves[curves.split == "test"].groupby(["problem", "family", "seed"])
            .apply(lambda g: pd.Series({"best_param": g.loc[g.utility.idxmax(), "param"], "best_utility": g.utility.max()}),
                   include_groups=False).reset_index())
    table = best.groupby(["problem", "family"]).agg(best_param=("best_param", "mean"), best_param_std=("best_param", "std"),
                                                    best_utility=("best_utility", "mean")).reset_index().fillna(0.0)
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "algorithm_configuration", TITLE, params["scale"],
                   make_claims(curves, gaps, trees),
                   note="A theory paper (no experiments of its own): each claim is an illustration of a theorem, "
                        "verdict 'illustrated' when the figure shows what the theorem predicts.")

