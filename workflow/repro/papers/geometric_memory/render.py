"""Figures, table and claims for geometric_memory."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.geometric_memory.claims import make_claims
from repro.papers.geometric_memory.tiny import MODELS

TITLE = "Deep sequence models tend to memorize geometrically (Noroozizadeh, Nagarajan et al., 2025)"


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    tiny = [read_json(p) for p in inputs["tiny"]]
    rows = pd.DataFrame([r for t in tiny for r in t["rows"]])
    star = pd.DataFrame([read_json(p) for p in inputs["star"]])
    graphs = list(dict.fromkeys(rows.graph))

    fig, axes = plt.subplots(len(graphs), len(MODELS), figsize=(3.0 * len(MODELS), 2.8 * len(graphs)), squeeze=False)
    for i, graph in enumerate(graphs):
        for j, model in enumerate(MODELS):
            draw_embedding(axes[i, j], tiny[0]["embeddings"][f"{graph}/{model}"])
            axes[i, j].set_title(f"{graph}: {model}", fontsize=9)
    fig.suptitle("token embeddings, first two principal components (edges drawn); seed "
                 f"{tiny[0]['seed']}", fontsize=9)
    save_figure(fig, outputs["maps_png"], outputs["maps_pdf"])

    by_dist = pd.DataFrame([{"seed": r.seed, "graph": r.graph, "model": r.model, "distance": int(d), "cosine": c}
                            for r in rows.itertuples() for d, c in r.cosine_by_distance.items()])
    grid = sns.relplot(data=by_dist, x="distance", y="cosine", hue="model", col="graph", kind="line", marker="o",
                       errorbar=("pi", 100), height=2.8, aspect=1.0, hue_order=MODELS, facet_kws={"sharex": False})
    grid.set(xlabel="graph distance", ylabel="mean cosine similarity")
    save_figure(grid.figure, outputs["similarity_png"], outputs["similarity_pdf"])

    energy = pd.DataFrame([{"seed": r.seed, "graph": r.graph, "model": r.model, "eigenvector": k + 1, "energy": e}
                           for r in rows.itertuples() for k, e in enumerate(r.spectral_energy)])
    grid = sns.catplot(data=energy, x="eigenvector", y="energy", hue="model", col="graph", kind="bar",
                       errorbar=("pi", 100), height=2.8, aspect=1.3, hue_order=MODELS, sharex=False)
    grid.set(xlabel="Laplacian eigenvector (low → high frequency)", ylabel="share of embedding energy")
    for ax in grid.axes.flat:
        ax.tick_params(axis="x", labelsize=6)
    save_figure(grid.figure, outputs["spectral_png"], outputs["spectral_pdf"])

    long = star.melt(id_vars=["seed"], value_vars=["train_path_accuracy", "test_path_accuracy",
                                                   "train_first_hop_accuracy", "test_first_hop_accuracy"],
                     var_name="metric", value_name="accuracy")
    grid = sns.catplot(data=long, x="metric", y="accuracy", kind="bar", errorbar=None, height=3.2, aspect=1.6, alpha=0.6)
    sns.stripplot(data=long, x="metric", y="accuracy", color="k", ax=grid.ax, size=4)
    grid.ax.axhline(star.chance_first_hop.iloc[0], color="r", ls="--", lw=1, label="1/deg")
    grid.ax.legend()
    grid.ax.tick_params(axis="x", labelsize=7)
    grid.set(xlabel="", ylabel="accuracy", title=f"in-weights path-star, deg {star.deg.iloc[0]}, "
             f"arm length {star.arm_len.iloc[0]} (train = "
             f"{star.n_train_leaves.iloc[0] / (star.n_train_leaves.iloc[0] + star.n_test_leaves.iloc[0]):.0%} of leaves)")
    save_figure(grid.figure, outputs["paths_png"], outputs["paths_pdf"])

    table = rows.groupby(["graph", "model"])[["rho_cosine_distance", "edge_cosine", "low_spectral_energy",
                                              "random_spectral_energy", "edge_recall"]].mean().reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "geometric_memory", TITLE, params["scale"], make_claims(rows, star),
                   note="Tiny graphs: a 1-layer GPT with tied embeddings, the same with frozen embeddings (associative "
                        "control) and tied embeddings alone with a full-softmax one-hop loss (Node2Vec-style), each "
                        "trained full-batch on every directed edge. Path-star: the mixed recipe (edges and 75% of the "
                        "leaves' paths in every batch), tested on the held-out leaves.")


def draw_embedding(ax: plt.Axes, blob: dict) -> None:
    emb = np.asarray(blob["embedding"])
    centred = emb - emb.mean(0)
    xy = centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T
    for u, v in blob["edges"]:
        ax.plot(*xy[[u, v]].T, color="0.6", lw=0.8, zorder=1)
    ax.scatter(*xy.T, c=np.arange(len(xy)), cmap="viridis", s=18, zorder=2)
    ax.set_xticks([])
    ax.set_yticks([])

