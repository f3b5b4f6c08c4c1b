"""Claims of gan_stability (Nagarajan & Kolter, NeurIPS 2017), tested on what render.py loads.

- Toy system (G(z)=az, D(x)=wx²): deterministic gradient steps from a few starting points. There is no
  noise to clear: the figure demonstrates the paper's stability theorems, so the verdict is `illustrated`
  (or `not reproduced` if a trajectory contradicts them).
- Ring of 8 Gaussians and images: GAN training, replicated over seeds (the unit of replication). The
  unregularised GAN mode-hops, so its coverage at the final evaluation is a lottery (one η=0 seed showed 0,
  another 6, another 8 modes at the last snapshot). The statistic is therefore each run's mean coverage over
  the evaluations of the second half of training, compared across seeds with a paired t-test."""
from __future__ import annotations

import pandas as pd

from repro.core import claims as C

KIND = {"wgan": "WGAN", "gan": "GAN"}

# Toy thresholds on final / initial distance to the equilibrium (w = 0, a = 1). The paper's statements are
# qualitative (abstract and the toy stability figure: "WGAN cycles", "GAN and η > 0 converge"):
CYCLE_MIN_RATIO = 0.5     # a cycle keeps its distance (the WGAN flow conserves H; ratio ≈ 1): "does not converge"
CONVERGED_MAX_RATIO = 0.1  # converging: at least a tenfold shrink of the distance within the run
# Ring / images: "covers more modes" is A beats B, threshold 0 on the paired difference.
LATE_FROM = 0.5           # the second half of training: evaluations at iteration ≥ LATE_FROM × last iteration

SPECS = {
    "toy_stability": C.Spec(
        "toy_stability",
        "In the toy system G(z)=az, D(x)=wx², gradient descent on the WGAN does not converge (it cycles around the "
        "equilibrium), while the standard GAN and the regularised (η>0) WGAN and GAN converge.",
        "WGAN: limit cycle; GAN and η>0: locally asymptotically stable",
        "abstract (GAN locally stable, WGAN limit cycles, the regulariser stabilises both); the toy system of the stability figure",
        f"from every starting point: final/initial distance to equilibrium > {CYCLE_MIN_RATIO} for WGAN η=0 and "
        f"< {CONVERGED_MAX_RATIO} for GAN η=0 and for every η>0 (deterministic: illustrated)."),
    "ring_modes": C.Spec(
        "ring_modes",
        "On a ring of 8 Gaussians, the gradient-regularised GAN covers more modes than the unregularised one "
        "(same seed, same iterations).",
        "η=0.5 covers all 8 modes where η=0 collapses (qualitative, from the figures)",
        "abstract ('helps … with mode collapse'); the ring-of-Gaussians figures (official code gaussian-toy-regularized.py)",
        "mean over seeds of [modes covered, averaged over the second-half evaluations](η>0) − (η=0) > 0 "
        "(paired t-test); several η>0: Bonferroni."),
    "image_modes": C.Spec(
        "image_modes",
        "On images, the gradient-regularised GAN covers more classes (modes) than the unregularised one, which "
        "collapses (same seed, same iterations).",
        "regulariser reduces mode collapse on MNIST (qualitative, from the figures)",
        "abstract ('helps … with mode collapse'); the MNIST / CIFAR-10 sample figures",
        "per data set: mean over seeds of [classes covered, averaged over the second-half evaluations](η>0) − "
        "(η=0) > 0 (paired t-test); several data sets or η: Bonferroni."),
}


def late_mean(hist: pd.DataFrame, col: str, keys: list[str]) -> pd.DataFrame:
    """Per run (keys + seed): the mean of `col` over its evaluations in the second half of training."""
    last = hist.iteration.max()
    late = hist[hist.iteration >= LATE_FROM * last]
    return late.groupby([*keys, "seed"], as_index=False)[col].mean()


