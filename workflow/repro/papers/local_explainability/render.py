"""Figures and claims for local_explainability."""
from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.papers.local_explainability.claims import make_claims, tables

TITLE = "A learning theoretic perspective on local explainability (Li, Nagarajan, Plumb & Talwalkar, 2021)"


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    runs = [read_json(p) for p in inputs["runs"]]
    models, _, exponents = tables(runs)
    focus = runs[0]["sigma_focus"]

    at = models[(models.sigma == focus) & (models.split == "train")]
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    sns.scatterplot(data=at, x="mnf", y="gap", hue="seed", style="seed", palette="colorblind", ax=ax)
    ax.set(xlabel=f"train MNF (σ={focus:g})", ylabel="generalisation gap (test − train MSE)")
    save_figure(fig, outputs["gap_png"], outputs["gap_pdf"])

    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    sns.lineplot(data=models, x="sigma", y="mnf", hue="split", errorbar=("pi", 100), marker="o", ax=ax)
    ax.set(xscale="log", xlabel="neighbourhood width σ", ylabel="MNF (mean over models; band: min–max)")
    _sigma_ticks(ax, models.sigma)
    save_figure(fig, outputs["width_png"], outputs["width_pdf"])

    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    sns.lineplot(data=exponents, x="sigma", y="exponent", errorbar=("pi", 100), marker="o", ax=ax)
    ax.axhline(0.5, ls="--", color="grey")
    ax.set(xscale="log", xlabel="neighbourhood width σ", ylabel="growth exponent of ρ_S in |S|")
    _sigma_ticks(ax, exponents.sigma)
    save_figure(fig, outputs["rho_png"], outputs["rho_pdf"])
    C.write_claims(outputs["claims"], "local_explainability", TITLE, params["scale"], make_claims(runs),
                   note="scikit-learn's diabetes regression data (442 × 10, standardised) as a stand-in for the UCI "
                        "sets; MLP regressors of several widths and weight decays; explanations fit on the training "
                        "points only.")


def _sigma_ticks(ax, sigmas) -> None:
    ticks = sorted(set(sigmas))
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()

