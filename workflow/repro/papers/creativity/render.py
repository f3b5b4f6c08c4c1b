"""Figures, table and claims for creativity."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.creativity.claims import make_claims

TITLE = "Roll the dice & look before you leap: going beyond the creative limits of next-token prediction " \
        "(Nagarajan, Wu et al., 2025)"
ARM_LABELS = {"ntp": "NTP + hash (greedy)", "teacherless": "teacherless + hash (greedy)",
              "diffusion": "masked diffusion + hash (sampled; SEDD stand-in)"}


def label(row) -> str:
    if row.arm == "ntp" and row.temperature > 0:
        return f"NTP + hash, T={row.temperature:g}"
    return ARM_LABELS.get(row.arm) or f"NTP, no hash, T={row.temperature:g}"


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    rows = pd.DataFrame([r for path in inputs["metrics"] for r in read_json(path)["rows"]])
    rows["method"] = rows.apply(label, axis=1)
    order = list(ARM_LABELS.values()) + sorted(set(rows.method) - set(ARM_LABELS.values()))
    long = rows.melt(id_vars=["task", "method", "seed"], value_vars=["creativity", "memorisation", "validity"],
                     var_name="metric", value_name="rate")
    grid = sns.catplot(data=long, x="rate", y="method", hue="metric", col="task", kind="bar", order=order,
                       errorbar=("pi", 100), height=3.6, aspect=1.2, orient="h")
    grid.set(xlabel="per test prompt", ylabel="")
    save_figure(grid.figure, outputs["creativity_png"], outputs["creativity_pdf"])

    nohash = rows[rows.arm == "ntp_nohash"]
    grid = sns.relplot(data=nohash, x="temperature", y="creativity", col="task", kind="line", marker="o",
                       errorbar=("pi", 100), height=3.0, aspect=1.2, label="NTP, no hash, temperature sampling")
    for ax, task in zip(grid.axes.flat, grid.col_names):
        ntp = rows[(rows.task == task) & (rows.arm == "ntp")]
        ax.axhline(ntp[ntp.temperature == 0].creativity.mean(), color="r", ls="--", lw=1, label="NTP + hash, greedy")
        sampled = ntp[ntp.temperature > 0].groupby("temperature").creativity.mean()
        if len(sampled):
            ax.plot(sampled.index, sampled.values, "s:", color="r", label="NTP + hash, temperature sampling")
        ax.legend(fontsize=7)
    grid.set(ylabel="creativity")
    save_figure(grid.figure, outputs["seed_png"], outputs["seed_pdf"])

    table = rows.groupby(["task", "method"])[["creativity", "memorisation", "validity"]].agg(["mean", "std"])
    table.columns = [f"{a} {b}" for a, b in table.columns]
    write_table(table.reset_index(), outputs["table"])
    C.write_claims(outputs["claims"], "creativity", TITLE, params["scale"], make_claims(rows),
                   note="Creativity = unique, valid answers not in the training set per test prompt (circle answers "
                        "compared after relabelling nodes by first appearance); memorisation = share of answers "
                        "that repeat a training answer. All arms: the same GPT size and number of steps. Masked "
                        "diffusion is our stand-in for SEDD (absorbing state, no time embedding).")

