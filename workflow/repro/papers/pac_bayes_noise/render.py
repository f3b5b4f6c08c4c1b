"""Figures and table for pac_bayes_noise; the claims are in claims.py."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.pac_bayes_noise.claims import make_claims, sweeps

TITLE = "Deterministic PAC-Bayesian generalization bounds via generalizing noise-resilience (Nagarajan & Kolter, 2019)"
BOUNDS = {"ours": "noise-resilience (ours)", "neyshabur18": "Neyshabur+18 (spectral)", "bartlett17": "Bartlett+17 (spectral)"}
CONDITIONS = {"max_jacobian": "max Jacobian norm", "max_hidden_norm": "max hidden-layer norm", "min_preact": "small pre-activation (1% quantile)"}


def load(paths) -> pd.DataFrame:
    return pd.DataFrame([r for path in paths for r in read_json(path)["rows"]])


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

