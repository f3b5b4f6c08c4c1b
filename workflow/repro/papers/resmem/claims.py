"""Claims of resmem (Yang, Lukasik, Nagarajan et al., NeurIPS 2023), tested on the measured rows:
`images` (one per seed × base network × model: the test accuracy of the base network, of ResMem on top of
it, and of kNN alone; each base with its `size` in parameters) and `risk` (one per seed × n: the test MSE of the least-squares base and of ResMem in
the stylized regression).

Units. Image gains: one trained base per (seed, network) and its ResMem differ only in the residual
memory, so "ResMem beats this base" is a paired comparison on the same test points: a paired bootstrap
over test points of correct(ResMem) − correct(base), run in every seed (the claim needs every seed to
clear: an intersection-union test). A t-test over three seeds' mean gains would pass on a gain of 1-3
test images. Regression risk: a t-test over seeds, paired by seed."""
from __future__ import annotations

import numpy as np
import pandas as pd

from repro.core import claims as C

# ---- thresholds ---------------------------------------------------------------------------------
# "ResMem improves accuracy", "more for small bases", "lower risk": plain A > B comparisons, margin 0
# (the paper reports gains in figures, with no minimum size).
MARGIN = 0.0

SPECS = {
    "resmem_improves_small_bases": C.Spec(
        "resmem_improves_small_bases",
        "ResMem improves the test accuracy of small base models, and improves them more than it improves "
        "the largest base.",
        "gains on CIFAR-100/ImageNet, largest for small models (figure; e.g. several points for small ResNets)",
        "abstract; the figure of test accuracy vs base model size, DeepNet vs ResMem (CIFAR-100, ImageNet)",
        "in every seed: accuracy(ResMem) − accuracy(base) for the smallest base > 0 AND [gain for the smallest "
        "base] − [gain for the largest base] > 0 (paired bootstraps over test points; all must clear)"),
    "resmem_lower_risk": C.Spec(
        "resmem_lower_risk",
        "Stylized regression: ResMem's test risk is below the base predictor's at every n.",
        "ResMem's risk is below the base's (theorem)",
        "the stylized linear-regression analysis (theorem on ResMem's test risk)",
        "at every n: base risk − ResMem risk > 0 (paired t-test over seeds; all n must clear)"),
}


def gain_checks(correct: pd.DataFrame) -> pd.DataFrame:
    """Per (seed, base network): the paired-bootstrap check of ResMem − base over test points. correct: one
    row per (seed, network) with its `size` and lists `base` and `resmem` of 0/1 correctness on the same test
    points."""
    rows = []
    for r in correct.itertuples():
        ck = C.paired_bootstrap_greater(f"test accuracy ResMem − base, {r.network}, seed {r.seed}",
                                        r.resmem, r.base, MARGIN)
        rows.append({"seed": r.seed, "network": r.network, "size": r.size, "gain": ck.estimate, "ci_low": ck.ci[0], "ci_high": ck.ci[1],
                     "verdict": ck.verdict, "check": ck})
    return pd.DataFrame(rows).sort_values(["size", "seed"]).reset_index(drop=True)


def make_claims(images: pd.DataFrame, risk: pd.DataFrame, correct: pd.DataFrame) -> list[dict]:
    piv = images[images.model != "kNN alone"].pivot_table(index=["seed", "network"], columns="model", values="test_accuracy")
    gain = (piv["ResMem"] - piv["base"]).unstack("network").sort_index()  # seeds × base networks
    nets = list(correct.sort_values("size").network.unique())  # smallest base first
    small, large = nets[0], nets[-1]
    checks = gain_checks(correct)
    at = {(r.seed, r.network): r for r in correct.itertuples()}
    seeds = sorted(correct.seed.unique())
    small_parts = [checks[(checks.network == small) & (checks.seed == s)].check.iloc[0] for s in seeds]
    diff_parts = []
    for s in seeds:
        a, b = at[(s, small)], at[(s, large)]
        diff_parts.append(C.paired_bootstrap_greater(
            f"gain({small}) − gain({large}), seed {s}",
            np.subtract(a.resmem, a.base), np.subtract(b.resmem, b.base), MARGIN))
    real = {w: int((g.verdict == C.REPRODUCED).sum()) for w, g in checks.groupby("network")}
    where = ", ".join(f"{w}: {real[w]}/{len(seeds)}" for w in nets)
    by_n = {n: g.sort_values("seed") for n, g in risk.groupby("n")}
    risk_parts = [C.paired_greater(f"base − ResMem risk at n = {n}", g.base_risk.tolist(), g.resmem_risk.tolist(), MARGIN)
                  for n, g in by_n.items()]
    big_n = by_n[max(by_n)]
    return [
        C.claim(SPECS["resmem_improves_small_bases"],
                measured={**{f"gain for {w}": gain[w].tolist() for w in nets},
                          **{f"gain for {w}, 95% low (paired bootstrap)": checks[checks.network == w].ci_low.tolist()
                             for w in nets},
                          "mean gain over bases": gain.mean(axis=1).tolist()},
                check=C.all_of(*small_parts, *diff_parts),
                note=f"Seeds in which ResMem's gain clears its paired bootstrap over test points: {where}. "
                     "The gain is real where the base underfits (small bases) and vanishes as the base grows."),
        C.claim(SPECS["resmem_lower_risk"],
                measured={**{f"base − ResMem risk at n = {n}": (g.base_risk - g.resmem_risk).tolist()
                             for n, g in by_n.items()},
                          "base risk at the largest n": big_n.base_risk.tolist(),
                          "ResMem risk at the largest n": big_n.resmem_risk.tolist()},
                check=C.all_of(*risk_parts)),
    ]
