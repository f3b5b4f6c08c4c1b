"""Figures, table and claims for pac_bayes_noise."""
from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.erm import loglog_slope
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table

TITLE = "Deterministic PAC-Bayesian generalization bounds via generalizing noise-resilience (Nagarajan & Kolter, 2019)"
BOUNDS = {"ours": "noise-resilience (ours)", "neyshabur18": "Neyshabur+18 (spectral)", "bartlett17": "Bartlett+17 (spectral)"}
CONDITIONS = {"max_jacobian": "max Jacobian norm", "max_hidden_norm": "max hidden-layer norm", "min_preact": "small pre-activation (1% quantile)"}


def load(paths) -> pd.DataFrame:
    return pd.DataFrame([r for path in paths for r in read_json(path)["rows"]])


def sweeps(df: pd.DataFrame, focus_width: int, focus_depth: int):
    return df[df.width == focus_width], df[df.depth == focus_depth]


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    p = params
    df = load(inputs["metrics"])
    by_depth, by_width = sweeps(df, p["focus_width"], p["focus_depth"])
    for sub, x, png, pdf in [(by_depth, "depth", "depth_png", "depth_pdf"), (by_width, "width", "width_png", "width_pdf")]:
        long = sub.melt(id_vars=[x, "seed"], value_vars=list(BOUNDS), var_name="bound", value_name="value")
        long["bound"] = long.bound.map(BOUNDS)
        grid = sns.relplot(data=long, x=x, y="value", hue="bound", kind="line", marker="o", errorbar=("pi", 100),
                           height=3.2, aspect=1.3)
        grid.set(yscale="log", ylabel="bound", xscale="log" if x == "width" else "linear")
        save_figure(grid.figure, outputs[png], outputs[pdf])

    cond = pd.concat([df.assign(split=split, **{k: df[f"{k}_{split}"] for k in CONDITIONS}) for split in ("train", "test")])
    long = cond.melt(id_vars=["depth", "width", "seed", "split"], value_vars=list(CONDITIONS), var_name="condition")
    long["condition"] = long.condition.map(CONDITIONS)
    long = long[long.width == p["focus_width"]]
    grid = sns.relplot(data=long, x="depth", y="value", hue="split", col="condition", kind="line", marker="o",
                       errorbar=("pi", 100), height=2.8, aspect=1.1, facet_kws={"sharey": False})
    grid.set_titles("{col_name}")
    save_figure(grid.figure, outputs["conditions_png"], outputs["conditions_pdf"])

    table = df.groupby(["depth", "width"]).mean(numeric_only=True).drop(columns="seed").reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "pac_bayes_noise", TITLE, p["scale"], make_claims(df, p["focus_width"], p["focus_depth"]),
                   note="Our instantiation of the bound keeps its structure (KL of the weight change over a noise "
                        "scale set by the hidden norms, Jacobian norms, pre-activations and margin measured on the "
                        "training set) and drops constants and log factors; see pac_bayes_noise/train.py.")


def make_claims(df: pd.DataFrame, focus_width: int, focus_depth: int) -> list[dict]:
    by_depth, by_width = sweeps(df, focus_width, focus_depth)
    growth = lambda sub, col: [float(np.polyfit(g.depth, np.log(g[col]), 1)[0]) for _, g in sub.groupby("seed")]  # noqa: E731
    wslope = lambda sub, col: [loglog_slope(g.width, g[col]) for _, g in sub.groupby("seed")]  # noqa: E731
    d_ours, d_ney, d_spec = growth(by_depth, "ours"), growth(by_depth, "neyshabur18"), growth(by_depth, "spectral_product")
    w_ours, w_ney = wslope(by_width, "ours"), wslope(by_width, "neyshabur18")
    ratio = lambda col: (df[f"{col}_test"] / df[f"{col}_train"]).tolist()  # noqa: E731
    return [
        C.claim("slower_growth_with_depth", "The noise-resilience bound grows more slowly with depth than the "
                "spectral-norm bound (it has no product of spectral norms).",
                "log bound grows mildly with depth vs exponentially for spectral-norm bounds (figure; no number)",
                {"d log(ours)/d depth": d_ours, "d log(Neyshabur+18)/d depth": d_ney,
                 "d log(∏‖W‖₂)/d depth": d_spec},
                C.paired_gain("growth rate (Neyshabur+18 − ours)", d_ney, d_ours, 0)),
        C.claim("slower_growth_with_width", "The noise-resilience bound grows more slowly with width than the "
                "spectral-norm bound.", "figure; no number",
                {"log-log slope of ours vs width": w_ours, "log-log slope of Neyshabur+18 vs width": w_ney},
                C.paired_gain("width slope (Neyshabur+18 − ours)", w_ney, w_ours, 0)),
        C.claim("conditions_generalize", "The noise-resilience conditions measured on training data hold on test "
                "data too: test-time Jacobian and hidden-layer norms stay within 25% of their training values.",
                "the conditions generalize (theorem; no number)",
                {"test/train max Jacobian norm": ratio("max_jacobian"),
                 "test/train max hidden-layer norm": ratio("max_hidden_norm")},
                C.all_of(C.all_below("test/train Jacobian norm", ratio("max_jacobian"), 1.25),
                         C.all_below("test/train hidden norm", ratio("max_hidden_norm"), 1.25))),
    ]
