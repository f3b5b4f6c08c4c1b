"""Figures and table for uniform_convergence; the claims are in claims.py."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.uniform_convergence.claims import make_claims

TITLE = "Uniform convergence may be unable to explain generalization in deep learning (Nagarajan & Kolter, 2019)"
QUANTITIES = {"test_error": "test error", "distance": "‖W − W0‖", "neyshabur18": "Neyshabur+18 bound / γ√m",
              "bartlett17": "Bartlett+17 bound / γ√m"}
DEMO = {**QUANTITIES, "spectral_1": "‖W1‖₂ (hidden layer)", "spectral_2": "‖W2‖₂ (output layer)"}


def load(*paths) -> list[pd.DataFrame]:
    return [pd.DataFrame(read_json(path)["rows"]) for path in paths]


def _panels(df: pd.DataFrame, names: dict, png, pdf, wrap: int) -> None:
    long = df.melt(id_vars=["m", "seed"], value_vars=list(names), var_name="quantity")
    long["quantity"] = long.quantity.map(names)
    grid = sns.relplot(data=long, x="m", y="value", col="quantity", kind="line", marker="o", errorbar=("pi", 100),
                       col_wrap=wrap, height=2.8, aspect=1.0, facet_kws={"sharey": False})
    grid.set(xscale="log", yscale="log", xlabel="training set size m")
    grid.set_titles("{col_name}")
    save_figure(grid.figure, png, pdf)


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    images, spheres, bounds = load(inputs["images"], inputs["spheres"], inputs["bounds"])
    _panels(images, QUANTITIES, outputs["bounds_png"], outputs["bounds_pdf"], 4)
    _panels(bounds, DEMO, outputs["demo_png"], outputs["demo_pdf"], 3)

    sph = spheres.melt(id_vars=["m", "seed"], value_vars=["test_error", "projected_error"], var_name="set")
    sph["set"] = sph.set.map({"test_error": "test set", "projected_error": "projected training set S′"})
    grid = sns.relplot(data=sph, x="m", y="value", hue="set", kind="line", marker="o", errorbar=("pi", 100),
                       height=3.2, aspect=1.3)
    grid.set(xscale="log", xlabel="training set size m", ylabel="error", ylim=(-0.02, 1.02))
    save_figure(grid.figure, outputs["spheres_png"], outputs["spheres_pdf"])

    table = pd.concat([images.assign(task="images"), spheres.assign(task="hyperspheres"),
                       bounds.assign(task="hyperspheres, batch-1 demo")]).groupby(["task", "m"]).mean(
        numeric_only=True).drop(columns="seed").reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "uniform_convergence", TITLE, params["scale"], make_claims(images, spheres, bounds),
                   note="Slopes are least-squares log-log slopes over m, one per seed. Bounds are the papers' "
                        "numerators divided by γ√m, from the weight matrices (biases left out, as in the authors' "
                        "notebook), of nets trained until 99% of the training set has margin ≥ γ. "
                        "bounds_grow_with_m is judged on the authors' hypersphere demonstration (batch-1 SGD, one "
                        "initialisation per seed for every m); the digits grid's bounds are plotted in "
                        "bounds_vs_m.png.")

