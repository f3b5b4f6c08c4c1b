"""Claims of resmem (Yang, Lukasik, Nagarajan et al., NeurIPS 2023), tested on the measured rows:
`images` (one per seed × width × model: the test accuracy of the base MLP, of ResMem on top of it, and
of kNN alone) and `risk` (one per seed × n: the test MSE of the least-squares base and of ResMem in
the stylized regression).

Unit of replication: the seed (its own training subset, init and order; its own regression data).
Every test is a t-test over seeds, paired by seed where two models share a seed's data.

Missing measurement: a paired bootstrap over test points (the natural test of "ResMem beats this
base" for one trained model) needs per-test-point correctness of the base and of ResMem per (seed,
width); the metrics keep only accuracies, so the gains are judged over seeds."""
from __future__ import annotations

import pandas as pd

from repro.core import claims as C

# ---- thresholds ---------------------------------------------------------------------------------
# "ResMem improves accuracy", "more for small bases", "lower risk": plain A > B comparisons, margin 0
# (the paper reports gains in figures, with no minimum size).
MARGIN = 0.0

SPECS = {
    "resmem_improves_small_bases": C.Spec(
        "resmem_improves_small_bases",
        "ResMem improves test accuracy over the base model on average over sizes, and more for the "
        "smallest base than for the largest.",
        "gains on CIFAR-100/ImageNet, largest for small models (figure; e.g. several points for small ResNets)",
        "abstract; the figure of test accuracy vs base model size, DeepNet vs ResMem (CIFAR-100, ImageNet)",
        "mean over widths of accuracy(ResMem) − accuracy(base) > 0 AND gain(smallest width) − gain(largest "
        "width) > 0 (paired t-tests over seeds)"),
    "resmem_lower_risk": C.Spec(
        "resmem_lower_risk",
        "Stylized regression: ResMem's test risk is below the base predictor's at every n.",
        "ResMem's risk is below the base's (theorem)",
        "the stylized linear-regression analysis (theorem on ResMem's test risk)",
        "at every n: base risk − ResMem risk > 0 (paired t-test over seeds; all n must clear)"),
}


def make_claims(images: pd.DataFrame, risk: pd.DataFrame) -> list[dict]:
    piv = images[images.model != "kNN alone"].pivot_table(index=["seed", "width"], columns="model", values="test_accuracy")
    gain = (piv["ResMem"] - piv["base"]).unstack("width").sort_index()  # seeds × widths
    widths = sorted(gain.columns)
    small, large = gain[widths[0]].tolist(), gain[widths[-1]].tolist()
    base_mean = piv["base"].unstack("width").sort_index().mean(axis=1).tolist()
    resmem_mean = piv["ResMem"].unstack("width").sort_index().mean(axis=1).tolist()
    by_n = {n: g.sort_values("seed") for n, g in risk.groupby("n")}
    risk_parts = [C.paired_greater(f"base − ResMem risk at n = {n}", g.base_risk.tolist(), g.resmem_risk.tolist(), MARGIN)
                  for n, g in by_n.items()]
    big_n = by_n[max(by_n)]
    return [
        C.claim(SPECS["resmem_improves_small_bases"],
                measured={"mean gain over widths": gain.mean(axis=1).tolist(), f"gain at width {widths[0]:g}": small,
                          f"gain at width {widths[-1]:g}": large},
                check=C.all_of(
                    C.paired_greater("accuracy ResMem − base (mean over widths)", resmem_mean, base_mean, MARGIN),
                    C.paired_greater("gain(smallest width) − gain(largest width)", small, large, MARGIN)),
                note="Per-test-point correctness is not in the metrics, so the gain is judged over seeds; a paired "
                     "bootstrap over test points needs it (missing measurement)."),
        C.claim(SPECS["resmem_lower_risk"],
                measured={**{f"base − ResMem risk at n = {n}": (g.base_risk - g.resmem_risk).tolist()
                             for n, g in by_n.items()},
                          "base risk at the largest n": big_n.base_risk.tolist(),
                          "ResMem risk at the largest n": big_n.resmem_risk.tolist()},
                check=C.all_of(*risk_parts)),
    ]
