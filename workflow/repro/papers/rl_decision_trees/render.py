"""Figures, table and claims for rl_decision_trees."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.rl_decision_trees.claims import LABELS, make_claims

TITLE = "A reinforcement learning approach to online learning of decision trees (Garlapati et al., 2015)"


def load(paths):
    docs = [read_json(p) for p in paths]
    runs = pd.DataFrame([{"stream": d["stream"], "seed": d["seed"], "d": d["d"], "drifts": d["drifts"],
                          "train_test_overlap": d.get("train_test_overlap", float("nan")), **r}
                         for d in docs for r in d["runs"]])
    runs["stream_features"] = runs.read_features.map(np.mean)
    return runs


def window_mean(x, w: int) -> np.ndarray:
    return np.convolve(np.asarray(x, float), np.ones(w) / w, mode="valid")


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    p = params
    runs = load(inputs["runs"])
    streams, learners = list(dict.fromkeys(runs.stream)), [k for k in LABELS if k in set(runs.learner)]
    colors = dict(zip(learners, plt.get_cmap("tab10").colors))

    fig, axes = plt.subplots(1, len(streams), figsize=(5.0 * len(streams), 3.6), squeeze=False)
    for ax, stream in zip(axes[0], streams):
        sub = runs[runs.stream == stream]
        w = min(p["window"], len(sub.correct.iloc[0]) // 5)
        for learner in learners:
            acc = np.stack([window_mean(c, w) for c in sub[sub.learner == learner].correct])
            x = np.arange(w, w + acc.shape[1])
            ax.plot(x, acc.mean(0), color=colors[learner], label=LABELS[learner], lw=1)
            ax.fill_between(x, acc.min(0), acc.max(0), color=colors[learner], alpha=0.2, lw=0)
        for drift in sub.drifts.iloc[0]:
            ax.axvline(drift, color="k", ls=":", lw=1)
        ax.set(title=stream.replace("_", " "), xlabel="examples seen", ylabel=f"prequential accuracy ({w}-example window)",
               ylim=(0, 1.02))
    axes[0, -1].legend(fontsize=7, loc="lower right")
    save_figure(fig, outputs["accuracy_png"], outputs["accuracy_pdf"])

    fig, axes = plt.subplots(1, len(streams), figsize=(5.0 * len(streams), 3.6), squeeze=False)
    for ax, stream in zip(axes[0], streams):
        g = runs[runs.stream == stream].groupby("learner")[["test_features", "stream_features"]].mean().reindex(learners)
        x = np.arange(len(learners))
        ax.bar(x - 0.2, g.test_features, 0.4, color=[colors[k] for k in learners], label="to predict (test)")
        ax.bar(x + 0.2, g.stream_features, 0.4, color=[colors[k] for k in learners], alpha=0.4, hatch="//",
               label="read per stream example (to learn)")
        ax.set_xticks(x, [LABELS[k] for k in learners], rotation=30, ha="right", fontsize=7)
        ax.set(title=f"{stream.replace('_', ' ')} (d = {runs[runs.stream == stream].d.iloc[0]})",
               ylabel="features per example")
    axes[0, 0].legend(fontsize=7)
    save_figure(fig, outputs["features_png"], outputs["features_pdf"])

    table = (runs.assign(learner=runs.learner.map(LABELS)).groupby(["stream", "learner"], sort=False)
             .agg(test_accuracy=("test_accuracy", "mean"), test_accuracy_std=("test_accuracy", "std"),
                  features_to_predict=("test_features", "mean"), features_read_per_example=("stream_features", "mean"))
             .reset_index())
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "rl_decision_trees", TITLE, p["scale"], make_claims(runs, p),
                   note="Accuracy and features to predict are measured on held-out test sets by each learner's final "
                        "model (RLDT greedy); the stream runs are prequential. Features are discretised (quantile bins). "
                        "The paper's data sets and numbers were not available to us; the streams are river's and "
                        "scikit-learn's bundled data.")

