"""Claims of adversarial_risk (Suggala, Prasad, Nagarajan & Ravikumar, AISTATS 2019), tested on what
render.py loads. Unit of replication: the seed.

- The 1-D family (threshold classifiers on a known distribution, errors estimated on n sampled points per
  seed) is the paper's constructed example: its trade-off is a property of the distribution, which our
  run computes up to Monte-Carlo noise, so a claim on it that clears that noise is `illustrated`.
- The 2-D MLPs are trained (standard, PGD under each definition): seeds are independent training runs and
  their claims are tested by paired t-tests over seeds.
- The Bayes classifier's zero error under both definitions holds by definition here (noiseless labels,
  y = f*(x)), so it is not tested as a measurement."""
from __future__ import annotations

import numpy as np
import pandas as pd

from repro.core import claims as C

# "Robust and accurate classifiers exist / no trade-off" (abstract; no number): adversarial training under the
# modified definition keeps the standard error of standard training. Non-inferiority margin: half a point of
# standard test error (0.005; our reading of "keeps": well below the ≈1-point rise that PGD under the standard
# definition costs in the literature's trade-off). Every other claim is a direction, threshold 0.
STD_ERROR_MARGIN = 0.005
TIE_TOL = 1e-3  # most_robust: adversarial errors within this of the minimum count as tied (then: most accurate)
# In the 1-D family every threshold |t| ≤ ε that gives up the island has the same population adversarial error
# (a flat valley), so the sampled argmin is a lottery decided by Monte-Carlo noise (0.002 at n = 20,000, above
# TIE_TOL): seed set B picked std-error gaps 0.025–0.054 for the same population minimiser. make_claims therefore
# widens the tie band to the Monte-Carlo noise of a difference of two estimates, measured from the spread of each
# classifier's error across seeds (z_0.975·√2·sd). Taking the most accurate member of a wider band only lowers
# the standard-error gap, i.e. it works against the paper's claim, never for it.
Z_TIE = 1.96 * np.sqrt(2.0)

SPECS = {
    "tradeoff_standard_definition": C.Spec(
        "tradeoff_standard_definition",
        "Under the standard definition, the classifier with the lowest adversarial error is not the Bayes "
        "classifier: being robust costs standard accuracy.",
        "a trade-off between standard and adversarial accuracy",
        "abstract ('the claimed trade-off … comes from an inexact definition'); the paper's toy distributions",
        "1-D family at ε_focus: mean over seeds of (standard error of the most robust classifier − Bayes's) > 0 AND "
        "of (its standard-definition adversarial error − Bayes's) < 0 (t-tests); illustrated when both clear (a "
        "property of the constructed distribution, estimated by sampling)."),
    "tradeoff_in_training": C.Spec(
        "tradeoff_in_training",
        "Adversarial training under the standard definition raises the standard error.",
        "the trade-off reported in the literature",
        "abstract (the trade-off observed in the literature, which the paper explains)",
        "2-D MLPs: mean over seeds of std error(PGD, standard def.) − std error(standard training) > 0 (paired t-test)."),
    "no_tradeoff_modified_definition": C.Spec(
        "no_tradeoff_modified_definition",
        "Under the modified definition there is no trade-off: adversarial training keeps the standard error of "
        "standard training and lowers the (modified) adversarial error.",
        "Bayes optimal for both risks",
        "abstract ('with a slight modification … no trade-off'); the modified definition f(x+δ) ≠ f*(x+δ)",
        f"2-D MLPs: mean over seeds of std error(PGD, modified def.) − std error(standard training) < "
        f"{STD_ERROR_MARGIN} (paired, non-inferiority) AND of modified adversarial error(standard training) − "
        f"(PGD, modified def.) > 0 (paired t-test)."),
}


def most_robust(group: pd.DataFrame, column: str, tol: float = TIE_TOL) -> pd.Series:
    """The classifier with the lowest adversarial error; among near-ties, the most accurate."""
    near = group[group[column] <= group[column].min() + tol]
    return near.loc[near.std_error.idxmin()]


