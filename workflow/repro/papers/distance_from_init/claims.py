"""Claims of distance_from_init (Nagarajan & Kolter, 2017; arXiv 1901.01672), tested on the measured
rows (one per experiment × width × m × label noise × seed; see render.load).

Unit of replication: the seed (each seed trains its own networks from its own init and order), so
every test is a t-test over seeds of one number per seed."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from repro.core import claims as C
from repro.core.erm import loglog_slope

# ---- thresholds ---------------------------------------------------------------------------------
# "Flat" on the paper's log-log axes. ‖W0‖ grows like √H (slope 0.5); a slope below 0.1 (a fifth of
# that) changes the distance by < 1.6× over the paper's 128× width range (H = 40 … 5120) while ‖W0‖
# changes 11×. The paper's curves decrease or flatten, so the paper's own slope is ≤ 0.
FLAT_SLOPE = 0.1
# "Rises monotonically with the share of noisy labels": a monotone curve has Spearman ρ = 1 over the
# noise levels; with 5 levels one swap of adjacent levels gives ρ = 0.9, two give 0.8. ρ > 0.8 is
# "monotone up to one swap".
MONOTONE_RHO = 0.8

SPECS = {
    "flat_in_width": C.Spec(
        "flat_in_width",
        "‖W − W0‖ does not grow with width (it shrinks or flattens), although ‖W0‖ grows like √H.",
        "distance decreases or flattens from H = 40 to 5120 (MNIST, CIFAR-10)",
        "figure of generalization error and ‖W − W0‖ vs width H for m = 64 … 16384 (MNIST top, CIFAR-10 bottom)",
        f"mean over seeds of the log-log slope of ‖W − W0‖ vs width (averaged over m) < {FLAT_SLOPE} "
        "(t-test over seeds)"),
    "grows_with_m": C.Spec(
        "grows_with_m",
        "‖W − W0‖ grows with the training set size m, faster for random labels than for true labels.",
        "log distance rises with m; faster with random labels (MNIST)",
        "figure of log ‖W − W0‖ vs m, true vs random labels (MNIST)",
        "log-log slope vs m (true labels) > 0 AND slope (random) − slope (true) > 0 (t-tests over seeds, "
        "the second paired by seed)"),
    "grows_with_noise": C.Spec(
        "grows_with_noise",
        "‖W − W0‖ grows with the share of noisy labels.",
        "distance rises monotonically with label noise (MNIST ≈0.5 → 3.7)",
        "figure of ‖W − W0‖ vs share of random labels (MNIST)",
        f"mean over seeds of Spearman ρ(noise level, distance) > {MONOTONE_RHO} (t-test over seeds)"),
}


def width_slopes(width: pd.DataFrame, col: str) -> pd.Series:
    """Per seed: the log-log slope of `col` vs width, averaged over the training-set sizes m."""
    per = width.groupby(["seed", "m"]).apply(lambda g: loglog_slope(g.width, g[col]), include_groups=False)
    return per.groupby("seed").mean()


def make_claims(df: pd.DataFrame) -> list[dict]:
    width, sizes, noise = (df[df.experiment == e] for e in ("width", "labels", "noise"))
    w_slope, init_slope = width_slopes(width, "distance"), width_slopes(width, "init_norm")
    slope = lambda g: loglog_slope(g.m, g.distance)  # noqa: E731
    true_s = sizes[sizes.noise == 0].groupby("seed").apply(slope, include_groups=False)
    rand_s = sizes[sizes.noise == 1].groupby("seed").apply(slope, include_groups=False)
    seeds = sorted(set(true_s.index) & set(rand_s.index))
    true_s, rand_s = true_s.loc[seeds].tolist(), rand_s.loc[seeds].tolist()
    rho = [float(spearmanr(g.noise, g.distance).statistic) for _, g in noise.groupby("seed")]
    return [
        C.claim(SPECS["flat_in_width"],
                measured={"log-log slope of distance vs width (mean over m), per seed": w_slope.tolist(),
                          "log-log slope of ‖W0‖ vs width (mean over m), per seed": init_slope.tolist()},
                check=C.mean_less("slope of ‖W − W0‖ vs width", w_slope.tolist(), FLAT_SLOPE),
                note="‖W0‖'s slope is a property of the initialisation (reported, not tested)."),
        C.claim(SPECS["grows_with_m"],
                measured={"log-log slope vs m, true labels": true_s, "log-log slope vs m, random labels": rand_s},
                check=C.all_of(C.mean_greater("slope vs m (true labels)", true_s, 0.0),
                               C.paired_greater("slope (random) − slope (true)", rand_s, true_s, 0.0)),
                note="The paper says 'much faster' without a number, so the margin is 0."),
        C.claim(SPECS["grows_with_noise"],
                measured={"Spearman ρ(noise, distance) per seed": rho},
                check=C.mean_greater("Spearman ρ(noise, distance)", rho, MONOTONE_RHO)
                if len(rho) >= 2 and np.all(np.isfinite(rho)) else C.inconclusive("fewer than 2 seeds with a ρ")),
    ]
