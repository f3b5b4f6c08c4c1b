"""Figures and table for disagreement; the claims are in claims.py."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.disagreement.claims import PAIRS, make_claims

TITLE = "Assessing generalization of SGD via disagreement (Jiang, Nagarajan, Baek & Kolter, 2022)"


def load(pair_paths, ensemble_paths) -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = pd.DataFrame([r for d in map(read_json, pair_paths) for r in d["rows"]])
    ensembles = pd.DataFrame([read_json(p) for p in ensemble_paths])
    return pairs, ensembles


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    pairs, ensembles = load(inputs["pairs"], inputs["ensembles"])
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    for (kind, label), marker, color in zip(PAIRS.items(), "os", ("C0", "C1")):
        sub = pairs[pairs.pair == kind]
        fit, unfit = sub[sub.converged], sub[~sub.converged]
        ax.scatter(fit.disagreement, fit.test_error, marker=marker, s=18, alpha=0.7, color=color, label=label)
        ax.scatter(unfit.disagreement, unfit.test_error, marker=marker, s=18, facecolors="none", edgecolors=color)
    top = float(max(pairs.disagreement.max(), pairs.test_error.max())) * 1.05
    ax.plot([0, top], [0, top], "k--", lw=1, label="y = x")
    ax.set(xlabel="disagreement on unlabelled test data", ylabel="test error", xlim=(0, top), ylim=(0, top))
    ax.legend(fontsize=7, title="hollow: not interpolating", title_fontsize=7)
    save_figure(fig, outputs["scatter_png"], outputs["scatter_pdf"])

    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    for _, e in ensembles.iterrows():
        rel = pd.DataFrame(e.reliability)
        ax.plot(rel.confidence, rel.accuracy, "o-", ms=3, label=f"seed {e.seed}: CACE {e.cace:.3f}")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set(xlabel="ensemble vote share h̃_k(x)", ylabel="share of (x, k) with label k",
           title=f"class-aggregated calibration ({int(ensembles.members.iloc[0])} CNNs)")
    ax.legend(fontsize=7)
    save_figure(fig, outputs["calibration_png"], outputs["calibration_pdf"])

    table = ensembles[["seed", "members", "test_error", "disagreement", "cace", "ece"]]
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "disagreement", TITLE, params["scale"], make_claims(pairs, ensembles),
                   note="Small CNNs (grouped-convolution ensembles) on 8×8 digits over a grid of channels × lr × "
                        "augmentation × training-set size, each run trained to a low training loss (config optim); "
                        "each pair's test error is the mean of its two runs. The "
                        "error ≈ disagreement check uses the pairs whose two runs interpolate (the regime of the "
                        "paper's claim); the others are plotted hollow.")