def tie_tolerance(at: pd.DataFrame, column: str) -> float:
    """The band within which sampled adversarial errors cannot be told apart: Z_TIE × the pooled sd over seeds
    of each classifier's estimate (one row per seed, classifier (t, keep_island)); TIE_TOL with one seed."""
    if at.seed.nunique() < 2 or not {"t", "keep_island"} <= set(at.columns):
        return TIE_TOL
    var = at.groupby(["t", "keep_island"])[column].var(ddof=1).dropna()
    return max(TIE_TOL, float(Z_TIE * np.sqrt(var.mean()))) if len(var) else TIE_TOL


def make_claims(fam: pd.DataFrame, runs: list[dict], focus: float) -> list[dict]:
    """fam: the 1-D family (seed, eps, bayes, std_error, adv_error_standard, ...); runs: per seed, the 2-D
    regimes' std_error and adv_error_modified; focus: the ε of the trade-off claim."""
    at = fam[np.isclose(fam.eps, focus)]
    gaps, robust_adv, bayes_adv = [], [], []
    tol = tie_tolerance(at, "adv_error_standard") if len(at) else TIE_TOL
    for _, g in sorted(at.groupby("seed"), key=lambda x: x[0]):
        bayes, robust = g[g.bayes].iloc[0], most_robust(g, "adv_error_standard", tol)
        gaps.append(robust.std_error - bayes.std_error)
        robust_adv.append(robust.adv_error_standard)
        bayes_adv.append(bayes.adv_error_standard)
    check1 = C.illustration(C.all_of(
        C.mean_greater("standard error: most robust (standard def.) − Bayes", gaps, 0.0),
        C.mean_less("standard-def. adversarial error: most robust − Bayes", [r - b for r, b in zip(robust_adv, bayes_adv)],
                    0.0))) if len(gaps) else C.inconclusive(f"no 1-D family at ε={focus:g}")

    runs = sorted(runs, key=lambda r: r["seed"])
    val = lambda regime, m: [r["regimes"][regime][m] for r in runs]  # noqa: E731
    std, adv_std, adv_mod = (val(k, "std_error") for k in ("standard", "adversarial_standard", "adversarial_modified"))
    check2 = C.paired_greater("std error: PGD (standard def.) − standard training", adv_std, std, 0.0)
    mod_std, mod_pgd = val("standard", "adv_error_modified"), val("adversarial_modified", "adv_error_modified")
    check3 = C.all_of(
        C.mean_less("std error: PGD (modified def.) − standard training", [a - b for a, b in zip(adv_mod, std)],
                    STD_ERROR_MARGIN),
        C.paired_greater("modified adversarial error: standard training − PGD (modified def.)", mod_std, mod_pgd, 0.0))
    return [
        C.claim(SPECS["tradeoff_standard_definition"],
                measured={"standard error gap (most robust − Bayes)": gaps, "most robust: adversarial error": robust_adv,
                          "Bayes: adversarial error (standard def.)": bayes_adv},
                check=check1, note=f"ε = {focus:g}; most robust = the most accurate classifier whose adversarial "
                                   f"error is within {tol:.2g} (Monte-Carlo noise) of the family's minimum."),
        C.claim(SPECS["tradeoff_in_training"],
                measured={"standard training: std error": std, "PGD (standard def.): std error": adv_std},
                check=check2),
        C.claim(SPECS["no_tradeoff_modified_definition"],
                measured={"standard training: std error": std, "PGD (modified def.): std error": adv_mod,
                          "standard training: modified adv error": mod_std,
                          "PGD (modified def.): modified adv error": mod_pgd},
                check=check3,
                note="The Bayes classifier has zero standard and zero modified adversarial error by definition "
                     "(noiseless labels), so that half of the paper's statement is not a measurement here."),
    ]
