"""Figures and table for distance_from_init; the claims are in claims.py."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.distance_from_init.claims import make_claims

TITLE = "Generalization in deep networks: the role of distance from initialization (Nagarajan & Kolter, 2017)"


def load(paths) -> pd.DataFrame:
    return pd.DataFrame([{"experiment": d["experiment"], **r} for d in map(read_json, paths) for r in d["rows"]])


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    df = load(inputs["metrics"])
    df["labels"] = df.noise.map(lambda q: "random labels" if q == 1 else "true labels" if q == 0 else f"noise {q:g}")
    width, sizes, noise = (df[df.experiment == e] for e in ("width", "labels", "noise"))

    grid = sns.relplot(data=width.melt(id_vars=["width", "m", "seed"], value_vars=["distance", "test_error"]),
                       x="width", y="value", hue="m", col="variable", kind="line", marker="o", errorbar=("pi", 100),
                       palette="viridis", facet_kws={"sharey": False}, height=3.2, aspect=1.2)
    grid.set(xscale="log")
    grid.axes[0, 0].set(ylabel="‖W − W0‖ (all layers)", title="distance from initialization")
    grid.axes[0, 1].set(ylabel="test error", title="test error")
    save_figure(grid.figure, outputs["width_png"], outputs["width_pdf"])

    grid = sns.relplot(data=sizes, x="m", y="distance", hue="labels", kind="line", marker="o", errorbar=("pi", 100),
                       height=3.2, aspect=1.3)
    grid.set(xscale="log", yscale="log", xlabel="training set size m", ylabel="‖W − W0‖")
    save_figure(grid.figure, outputs["m_png"], outputs["m_pdf"])

    grid = sns.relplot(data=noise, x="noise", y="distance", kind="line", marker="o", errorbar=("pi", 100), height=3.2,
                       aspect=1.3)
    grid.set(xlabel="share of random labels", ylabel="‖W − W0‖")
    save_figure(grid.figure, outputs["noise_png"], outputs["noise_pdf"])

    table = df.groupby(["experiment", "width", "m", "noise"]).agg(
        distance=("distance", "mean"), distance_std=("distance", "std"), test_error=("test_error", "mean"),
        epochs=("epochs", "mean"), converged=("converged", "mean")).reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "distance_from_init", TITLE, params["scale"], make_claims(df),
                   note="Bias-free ReLU MLPs (Xavier init) trained by momentum SGD with cross-entropy until every "
                        "training point has margin ≥ γ; ‖W − W0‖ is the Frobenius distance over all layers.")

