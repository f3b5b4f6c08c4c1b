"""Figures and claims for ood_failure_modes."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.papers.ood_failure_modes.claims import make_claims

TITLE = "Understanding the failure modes of out-of-distribution generalization (Nagarajan, Andreassen & Neyshabur, 2021)"


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    toys = [read_json(p) for p in inputs["toy"]]
    stat = pd.DataFrame([{"seed": t["seed"], "majority share p": s["majority_share"], "epoch": e, "spurious share": v}
                         for t in toys for s in t["statistical"] for e, v in zip(s["epochs"], s["spurious_share"])])
    geo = pd.DataFrame([{"seed": t["seed"], **g} for t in toys for g in t["geometric"]])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    sns.lineplot(data=stat, x="epoch", y="spurious share", hue="majority share p", errorbar=("pi", 100),
                 palette="viridis", ax=axes[0])
    axes[0].set(xscale="log", ylabel="|w_sp| / ‖w‖ (gradient descent)", title="statistical skew (duplicated majority)")
    sns.lineplot(data=geo, x="minority_fraction", y="max_margin_spurious_share", errorbar=("pi", 100), marker="o", ax=axes[1])
    axes[1].set(xscale="log", xlabel="minority fraction (distinct points)", ylabel="|w_sp| / ‖w‖ (max-margin)",
                title="geometric skew (fewer minority points)")
    save_figure(fig, outputs["toy_png"], outputs["toy_pdf"])

    norms = pd.DataFrame([{"seed": d["seed"], **r} for p in inputs["norms"] for d in [read_json(p)] for r in d["rows"]])
    fig, ax = plt.subplots(figsize=(4.5, 3.3))
    sns.lineplot(data=norms, x="n", y="norm", errorbar=("pi", 100), marker="o", ax=ax)
    ax.set(xscale="log", yscale="log", xlabel="training points n", ylabel="‖w‖ of the max-margin classifier",
           title="digits, random ReLU features")
    save_figure(fig, outputs["norm_png"], outputs["norm_pdf"])

    runs = [read_json(p) for p in inputs["digits"]]
    acc = pd.DataFrame([{"seed": r["seed"], "data": name, "shift": v, "accuracy": a}
                        for r in runs for name, accs in r["accuracy"].items() for v, a in zip(r["shifts"], accs)])
    fig, ax = plt.subplots(figsize=(4.8, 3.3))
    sns.lineplot(data=acc, x="shift", y="accuracy", hue="data", errorbar=("pi", 100), marker="o", ax=ax)
    ax.set(xlabel="test-time value of the spurious feature", ylabel="test accuracy", ylim=(0, 1.02))
    save_figure(fig, outputs["shift_png"], outputs["shift_pdf"])
    C.write_claims(outputs["claims"], "ood_failure_modes", TITLE, params["scale"], make_claims(toys, norms, runs),
                   note="2-D toy with a fully predictive invariant feature (margin γ) and a ±1 spurious feature; "
                        "digits = scikit-learn's 8×8 digits, binary digit < 5, as a stand-in for MNIST.")