def toy_claim(runs: pd.DataFrame) -> dict:
    """runs: the toy trajectories, one row per (kind, eta, start_index) with `distance` over time."""
    def ratio(kind, eta):  # final / initial distance to equilibrium, per starting point
        sel = runs[(runs.kind == kind) & (runs.eta == eta)].sort_values("start_index")
        return [r.distance[-1] / r.distance[0] for r in sel.itertuples()]

    etas = sorted(set(runs.eta))
    reg = [e for e in etas if e > 0]
    if 0.0 not in etas or not reg:
        return C.claim(SPECS["toy_stability"], check=C.inconclusive("needs η=0 and η>0"))
    measured = {"WGAN η=0 final/initial distance": ratio("wgan", 0.0),
                "GAN η=0 final/initial distance": ratio("gan", 0.0)}
    parts = [C.exact(f"WGAN η=0 final/initial distance > {CYCLE_MIN_RATIO} from every start",
                     min(ratio("wgan", 0.0)) > CYCLE_MIN_RATIO, min(ratio("wgan", 0.0))),
             C.exact(f"GAN η=0 final/initial distance < {CONVERGED_MAX_RATIO} from every start",
                     max(ratio("gan", 0.0)) < CONVERGED_MAX_RATIO, max(ratio("gan", 0.0)))]
    for e in reg:
        for kind in ("wgan", "gan"):
            name = f"{KIND[kind]} η={e:g} final/initial distance"
            measured[name] = ratio(kind, e)
            parts.append(C.exact(f"{name} < {CONVERGED_MAX_RATIO} from every start",
                                 max(ratio(kind, e)) < CONVERGED_MAX_RATIO, max(ratio(kind, e))))
    return C.claim(SPECS["toy_stability"], measured=measured, check=C.all_of(*parts),
                   note="Deterministic gradient steps; the starting points are not noise replicates, so the figure "
                        "illustrates the theorems rather than testing them.")


def late_evaluations(hist: pd.DataFrame) -> int:
    """How many evaluations a run has in the second half of training (the fewest over runs)."""
    late = hist[hist.iteration >= LATE_FROM * hist.iteration.max()]
    return int(late.groupby(["eta", "seed"]).iteration.nunique().min())


def coverage_check(late: pd.DataFrame, col: str, prefix: str, k: int) -> tuple[dict, list[C.Check]]:
    """Paired (by seed) comparisons of every η>0 with η=0 on the late-mean coverage `col`: a mean of k
    integer counts, so it lies on a 1/k grid (its rounding noise enters the t-test as `resolution`)."""
    base = late[late.eta == 0.0].sort_values("seed")
    measured, checks = {}, []
    if base.empty:
        return measured, checks
    measured[f"{prefix}{col} η=0 (second-half mean)"] = base[col].tolist()
    for e in sorted(x for x in set(late.eta) if x > 0):
        reg = late[late.eta == e].sort_values("seed")
        both = sorted(set(reg.seed) & set(base.seed))
        a = reg.set_index("seed").loc[both, col].tolist()
        b = base.set_index("seed").loc[both, col].tolist()
        measured[f"{prefix}{col} η={e:g} (second-half mean)"] = a
        checks.append(C.paired_greater(f"{prefix}{col}(η={e:g}) − {col}(η=0), second-half mean", a, b, 0.0,
                                       resolution=1.0 / k))
    return measured, checks


def ring_claim(hist: pd.DataFrame, final: pd.DataFrame) -> dict:
    """hist: ring GAN evaluations (eta, seed, iteration, modes, high_quality); final: the last evaluation."""
    late = late_mean(hist, "modes", ["eta"]).merge(late_mean(hist, "high_quality", ["eta"]), on=["eta", "seed"])
    measured, checks = coverage_check(late, "modes", "", late_evaluations(hist))
    for e in sorted(set(late.eta)):
        measured[f"high-quality share η={e:g} (second-half mean; context)"] = \
            late[late.eta == e].sort_values("seed").high_quality.tolist()
        measured[f"modes η={e:g} at the final evaluation (context)"] = final[final.eta == e].sort_values("seed").modes.tolist()
    check = C.any_of(*checks) if checks else C.inconclusive("needs η=0 and η>0")
    return C.claim(SPECS["ring_modes"], measured=measured, check=check,
                   note="The final snapshot of a mode-hopping GAN is a lottery, so each run's coverage is averaged "
                        "over its second-half evaluations; the high-quality share (samples within 3σ of a mode) is "
                        "listed because a smeared generator can touch many modes with few good samples.")


def image_claim(hist: pd.DataFrame) -> dict:
    """hist: image GAN evaluations (data, eta, seed, iteration, classes)."""
    measured, checks = {}, []
    for data in sorted(set(hist.data)):
        sub = hist[hist.data == data]
        m, c = coverage_check(late_mean(sub, "classes", ["eta"]), "classes", f"{data}: ", late_evaluations(sub))
        measured |= m
        checks += c
    check = C.any_of(*checks) if checks else C.inconclusive("needs η=0 and η>0")
    return C.claim(SPECS["image_modes"], measured=measured, check=check)


def make_claims(runs: pd.DataFrame, ring_hist: pd.DataFrame, ring_final: pd.DataFrame,
                image_hist: pd.DataFrame | None = None) -> list[dict]:
    claims = [toy_claim(runs), ring_claim(ring_hist, ring_final)]
    if image_hist is not None:
        claims.append(image_claim(image_hist))
    return claims
