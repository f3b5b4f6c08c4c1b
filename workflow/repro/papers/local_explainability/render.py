"""Figures and claims for local_explainability."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.erm import loglog_slope
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style

TITLE = "A learning theoretic perspective on local explainability (Li, Nagarajan, Plumb & Talwalkar, 2021)"


def tables(runs: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    models = pd.DataFrame([{"seed": r["seed"], "model": f"h{m['hidden']} wd{m['weight_decay']:g}", "gap": m["gap"],
                            "sigma": float(s), "split": split, "mnf": v[split]}
                           for r in runs for m in r["models"] for s, v in m["mnf"].items() for split in ("train", "test")])
    rho = pd.DataFrame([{"seed": r["seed"], **x} for r in runs for x in r["rho"]])
    exponents = pd.DataFrame([{"seed": seed, "sigma": s, "exponent": loglog_slope(g.n.tolist(), g.rho.tolist())}
                              for (seed, s), g in rho.groupby(["seed", "sigma"])])
    return models, rho, exponents


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


def make_claims(runs: list[dict]) -> list[dict]:
    runs = sorted(runs, key=lambda r: r["seed"])
    models, _, exponents = tables(runs)
    corr = [r["spearman_gap_vs_train_mnf"] for r in runs]
    sigmas = sorted(set(models.sigma))
    gen_gap = {s: [] for s in (sigmas[0], sigmas[-1])}
    for seed, g in models.groupby("seed"):
        for s in gen_gap:
            at = g[g.sigma == s].pivot_table(index="model", columns="split", values="mnf")
            gen_gap[s].append(float((at.test - at.train).abs().mean()))
    shrink = [a - b for a, b in zip(gen_gap[sigmas[0]], gen_gap[sigmas[-1]])]
    exp_at = lambda s: exponents[exponents.sigma == s].sort_values("seed").exponent.tolist()  # noqa: E731
    fall = [a - b for a, b in zip(exp_at(sigmas[0]), exp_at(sigmas[-1]))]
    return [
        C.claim("gap_tracks_mnf", "Models that are more locally explainable (lower MNF) generalise better: across "
                "models the generalisation gap rises with train MNF.", "gap ≤ MNF + ρ_S·R (Thm 1)",
                {"Spearman(gap, train MNF)": corr}, C.all_above("Spearman(gap, train MNF)", corr, 0.5)),
        C.claim("mnf_generalizes_when_wide", "Explanation fidelity generalises from train to test points when the "
                "neighbourhood is wide: |test − train MNF| shrinks as σ grows.", "Thm 2; poster: the gap shrinks with σ",
                {f"|test − train MNF| at σ={sigmas[0]:g}": gen_gap[sigmas[0]],
                 f"|test − train MNF| at σ={sigmas[-1]:g}": gen_gap[sigmas[-1]]},
                C.all_above("shrinkage of |test − train MNF|", shrink, 0.0)),
        C.claim("rho_exponent_falls", "The neighbourhood-disjointness ρ_S grows like |S|^a with a falling from 1/2 "
                "towards 0 as σ grows.", "exponent ≈0.5 → ≈0 (poster)",
                {f"exponent at σ={sigmas[0]:g}": exp_at(sigmas[0]), f"exponent at σ={sigmas[-1]:g}": exp_at(sigmas[-1])},
                C.all_above("exponent fall", fall, 0.2)),
    ]
