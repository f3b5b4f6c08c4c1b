"""Figures and table for resmem; the claims are in claims.py."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.resmem.claims import make_claims

TITLE = "ResMem: learn what you can and memorize the rest (Yang, Lukasik, Nagarajan et al., 2023)"


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    doc = read_json(inputs["images"])
    images, correct = pd.DataFrame(doc["rows"]), pd.DataFrame(doc["test_correct"])
    risk = pd.DataFrame([r for p in inputs["regression"] for r in read_json(p)["rows"]])
    base = images[images.model != "kNN alone"]
    grid = sns.relplot(data=base, x="size", y="test_accuracy", hue="model", kind="line", marker="o",
                       errorbar=("pi", 100), height=3.4, aspect=1.3)
    knn = images[images.model == "kNN alone"].test_accuracy
    grid.ax.axhline(knn.mean(), color="k", ls=":", lw=1, label="kNN alone")
    grid.ax.legend(fontsize=7, loc="lower right")
    grid.set(xscale="log", xlabel="base model size (parameters)", ylabel="test accuracy")
    save_figure(grid.figure, outputs["accuracy_png"], outputs["accuracy_pdf"])

    long = risk.melt(id_vars=["seed", "n"], value_vars=["base_risk", "resmem_risk"], var_name="model", value_name="risk")
    long["model"] = long.model.map({"base_risk": "base (least squares)", "resmem_risk": "ResMem"})
    grid = sns.relplot(data=long, x="n", y="risk", hue="model", kind="line", marker="o", errorbar=("pi", 100),
                       height=3.4, aspect=1.3)
    grid.set(xscale="log", yscale="log", xlabel="training points n", ylabel="test risk (MSE)")
    save_figure(grid.figure, outputs["risk_png"], outputs["risk_pdf"])

    table = (images.groupby(["model", "network", "size"], dropna=False).test_accuracy.agg(["mean", "std"])
             .reset_index().sort_values(["model", "size"], na_position="first"))
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "resmem", TITLE, params["scale"], make_claims(images, risk, correct),
                   note="Base networks: MLPs of two hidden layers (mini, digits) or He et al.'s CIFAR ResNets (full), "
                        "sized by their parameters; residual memory = soft kNN in the base's last hidden layer with "
                        "k and σ tuned on the rest of the training pool. "
                        "Regression: least squares on y = ⟨β, x⟩ + 0.3 sin(8 x₁) + noise, plus a soft kNN on its "
                        "residuals.")

