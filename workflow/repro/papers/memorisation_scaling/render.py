"""Figures and table for memorisation_scaling; the claims are in claims.py."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.memorisation_scaling.claims import CLASSES, NOISE_Z, PROXIES, label, make_claims, proxy_correlations

TITLE = "What do larger image classifiers memorise? (Lukasik, Nagarajan, Rawat, Menon & Kumar, 2023)"


def load(paths) -> pd.DataFrame:
    """One row per (seed, arm, size, example); `network` names the model of each size."""
    rows = []
    for d in map(read_json, paths):
        noisy = np.array(d["noisy"])
        for s in d["sizes"]:
            frame = pd.DataFrame({k: s[k] for k in ("memorisation", "memorisation_se", *PROXIES)})
            rows.append(frame.assign(seed=d["seed"], arm=s["arm"], network=s["network"], size=s["size"], example=np.arange(len(noisy)),
                                     noisy=noisy, test_accuracy=s["test_accuracy"], train_accuracy=s["train_accuracy"],
                                     noisy_train_accuracy=s.get("noisy_train_accuracy", np.nan)))
    return pd.concat(rows, ignore_index=True)


def trajectories(df: pd.DataFrame, threshold: float, z: float = NOISE_Z) -> pd.DataFrame:
    """Each example's memorisation across model sizes (standard training), and its class: decreasing,
    increasing (ends differ), cap-shaped (an interior peak above both ends). A change counts only when
    it exceeds both `threshold` and z times its bootstrap standard error (√ of the two scores' summed
    squared SEs; the rows' memorisation_se, 0 if absent), so estimator noise is not read as a trend."""
    std = df[df.arm == "standard"]
    if "memorisation_se" not in std:
        std = std.assign(memorisation_se=0.0)
    wide = std.pivot_table(index=["seed", "example"], columns="size", values="memorisation")
    se = std.pivot_table(index=["seed", "example"], columns="size", values="memorisation_se").reindex_like(wide)
    v, e = wide.to_numpy(), se.fillna(0.0).to_numpy()
    rows = np.arange(len(v))
    first, last, e_first, e_last = v[:, 0], v[:, -1], e[:, 0], e[:, -1]
    if v.shape[1] > 2:
        top = 1 + np.nanargmax(np.where(np.isnan(v[:, 1:-1]), -np.inf, v[:, 1:-1]), 1)
        peak, e_peak = v[rows, top], e[rows, top]
    else:
        peak, e_peak = np.full(len(v), -np.inf), np.zeros(len(v))
    end_hi = np.where(first >= last, e_first, e_last)  # the SE of the higher end

    def clears(delta, err):
        return delta > np.maximum(threshold, z * err)

    d_ends = np.sqrt(e_first ** 2 + e_last ** 2)
    cls = np.select([clears(peak - np.maximum(first, last), np.sqrt(e_peak ** 2 + end_hi ** 2)),
                     clears(first - last, d_ends), clears(last - first, d_ends)],
                    ["cap-shaped", "decreasing", "increasing"], "flat")
    return wide.assign(trajectory=cls)


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    p = params
    df = load(inputs["metrics"])
    traj = trajectories(df, p["threshold"])
    sizes = sorted(df["size"].unique())  # parameters per network
    std_sizes = [w for w in sizes if w in traj.columns]
    names = [label(df, w) for w in sizes]
    std_names = [label(df, w) for w in std_sizes]
    xlabel = "model (log parameters)"

    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), layout="constrained", sharey=True)
    for ax, cls in zip(axes, CLASSES):
        sub = traj[traj.trajectory == cls][std_sizes]
        if len(sub):
            ax.plot(std_sizes, sub.sample(min(len(sub), 40), random_state=0).T.values, color="0.7", lw=0.6)
            ax.plot(std_sizes, sub.mean().values, color="C3", lw=2)
        ax.set(xscale="log", title=f"{cls} ({len(sub) / len(traj):.0%})", xlabel=xlabel)
        ax.set_xticks(std_sizes, std_names, rotation=30, fontsize=7)
        ax.minorticks_off()
    axes[0].set_ylabel("memorisation score")
    save_figure(fig, outputs["trajectories_png"], outputs["trajectories_pdf"])

    kd = df.groupby(["arm", "size", "seed"]).memorisation.mean().reset_index()
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for arm, g in kd.groupby("arm"):
        band = g.groupby("size").memorisation.agg(["mean", "min", "max"])
        ax.plot(band.index, band["mean"], "o-", label=arm)
        ax.fill_between(band.index, band["min"], band["max"], alpha=0.2)
    ax.set(xscale="log", xlabel=xlabel, ylabel="mean memorisation score", title="with vs without distillation")
    ax.set_xticks(sizes, names, rotation=30, fontsize=7)
    ax.minorticks_off()
    ax.legend()
    save_figure(fig, outputs["kd_png"], outputs["kd_pdf"])

    corr = proxy_correlations(df)
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for proxy, g in corr.groupby("proxy"):
        band = g.groupby("size").spearman.agg(["mean", "min", "max"])
        ax.plot(band.index, band["mean"], "o-", label=proxy)
    ax.set(xscale="log", xlabel=xlabel, ylabel="Spearman ρ with memorisation", ylim=(-0.1, 1.0))
    ax.set_xticks(sizes, names, rotation=30, fontsize=7)
    ax.minorticks_off()
    ax.legend(fontsize=7)
    save_figure(fig, outputs["proxies_png"], outputs["proxies_pdf"])

    table = df.groupby(["arm", "size", "network"]).agg(train_accuracy=("train_accuracy", "mean"), noisy_fit=("noisy_train_accuracy", "mean"),
                                             test_accuracy=("test_accuracy", "mean"),
                                             memorisation=("memorisation", "mean"), se=("memorisation_se", "mean")).reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "memorisation_scaling", TITLE, p["scale"], make_claims(df, traj, p["threshold"]),
                   note="A population with symmetric label noise; K runs per model size on fixed random subsets "
                        "(ratio r); models from sizes that cannot fit the mislabelled examples to sizes that fit "
                        "them (mini: one-hidden-layer MLPs on digits; full: CIFAR ResNets); teacher per subset = "
                        "the largest model, distilled at temperature T. "
                        "Trajectory classes count a score change only when it exceeds the threshold and 3 bootstrap "
                        "SEs (over runs) of the change; mean SEs are in the table (se), with the share of "
                        "mislabelled training examples each size fits (noisy_fit).")

