"""Figures, table and claims for memorisation_scaling."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table

TITLE = "What do larger image classifiers memorise? (Lukasik, Nagarajan, Rawat, Menon & Kumar, 2023)"
CLASSES = ("decreasing", "cap-shaped", "increasing", "flat")
# sign that makes "high = likely memorised": a high loss, a low confidence, a slow learning speed
PROXIES = {"loss": 1, "confidence": -1, "learning_speed": -1}


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


def proxy_correlations(df: pd.DataFrame) -> pd.DataFrame:
    std = df[df.arm == "standard"]
    rows = []
    for (seed, width), g in std.groupby(["seed", "width"]):
        for proxy, sign in PROXIES.items():
            ok = g[[proxy, "memorisation"]].dropna()
            rows.append({"seed": seed, "width": width, "proxy": proxy,
                         "spearman": float(spearmanr(sign * ok[proxy], ok.memorisation).statistic)})
    return pd.DataFrame(rows)


def make_claims(df: pd.DataFrame, traj: pd.DataFrame, threshold: float) -> list[dict]:
    share = traj.groupby("seed").trajectory.value_counts(normalize=True).unstack(fill_value=0.0)
    share = share.reindex(columns=list(CLASSES), fill_value=0.0)
    dec, cap, inc = (share[c].tolist() for c in ("decreasing", "cap-shaped", "increasing"))
    diverse = C.all_of(*[C.all_above(f"share {c}", share[c].tolist(), 0.02) for c in ("decreasing", "cap-shaped", "increasing")],
                       C.paired_gain("decreasing − max(cap, increasing) share", dec,
                                     np.maximum(cap, inc).tolist(), 0))
    widths = sorted(df.width.unique())
    kd_widths = sorted(df[df.arm == "distilled"].width.unique())
    mem = df.groupby(["seed", "arm", "width"]).memorisation.mean().unstack("arm")
    drop = [float((mem.loc[s].loc[kd_widths, "standard"] - mem.loc[s].loc[kd_widths, "distilled"]).mean())
            for s in sorted(set(df.seed))]
    # where the drop happens: increasing vs other examples
    inc_ex = traj[traj.trajectory == "increasing"].reset_index()[["seed", "example"]]
    d = df[df.width.isin(kd_widths)].pivot_table(index=["seed", "example"], columns="arm", values="memorisation")
    d["drop"] = d.standard - d.distilled
    d = d.reset_index().merge(inc_ex.assign(increasing=True), how="left", on=["seed", "example"]).fillna({"increasing": False})
    by = d.groupby(["seed", "increasing"])["drop"].mean().unstack()
    drop_inc = by.get(True, pd.Series(np.nan, index=by.index)).tolist()
    drop_other = by[False].tolist()
    # proxies vs trends: does the change of a proxy across sizes rank examples like the change in memorisation?
    std = df[df.arm == "standard"]
    first, last = widths[0], max(w for w in widths if w in set(std.width))
    trend = {}
    for proxy, sign in PROXIES.items():
        vals = []
        for seed, g in std.groupby("seed"):
            a, b = g[g.width == first].set_index("example"), g[g.width == last].set_index("example")
            dm, dp = b.memorisation - a.memorisation, sign * (b[proxy] - a[proxy])
            ok = dm.notna() & dp.notna()
            vals.append(float(spearmanr(dm[ok], dp[ok]).statistic))
        trend[proxy] = vals
    corr = proxy_correlations(df)
    level = corr[corr.width == last].groupby("proxy").spearman.apply(list).to_dict()
    return [
        C.claim("diverse_trajectories", "Memorisation trajectories across model sizes are diverse: decreasing, "
                "cap-shaped and increasing examples all occur (each ≥ 2%), with decreasing the most common.",
                "most examples decrease with size; some are cap-shaped or increasing (CIFAR-100, ImageNet)",
                {"share decreasing": dec, "share cap-shaped": cap, "share increasing": inc,
                 "share flat": share["flat"].tolist()}, diverse),
        C.claim("distillation_lowers_memorisation", "Distillation lowers memorisation, most on increasing examples.",
                "KD inhibits memorisation, mostly of increasing-trajectory examples",
                {"mean drop in memorisation with KD": drop, "drop on increasing examples": drop_inc,
                 "drop on other examples": drop_other},
                C.all_of(C.all_above("mean drop", drop, 0), C.paired_gain("drop(increasing) − drop(other)", drop_inc, drop_other, 0))),
        C.claim("proxies_miss_trends", "Proxies (loss, confidence, learning speed) correlate with memorisation at a "
                "given size but do not track its trend across sizes (Spearman ρ of the changes < 0.5).",
                "proxies correlate with the score but miss its size trends",
                {**{f"ρ at width {last}: {k}": v for k, v in level.items()},
                 **{f"ρ of changes {first}→{last}: {k}": v for k, v in trend.items()}},
                C.all_of(*[C.all_below(f"ρ of changes ({k})", v, 0.5) for k, v in trend.items()])),
    ]
