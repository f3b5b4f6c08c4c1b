"""Claims of local_explainability (Li, Nagarajan, Plumb & Talwalkar, ICLR 2021), tested on what render.py
loads. Unit of replication: the seed (one train/test split of the data, one set of trained models, one
draw of neighbours and of the ρ_S Monte-Carlo samples); each seed gives one number per claim, and the
verdict is a t-test over seeds. All claims are directions, so the thresholds are 0."""
from __future__ import annotations

import pandas as pd

from repro.core import claims as C
from repro.core.erm import loglog_slope

SPECS = {
    "gap_tracks_mnf": C.Spec(
        "gap_tracks_mnf",
        "Models that are more locally explainable (lower MNF) generalise better: across models the generalisation "
        "gap rises with train MNF.",
        "gap ≤ MNF + ρ_S·R (Thm 1)",
        "Theorem 1 (generalisation bound through mirrored neighbourhood fidelity; ICLR poster)",
        "per seed: Spearman correlation, over the trained models, of the generalisation gap with train MNF at "
        "σ_focus; mean over seeds > 0 (t-test)."),
    "mnf_generalizes_when_wide": C.Spec(
        "mnf_generalizes_when_wide",
        "Explanation fidelity generalises from train to test points when the neighbourhood is wide: "
        "|test − train MNF| shrinks as σ grows.",
        "Thm 2; poster: the gap shrinks with σ",
        "Theorem 2 and the train vs test MNF plots on UCI data (ICLR poster)",
        "per seed: mean over models of |test − train MNF| at the smallest σ minus at the largest σ; mean over "
        "seeds > 0 (paired t-test)."),
    "rho_exponent_falls": C.Spec(
        "rho_exponent_falls",
        "The neighbourhood-disjointness ρ_S grows like |S|^a with a falling from 1/2 towards 0 as σ grows.",
        "exponent ≈0.5 → ≈0 (poster)",
        "the plots of the growth exponent of ρ_S in |S| vs σ (ICLR poster)",
        "per seed: exponent a (log-log slope of ρ_S vs |S|) at each σ minus at the next larger σ; mean over seeds "
        "> 0 (paired t-test) for every step of the σ grid (it falls as σ grows, not only end to end); illustrated "
        "when all clear (the limits 1/2 and 0 hold by definition)."),
}


def tables(runs: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """models: (seed, model, gap, sigma, split, mnf); rho: (seed, sigma, n, rho); exponents: (seed, sigma, exponent)."""
    models = pd.DataFrame([{"seed": r["seed"], "model": f"h{m['hidden']} wd{m['weight_decay']:g}", "gap": m["gap"],
                            "sigma": float(s), "split": split, "mnf": v[split]}
                           for r in runs for m in r["models"] for s, v in m["mnf"].items() for split in ("train", "test")])
    rho = pd.DataFrame([{"seed": r["seed"], **x} for r in runs for x in r["rho"]])
    exponents = pd.DataFrame([{"seed": seed, "sigma": s, "exponent": loglog_slope(g.n.tolist(), g.rho.tolist())}
                              for (seed, s), g in rho.groupby(["seed", "sigma"])])
    return models, rho, exponents


def _peak_note(sigmas: list[float], gen_gap: dict[float, list[float]]) -> str:
    """Say where the mean |test − train MNF| peaks when it is not at the smallest σ: the test compares the two
    ends (narrow vs wide), which does not make the curve monotone in between."""
    means = {s: sum(v) / len(v) for s, v in gen_gap.items() if v}
    if not means:
        return ""
    peak = max(means, key=means.get)
    if peak == sigmas[0]:
        return ""
    return (f"The gap is not monotone in σ: its mean over seeds peaks at σ={peak:g} ({means[peak]:.3g}, vs "
            f"{means[sigmas[0]]:.3g} at σ={sigmas[0]:g}); at the narrowest σ the explainer, fit on the training points, "
            "reproduces f at them almost exactly (train MNF ≈ 0). The claim compares narrow with wide neighbourhoods.")


def make_claims(runs: list[dict]) -> list[dict]:
    """runs: one metrics document per seed (models with train/test MNF per σ, ρ_S rows, Spearman at σ_focus)."""
    runs = sorted(runs, key=lambda r: r["seed"])
    models, _, exponents = tables(runs)
    corr = [r["spearman_gap_vs_train_mnf"] for r in runs]
    sigmas = sorted(set(models.sigma))
    lo, hi = sigmas[0], sigmas[-1]
    gen_gap = {s: [] for s in sigmas}  # every σ is recorded; the test reads the two ends
    for _, g in models.groupby("seed"):
        for s in gen_gap:
            at = g[g.sigma == s].pivot_table(index="model", columns="split", values="mnf")
            gen_gap[s].append(float((at.test - at.train).abs().mean()))
    exp_at = lambda s: exponents[exponents.sigma == s].sort_values("seed").exponent.tolist()  # noqa: E731
    rho_sigmas = sorted(set(exponents.sigma))
    one_sigma = C.inconclusive("needs at least two neighbourhood widths σ")
    return [
        C.claim(SPECS["gap_tracks_mnf"], measured={"Spearman(gap, train MNF)": corr},
                check=C.mean_greater("Spearman(gap, train MNF)", corr, 0.0),
                note=f"Spearman over the {models.model.nunique()} trained models of each seed (widths × weight decays), "
                     "at one σ, so σ is no common cause. Capacity drives both quantities (the small nets underfit with "
                     "low MNF and a small gap; the wide ones interpolate): that is the paper's mechanism, but the "
                     "correlation rests mostly on that split, not on variation within a capacity level. Theorem 1 "
                     "is a bound (gap ≤ MNF + ρ_S·R); a rank correlation is our stand-in, not the bound itself."),
        C.claim(SPECS["mnf_generalizes_when_wide"],
                measured={f"|test − train MNF| at σ={s:g}": gen_gap[s] for s in sigmas},
                check=C.paired_greater(f"|test − train MNF|: σ={lo:g} − σ={hi:g}", gen_gap[lo], gen_gap[hi], 0.0)
                if lo != hi else one_sigma,
                note=_peak_note(sigmas, gen_gap)),
        C.claim(SPECS["rho_exponent_falls"],
                measured={f"exponent at σ={s:g}": exp_at(s) for s in rho_sigmas},
                # every consecutive step, not just the ends: the paper's plot falls monotonically, and an end-to-end
                # difference would pass a curve that rises in between (all_of: an intersection-union test, level kept)
                check=C.illustration(C.all_of(*[C.paired_greater(f"ρ_S exponent: σ={a:g} − σ={b:g}", exp_at(a), exp_at(b), 0.0)
                                                for a, b in zip(rho_sigmas[:-1], rho_sigmas[1:])]))
                if len(rho_sigmas) > 1 else one_sigma,
                note="ρ_S = √|S| for disjoint neighbourhoods and 1 for identical ones, so the exponent's limits (1/2 "
                     "at small σ, 0 at large σ) hold by definition; the run illustrates where between them the data's "
                     "σ range falls, it does not test the paper."),
    ]
