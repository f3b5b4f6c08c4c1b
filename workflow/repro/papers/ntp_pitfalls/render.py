"""Figures, table and claims for ntp_pitfalls, from the evaluation metrics only."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.ntp_pitfalls.claims import make_claims

TITLE = "The pitfalls of next-token prediction (Bachmann & Nagarajan, 2024)"
ARM_ORDER = ["ntp", "teacherless", "reverse"]
ARM_LABEL = {"ntp": "next-token (teacher-forced)", "teacherless": "teacherless", "reverse": "reversed target"}


def load_metrics(paths) -> pd.DataFrame:
    df = pd.DataFrame([read_json(p) for p in paths])
    df["forced_after_hop1"] = [forced_after_first_hop(f, L) for f, L in zip(df.forced_per_position_accuracy, df.path_len)]
    return df.sort_values(["graph", "arm", "seed"]).reset_index(drop=True)


def forced_after_first_hop(forced: list[float], path_len: int) -> float:
    """Teacher-forced accuracy on the lookups after the first hop: target positions 2..L-2.
    Position 0 copies the source and L-1 copies the goal (both given in the prompt), so they
    are excluded; for path_len < 4 there is nothing left and the value is NaN."""
    inner = forced[2: path_len - 1]
    return sum(inner) / len(inner) if inner else float("nan")


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    df = load_metrics(inputs["metrics"])
    arms = [a for a in ARM_ORDER if a in set(df.arm)]
    graphs = list(dict.fromkeys(g["name"] for g in params["graphs"]))

    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(graphs), 3.4))
    kw = dict(data=df, x="graph", y="full_path_accuracy", hue="arm", order=graphs, hue_order=arms, ax=ax)
    sns.barplot(**kw, errorbar=None, alpha=0.6)
    sns.stripplot(**kw, dodge=True, color="black", size=4, legend=False)
    for i, g in enumerate(graphs):
        chance = df.loc[df.graph == g, "chance"].iloc[0]
        ax.hlines(chance, i - 0.45, i + 0.45, colors="grey", linestyles="--", label="1/deg" if i == 0 else None)
    ax.set(ylim=(0, 1.05), xlabel="graph G(deg, path length, nodes)", ylabel="full-path accuracy (held out)")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, [ARM_LABEL.get(l, l) for l in labels], fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    save_figure(fig, outputs["accuracy_png"], outputs["accuracy_pdf"])

    rows = [{"graph": r.graph, "arm": r.arm, "seed": r.seed, "position": i, "accuracy": a}
            for r in df.itertuples() for i, a in enumerate(r.forced_per_position_accuracy)]
    pos = pd.DataFrame(rows)
    grid = sns.relplot(data=pos, x="position", y="accuracy", hue="arm", hue_order=arms, col="graph",
                       col_order=graphs, kind="line", marker="o", errorbar=("pi", 100), height=3.0, aspect=1.1,
                       facet_kws={"sharex": False})
    grid.set(ylim=(0, 1.05), xlabel="target position (0 = first output token)", ylabel="teacher-forced accuracy")
    save_figure(grid.figure, outputs["forced_png"], outputs["forced_pdf"])

    table = (df.groupby(["graph", "arm"], sort=False)
               .agg(seeds=("seed", "count"), full_path=("full_path_accuracy", "mean"),
                    full_path_std=("full_path_accuracy", "std"), first_hop=("first_hop_accuracy", "mean"),
                    valid_path=("valid_path_rate", "mean"), forced_after_hop1=("forced_after_hop1", "mean"),
                    chance=("chance", "first"))
               .reset_index().fillna({"full_path_std": 0.0}))
    write_table(table, outputs["table"])

    C.write_claims(outputs["claims"], "ntp_pitfalls", TITLE, params["scale"], make_claims(df),
                   note="Arms are trained on fresh random graphs every batch at mini scale; "
                        "evaluation uses held-out graphs. Each test is over the independent training seeds "
                        "(t-tests; see each claim's test).")

