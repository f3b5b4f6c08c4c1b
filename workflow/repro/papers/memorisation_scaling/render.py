"""Figures and table for memorisation_scaling; the claims are in claims.py."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.memorisation_scaling.claims import CLASSES, PROXIES, make_claims, proxy_correlations

TITLE = "What do larger image classifiers memorise? (Lukasik, Nagarajan, Rawat, Menon & Kumar, 2023)"


def load(paths) -> pd.DataFrame:
    """One row per (seed, arm, width, example)."""
    rows = []
    for d in map(read_json, paths):
        noisy = np.array(d["noisy"])
        for s in d["sizes"]:
            frame = pd.DataFrame({k: s[k] for k in ("memorisation", "memorisation_se", *PROXIES)})
            rows.append(frame.assign(seed=d["seed"], arm=s["arm"], width=s["width"], example=np.arange(len(noisy)),
                                     noisy=noisy, test_accuracy=s["test_accuracy"], train_accuracy=s["train_accuracy"]))
    return pd.concat(rows, ignore_index=True)


def trajectories(df: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Each example's memorisation across widths (standard training), and its class: decreasing,
    increasing (ends differ by > threshold), cap-shaped (an interior peak above both ends by > threshold)."""
    wide = df[df.arm == "standard"].pivot_table(index=["seed", "example"], columns="width", values="memorisation")
    v = wide.to_numpy()
    first, last, peak = v[:, 0], v[:, -1], v[:, 1:-1].max(1) if v.shape[1] > 2 else np.full(len(v), -np.inf)
    cls = np.select([peak - np.maximum(first, last) > threshold, first - last > threshold, last - first > threshold],
                    ["cap-shaped", "decreasing", "increasing"], "flat")
    return wide.assign(trajectory=cls)


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    p = params
    df = load(inputs["metrics"])
    traj = trajectories(df, p["threshold"])
    widths = sorted(df.width.unique())
    std_widths = [w for w in widths if w in traj.columns]

    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), layout="constrained", sharey=True)
    for ax, cls in zip(axes, CLASSES):
        sub = traj[traj.trajectory == cls][std_widths]
        if len(sub):
            ax.plot(std_widths, sub.sample(min(len(sub), 40), random_state=0).T.values, color="0.7", lw=0.6)
            ax.plot(std_widths, sub.mean().values, color="C3", lw=2)
        ax.set(xscale="log", title=f"{cls} ({len(sub) / len(traj):.0%})", xlabel="width")
        ax.set_xticks(std_widths, [str(w) for w in std_widths])
        ax.minorticks_off()
    axes[0].set_ylabel("memorisation score")
    save_figure(fig, outputs["trajectories_png"], outputs["trajectories_pdf"])

    kd = df.groupby(["arm", "width", "seed"]).memorisation.mean().reset_index()
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for arm, g in kd.groupby("arm"):
        band = g.groupby("width").memorisation.agg(["mean", "min", "max"])
        ax.plot(band.index, band["mean"], "o-", label=arm)
        ax.fill_between(band.index, band["min"], band["max"], alpha=0.2)
    ax.set(xscale="log", xlabel="width", ylabel="mean memorisation score", title="with vs without distillation")
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.minorticks_off()
    ax.legend()
    save_figure(fig, outputs["kd_png"], outputs["kd_pdf"])

    corr = proxy_correlations(df)
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for proxy, g in corr.groupby("proxy"):
        band = g.groupby("width").spearman.agg(["mean", "min", "max"])
        ax.plot(band.index, band["mean"], "o-", label=proxy)
    ax.set(xscale="log", xlabel="width", ylabel="Spearman ρ with memorisation", ylim=(-0.1, 1.0))
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.minorticks_off()
    ax.legend(fontsize=7)
    save_figure(fig, outputs["proxies_png"], outputs["proxies_pdf"])

    table = df.groupby(["arm", "width"]).agg(train_accuracy=("train_accuracy", "mean"), test_accuracy=("test_accuracy", "mean"),
                                             memorisation=("memorisation", "mean"), se=("memorisation_se", "mean")).reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "memorisation_scaling", TITLE, p["scale"], make_claims(df, traj, p["threshold"]),
                   note="Digits population with symmetric label noise; K runs per width on fixed random subsets "
                        "(ratio r), one-hidden-layer MLPs trained to fit their subset; teacher per subset = the "
                        "widest model. Trajectory classes use a threshold on score changes; bootstrap SEs over "
                        "runs are in the table (se).")

