"""Figures, table and claims for uniform_convergence."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.erm import loglog_slope
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table

TITLE = "Uniform convergence may be unable to explain generalization in deep learning (Nagarajan & Kolter, 2019)"
QUANTITIES = {"test_error": "test error", "distance": "‖W − W0‖", "neyshabur18": "Neyshabur+18 bound / γ√m",
              "bartlett17": "Bartlett+17 bound / γ√m"}


def load(images_path, spheres_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(read_json(images_path)["rows"]), pd.DataFrame(read_json(spheres_path)["rows"])


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    images, spheres = load(inputs["images"], inputs["spheres"])
    long = images.melt(id_vars=["m", "seed"], value_vars=list(QUANTITIES), var_name="quantity")
    long["quantity"] = long.quantity.map(QUANTITIES)
    grid = sns.relplot(data=long, x="m", y="value", col="quantity", kind="line", marker="o", errorbar=("pi", 100),
                       col_wrap=4, height=2.8, aspect=1.0, facet_kws={"sharey": False})
    grid.set(xscale="log", yscale="log", xlabel="training set size m")
    grid.set_titles("{col_name}")
    save_figure(grid.figure, outputs["bounds_png"], outputs["bounds_pdf"])

    sph = spheres.melt(id_vars=["m", "seed"], value_vars=["test_error", "projected_error"], var_name="set")
    sph["set"] = sph.set.map({"test_error": "test set", "projected_error": "projected training set S′"})
    grid = sns.relplot(data=sph, x="m", y="value", hue="set", kind="line", marker="o", errorbar=("pi", 100),
                       height=3.2, aspect=1.3)
    grid.set(xscale="log", xlabel="training set size m", ylabel="error", ylim=(-0.02, 1.02))
    save_figure(grid.figure, outputs["spheres_png"], outputs["spheres_pdf"])

    table = pd.concat([images.assign(task="images"), spheres.assign(task="hyperspheres")]).groupby(["task", "m"]).mean(
        numeric_only=True).drop(columns="seed").reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "uniform_convergence", TITLE, params["scale"], make_claims(images, spheres),
                   note="Slopes are least-squares log-log slopes over m, one per seed. Bounds are the papers' "
                        "numerators divided by γ√m, for bias-free ReLU MLPs trained until 99% of the training set "
                        "has margin ≥ γ.")


def slopes(df: pd.DataFrame, col: str) -> list[float]:
    return [loglog_slope(g.m, g[col]) for _, g in df.groupby("seed")]


def make_claims(images: pd.DataFrame, spheres: pd.DataFrame) -> list[dict]:
    err, dist, ney, bart = (slopes(images, c) for c in ("test_error", "distance", "neyshabur18", "bartlett17"))
    big = spheres[spheres.m == spheres.m.max()].sort_values("seed")
    small = spheres[spheres.m == spheres.m.min()].sort_values("seed")
    return [
        C.claim("error_falls_distance_grows", "On real data test error falls with m while the distance from "
                "initialization grows with m.", "test error O(m^−0.43), distance grows (MNIST, m = 128 … 32768)",
                {"log-log slope of test error": err, "log-log slope of ‖W − W0‖": dist},
                C.all_of(C.all_below("slope of test error", err, 0), C.all_above("slope of distance", dist, 0))),
        C.claim("bounds_grow_with_m", "The spectral-norm-based bounds (Neyshabur+18, Bartlett+17, over γ√m) grow "
                "with m while test error falls.", "both bounds grow as Ω(m) on MNIST",
                {"log-log slope of Neyshabur+18 bound": ney, "log-log slope of Bartlett+17 bound": bart},
                C.all_of(C.all_above("slope of Neyshabur+18 bound", ney, 0),
                         C.all_above("slope of Bartlett+17 bound", bart, 0))),
        C.claim("projected_set_misclassified", "Hyperspheres: the net generalizes better with more data, yet it "
                "misclassifies almost all of the projected training set S′, so uniform convergence is vacuous.",
                "S′ error ≈ 100% while test error falls (d = 1000, m = 4096 … 65536)",
                {"test error (smallest m)": small.test_error.tolist(), "test error (largest m)": big.test_error.tolist(),
                 "S′ error (largest m)": big.projected_error.tolist()},
                C.all_of(C.paired_gain("test error fall from smallest to largest m", small.test_error.tolist(),
                                       big.test_error.tolist(), 0),
                         C.all_above("S′ error at the largest m", big.projected_error.tolist(), 0.9))),
    ]
