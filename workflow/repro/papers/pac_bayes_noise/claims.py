"""Claims of pac_bayes_noise (Nagarajan & Kolter, ICLR 2019), tested on the measured rows (one per
depth × width × seed: the bounds, ∏‖W‖₂, and the noise-resilience conditions on train and test).

Unit of replication: the seed. A trend (growth with depth or width) is one slope per seed; the
comparison of two bounds is paired by seed (both are measured on the same trained network)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from repro.core import claims as C
from repro.core.erm import loglog_slope

# ---- thresholds ---------------------------------------------------------------------------------
# "Grows more slowly than the spectral-norm bound": a plain A > B comparison of growth rates, margin 0.
GROWTH_MARGIN = 0.0
# "The conditions generalize": they hold on most test points. Per test point, a condition fails when its
# hidden-layer (or Jacobian) norm exceeds the training maximum of that layer in any layer; the share of
# such test points must stay below FAIL_SHARE = 0.05, the failure probability δ = 0.05 our bound uses
# (a PAC statement: the conditions may fail on a δ share of the distribution, which then adds to the
# error bound). The paper gives no number. Pre-activations must not be *smaller* on test points: the 1%
# quantile of |pre-activation| on test ≥ train / SLACK (25% slack: the bound's noise scale σ is set by
# these terms and the KL term goes as 1/σ², so 25% changes it by at most 1.25² ≈ 1.6×, a constant factor,
# the granularity at which the bound is stated).
FAIL_SHARE = 0.05
SLACK = 1.25

SPECS = {
    "slower_growth_with_depth": C.Spec(
        "slower_growth_with_depth",
        "The noise-resilience bound grows more slowly with depth than the spectral-norm bound (it has no "
        "product of spectral norms). Our instantiation drops the bound's constants and log factors.",
        "log bound grows mildly with depth vs exponentially for spectral-norm bounds (figure; no number)",
        "abstract (no product of spectral norms, a mild rather than exponential dependence on depth) and the "
        "figure of log bound vs depth",
        "d log(Neyshabur+18)/d depth − d log(ours)/d depth > 0 (paired t-test over seeds)"),
    "slower_growth_with_width": C.Spec(
        "slower_growth_with_width",
        "The noise-resilience bound grows more slowly with width than the spectral-norm bound. Our "
        "instantiation drops the bound's constants and log factors.",
        "figure; no number",
        "the figure of log bound vs width",
        "log-log slope vs width: Neyshabur+18 − ours > 0 (paired t-test over seeds)"),
    "conditions_generalize": C.Spec(
        "conditions_generalize",
        "The noise-resilience conditions measured on training data hold on most test points too: few test "
        "points have a Jacobian or hidden-layer norm above the training maximum, and pre-activations are "
        "not smaller on test points.",
        "the conditions generalize: they hold on most test points (theorem; no number)",
        "abstract (the noise-resilience conditions measured on training data themselves generalize to test "
        "data) and its theorem",
        f"per seed, mean over architectures: share of test points whose Jacobian norm (any layer) exceeds the "
        f"training maximum < {FAIL_SHARE}, the same for the hidden-layer norm, and the 1% quantile of "
        f"|pre-activation| test / train > 1/{SLACK} (t-tests over seeds, all must clear)"),
}


def sweeps(df: pd.DataFrame, focus_width: int, focus_depth: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The depth sweep (at focus_width) and the width sweep (at focus_depth)."""
    return df[df.width == focus_width], df[df.depth == focus_depth]


def _per_seed(sub: pd.DataFrame, fn) -> list[float]:
    return [float(fn(g)) for _, g in sub.sort_values("seed").groupby("seed")]


def make_claims(df: pd.DataFrame, focus_width: int, focus_depth: int) -> list[dict]:
    by_depth, by_width = sweeps(df, focus_width, focus_depth)
    growth = lambda sub, col: _per_seed(sub, lambda g: np.polyfit(g.depth, np.log(g[col]), 1)[0])  # noqa: E731
    wslope = lambda sub, col: _per_seed(sub, lambda g: loglog_slope(g.width, g[col]))  # noqa: E731
    d_ours, d_ney, d_spec = growth(by_depth, "ours"), growth(by_depth, "neyshabur18"), growth(by_depth, "spectral_product")
    w_ours, w_ney = wslope(by_width, "ours"), wslope(by_width, "neyshabur18")

    ratio = lambda col: df[f"{col}_test"] / df[f"{col}_train"]  # noqa: E731
    per_seed = lambda r: r.groupby(df.seed).mean().sort_index().tolist()  # noqa: E731
    jac, hid = per_seed(df.share_test_above_train_max_jacobian), per_seed(df.share_test_above_train_max_hidden)
    parts = [C.mean_less("share of test points with Jacobian norm > training max", jac, FAIL_SHARE),
             C.mean_less("share of test points with hidden-layer norm > training max", hid, FAIL_SHARE)]
    measured = {"share of test points with Jacobian norm > training max, mean over architectures per seed": jac,
                "share of test points with hidden-layer norm > training max, mean over architectures per seed": hid,
                "share of test points with either > training max, per run": df.share_test_above_train_max_any.tolist(),
                "test/train 99th percentile of the Jacobian norm (largest over layers), per run":
                    df.test_train_q99_ratio_jacobian.tolist(),
                "test/train 99th percentile of the hidden-layer norm (largest over layers), per run":
                    df.test_train_q99_ratio_hidden.tolist(),
                "test/train max Jacobian norm, per run (reported)": ratio("max_jacobian").tolist(),
                "share of test pre-activations below the training 1% quantile, per run (0.01 if equal)":
                    df.share_test_preact_below_train_q01.tolist()}
    if (df["min_preact_train"] > 0).all():
        pre = per_seed(ratio("min_preact"))
        parts.append(C.mean_greater("test/train 1% quantile of |pre-activation|", pre, 1 / SLACK))
        measured["test/train 1% quantile of |pre-activation|, mean over architectures per seed"] = pre
    else:
        parts.append(C.inconclusive("a training-set 1% quantile of |pre-activation| is 0: no ratio"))
    return [
        C.claim(SPECS["slower_growth_with_depth"],
                measured={"d log(ours)/d depth": d_ours, "d log(Neyshabur+18)/d depth": d_ney,
                          "d log(∏‖W‖₂)/d depth": d_spec},
                check=C.paired_greater("growth rate with depth (Neyshabur+18 − ours)", d_ney, d_ours, GROWTH_MARGIN)),
        C.claim(SPECS["slower_growth_with_width"],
                measured={"log-log slope of ours vs width": w_ours, "log-log slope of Neyshabur+18 vs width": w_ney},
                check=C.paired_greater("width slope (Neyshabur+18 − ours)", w_ney, w_ours, GROWTH_MARGIN)),
        C.claim(SPECS["conditions_generalize"], measured=measured, check=C.all_of(*parts),
                note="Per-point norms: a test point fails a condition when its norm exceeds the training maximum "
                     "of that layer in any layer (under exchangeable train and test points and no overfitting "
                     "of the norms, that share is about 1/(m+1)). The 99th-percentile ratios are reported beside "
                     "it. Pre-activations: all points × units of each hidden layer, as a 1% quantile."),
    ]
