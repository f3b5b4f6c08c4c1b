"""Claims: each paper's headline statements, tested against the numbers the pipeline measured.

Every comparative test here returns a `Check`: the statistic, its 95% confidence interval, the
threshold it is compared with, the one-sided p-values for and against the paper's direction, and
the decision read off them at ALPHA = 0.025 per side (i.e. off the two-sided 95% CI):

- reproduced      the effect clears its noise in the paper's direction (p_for < ALPHA);
- not reproduced  it clears its noise in the other direction (p_against < ALPHA);
- inconclusive    neither: the CI straddles the threshold (or there is nothing to test);
- illustrated     exact arithmetic or one deterministic demonstration (no noise to clear).

Noise is either the spread over independent seeds (Student t interval: `mean_greater`,
`paired_greater`, `mean_within`) or over test points / repeats (percentile bootstrap:
`bootstrap_greater`, `paired_bootstrap_greater`; permutation: `permutation_greater`). Each test is
null-calibrated in tests/test_claims.py: on data with no effect it says `reproduced` in at most 5% of
draws. Compound claims keep that guarantee: `all_of` (every part must clear; an intersection-union
test) and `any_of` (Bonferroni: a part must clear at ALPHA / k).

Decisions never rest on exact float ties: a spread of exactly zero with the estimate on the
threshold (within 1e-9 relative) is inconclusive, not a pass or a fail.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import stats

from repro.core.io import write_json

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, ILLUSTRATED = "reproduced", "not reproduced", "inconclusive", "illustrated"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, ILLUSTRATED)
ALPHA = 0.025          # one-sided level of every elementary test (a two-sided 95% CI)
N_BOOT = 4000          # bootstrap / permutation resamples
_BOOT_SEED = 20241201  # fixed: a verdict is a deterministic function of the measured numbers


@dataclass(frozen=True)
class Check:
    """One test's outcome. p_for: one-sided p-value of "no effect in the paper's direction";
    p_against: of "no effect in the opposite direction". ci is two-sided at 1 − 2·ALPHA."""
    verdict: str
    test: str
    method: str = ""
    estimate: float = float("nan")
    ci: tuple[float, float] = (float("nan"), float("nan"))
    threshold: float | None = None
    n: int = 0
    p_for: float = 1.0
    p_against: float = 1.0
    parts: tuple["Check", ...] = field(default=())

    def to_dict(self) -> dict:
        d = {"test": self.test, "method": self.method, "verdict": self.verdict}
        if not self.parts:
            d |= {"estimate": _num(self.estimate), "ci95": [_num(self.ci[0]), _num(self.ci[1])],
                  "threshold": self.threshold, "n": self.n,
                  "p_for": _num(self.p_for), "p_against": _num(self.p_against)}
        else:
            d["parts"] = [p.to_dict() for p in self.parts]
        return d


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _decide(p_for: float, p_against: float, alpha: float = ALPHA) -> str:
    if p_for < alpha:
        return REPRODUCED
    if p_against < alpha:
        return NOT_REPRODUCED
    return INCONCLUSIVE


def _values(name: str, values: Iterable[float]) -> np.ndarray:
    v = np.asarray([float(x) for x in values], dtype=float)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name}: non-finite values {v.tolist()} (a metric is missing or undefined)")
    return v


def _tie(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


# ---- seed-level tests (Student t over independent replications) ------------------------------

def _t_test(diffs: np.ndarray, greater: bool, resolution: float = 0.0) -> tuple[float, tuple[float, float], float, float]:
    """Estimate, 95% CI and one-sided p-values (for, against) of mean(diffs) > 0 (or < 0).
    resolution: the quantisation step of the measurement (a grid step, 1/n_test); its rounding noise
    (variance step²/12) is added to the sample variance, so identical grid values are not 'no noise'."""
    n, mean = len(diffs), float(diffs.mean()) if len(diffs) else float("nan")
    if n < 2:
        return mean, (float("-inf"), float("inf")), 1.0, 1.0
    sd = math.sqrt(float(diffs.var(ddof=1)) + resolution ** 2 / 12)
    if sd == 0.0 or _tie(sd, 0.0):
        if _tie(mean, 0.0):
            return mean, (mean, mean), 1.0, 1.0
        above = mean > 0
        p_above, p_below = (0.0, 1.0) if above else (1.0, 0.0)
        return mean, (mean, mean), *((p_above, p_below) if greater else (p_below, p_above))
    se = sd / math.sqrt(n)
    t = mean / se
    half = stats.t.ppf(1 - ALPHA, n - 1) * se
    p_above, p_below = float(stats.t.sf(t, n - 1)), float(stats.t.cdf(t, n - 1))
    return mean, (mean - half, mean + half), *((p_above, p_below) if greater else (p_below, p_above))


def mean_greater(name: str, values: Sequence[float], threshold: float, resolution: float = 0.0) -> Check:
    """Mean over independent seeds > threshold (one-sample t-test; t interval).
    values: one number per seed; resolution: their quantisation step, if any (see _t_test).
    Raises ValueError on non-finite values."""
    v = _values(name, values)
    est, (lo, hi), pf, pa = _t_test(v - threshold, greater=True, resolution=resolution)
    return Check(_decide(pf, pa), f"mean {name} > {threshold:.3g}", "t-test over seeds",
                 est + threshold, (lo + threshold, hi + threshold), threshold, len(v), pf, pa)


def mean_less(name: str, values: Sequence[float], threshold: float, resolution: float = 0.0) -> Check:
    """Mean over independent seeds < threshold (one-sample t-test)."""
    v = _values(name, values)
    est, (lo, hi), pf, pa = _t_test(v - threshold, greater=False, resolution=resolution)
    return Check(_decide(pf, pa), f"mean {name} < {threshold:.3g}", "t-test over seeds",
                 est + threshold, (lo + threshold, hi + threshold), threshold, len(v), pf, pa)


def paired_greater(name: str, a: Sequence[float], b: Sequence[float], margin: float = 0.0,
                   resolution: float = 0.0) -> Check:
    """mean(a − b) > margin over seeds, a[i] and b[i] sharing seed i (paired t-test).
    Raises ValueError if a and b differ in length."""
    a, b = _values(name, a), _values(name, b)
    if len(a) != len(b):
        raise ValueError(f"paired_greater({name}): {len(a)} vs {len(b)} seeds")
    c = mean_greater(name, a - b, margin, resolution)
    return replace(c, test=f"mean {name} > {margin:.3g} (paired by seed)", method="paired t-test over seeds")


def mean_within(name: str, values: Sequence[float], target: float, tol: float, resolution: float = 0.0) -> Check:
    """|mean − target| ≤ tol: equivalence by two one-sided t-tests (TOST). Reproduced when the
    CI lies inside [target − tol, target + tol]; not reproduced when it lies wholly outside."""
    v = _values(name, values)
    _, _, p_above_lo, p_below_lo = _t_test(v - (target - tol), greater=True, resolution=resolution)
    est, ci, p_below_hi, p_above_hi = _t_test(v - (target + tol), greater=False, resolution=resolution)
    p_for = max(p_above_lo, p_below_hi)            # inside the band on both sides
    p_against = min(p_below_lo, p_above_hi) * 2     # outside on either side (Bonferroni over sides)
    return Check(_decide(p_for, min(p_against, 1.0)), f"|mean {name} − {target:.3g}| ≤ {tol:.3g}",
                 "TOST (two one-sided t-tests) over seeds", est + target + tol,
                 (ci[0] + target + tol, ci[1] + target + tol), target, len(v), p_for, min(p_against, 1.0))


# ---- test-point-level tests (bootstrap / permutation) ------------------------------------------

def _boot_stats(v: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray], n_boot: int) -> np.ndarray:
    rng = np.random.default_rng(_BOOT_SEED)
    idx = rng.integers(0, len(v), size=(n_boot, len(v)))
    return statistic(v[idx])


def bootstrap_greater(name: str, values: Sequence[float] | np.ndarray, threshold: float,
                      statistic: Callable[[np.ndarray], np.ndarray] | None = None, n_boot: int = N_BOOT,
                      less: bool = False) -> Check:
    """statistic(values) > threshold (or < with less=True), by a percentile bootstrap over the rows of
    `values` (test points, or repeats of a cheap experiment). statistic maps a [B, n, ...] batch of
    resamples to [B] values; default: the mean. Needs n ≥ 10 rows for the bootstrap to be calibrated."""
    v = np.asarray(values, dtype=float)
    if len(v) < 10:
        raise ValueError(f"bootstrap_greater({name}): {len(v)} rows; use a t-test over seeds for n < 10")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name}: non-finite values")
    stat = statistic or (lambda x: x.mean(axis=1))
    est = float(stat(v[None])[0])
    boot = _boot_stats(v, stat, n_boot)
    lo, hi = np.quantile(boot, [ALPHA, 1 - ALPHA])
    p_above = (1 + np.sum(boot <= threshold)) / (n_boot + 1)
    p_below = (1 + np.sum(boot >= threshold)) / (n_boot + 1)
    if _tie(est, threshold) and _tie(lo, hi):
        p_above = p_below = 1.0
    pf, pa = (p_below, p_above) if less else (p_above, p_below)
    return Check(_decide(pf, pa), f"{name} {'<' if less else '>'} {threshold:.3g}",
                 f"percentile bootstrap over {len(v)} points", est, (float(lo), float(hi)), threshold, len(v),
                 float(pf), float(pa))


def paired_bootstrap_greater(name: str, a: Sequence[float], b: Sequence[float], margin: float = 0.0) -> Check:
    """mean(a − b) > margin, a[i] and b[i] measured on the same test point (paired bootstrap)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"paired_bootstrap_greater({name}): shapes {a.shape} vs {b.shape}")
    c = bootstrap_greater(name, a - b, margin)
    return replace(c, test=f"mean {name} > {margin:.3g} (paired)", method=f"paired bootstrap over {len(a)} points")


def permutation_greater(name: str, a: Sequence[float], b: Sequence[float], n_perm: int = N_BOOT) -> Check:
    """mean(a) > mean(b) for two independent samples: permutation test of the difference in means
    (exact over all splits when there are ≤ n_perm of them). CI: bootstrap of the difference."""
    a, b = _values(name, a), _values(name, b)
    pooled, na = np.concatenate([a, b]), len(a)
    obs = a.mean() - b.mean()
    n_splits = math.comb(len(pooled), na)
    if n_splits <= n_perm:
        from itertools import combinations
        masks = np.zeros((n_splits, len(pooled)), dtype=bool)
        for i, c in enumerate(combinations(range(len(pooled)), na)):
            masks[i, list(c)] = True
    else:
        rng = np.random.default_rng(_BOOT_SEED)
        order = np.argsort(rng.random((n_perm, len(pooled))), axis=1)
        masks = np.zeros((n_perm, len(pooled)), dtype=bool)
        np.put_along_axis(masks, order[:, :na], True, axis=1)
    diffs = (masks * pooled).sum(1) / na - (~masks * pooled).sum(1) / (len(pooled) - na)
    eps = 1e-12 * max(1.0, abs(obs))
    p_for = float(np.mean(diffs >= obs - eps))
    p_against = float(np.mean(diffs <= obs + eps))
    if _tie(obs, 0.0):
        p_for = p_against = 1.0
    rng = np.random.default_rng(_BOOT_SEED)
    boot = (a[rng.integers(0, len(a), (N_BOOT, len(a)))].mean(1) - b[rng.integers(0, len(b), (N_BOOT, len(b)))].mean(1))
    lo, hi = np.quantile(boot, [ALPHA, 1 - ALPHA])
    return Check(_decide(p_for, p_against), f"mean {name}: first − second > 0", "permutation test",
                 float(obs), (float(lo), float(hi)), 0.0, len(pooled), p_for, p_against)


def exact(name: str, holds: bool, value: float = float("nan")) -> Check:
    """Exact arithmetic or one deterministic demonstration: `illustrated` if it shows what the paper
    says, `not reproduced` if it shows the opposite. No noise, so no claim of reproduction."""
    return Check(ILLUSTRATED if holds else NOT_REPRODUCED, name, "exact (deterministic)", value, (value, value),
                 None, 1, 0.0 if holds else 1.0, 1.0 if holds else 0.0)


def inconclusive(reason: str) -> Check:
    """Nothing to test (an arm was not run, a task has no headroom, ...): say why."""
    return Check(INCONCLUSIVE, reason, "not testable")


# ---- combinations -----------------------------------------------------------------------------

def all_of(*checks: Check) -> Check:
    """Every part must clear its noise (intersection-union test: level ALPHA without correction).
    Not reproduced if any part clears the other way at ALPHA / k (Bonferroni); else inconclusive.
    Parts that are `illustrated` count as passing but make the whole `illustrated`."""
    if not checks:
        raise ValueError("all_of() of no checks")
    k = len(checks)
    verdicts = [c.verdict for c in checks]
    test = " AND ".join(f"({c.test})" for c in checks)
    if any(c.verdict == NOT_REPRODUCED and c.p_against < ALPHA / k for c in checks) or \
            any(c.verdict == NOT_REPRODUCED and c.method == "exact (deterministic)" for c in checks):
        verdict = NOT_REPRODUCED
    elif all(v in (REPRODUCED, ILLUSTRATED) for v in verdicts):
        verdict = ILLUSTRATED if ILLUSTRATED in verdicts else REPRODUCED
    else:
        verdict = INCONCLUSIVE
    return Check(verdict, test, "all of (intersection-union)", parts=tuple(checks),
                 p_for=max(c.p_for for c in checks), p_against=min(1.0, k * min(c.p_against for c in checks)))


def any_of(*checks: Check) -> Check:
    """At least one part clears its noise at ALPHA / k (Bonferroni over the k parts, so the family
    keeps its level); not reproduced if every part clears the other way; else inconclusive."""
    if not checks:
        raise ValueError("any_of() of no checks")
    k = len(checks)
    test = " OR ".join(f"({c.test})" for c in checks)
    p_for = min(1.0, k * min(c.p_for for c in checks))
    p_against = max(c.p_against for c in checks)
    if any(c.verdict == ILLUSTRATED for c in checks):
        verdict = ILLUSTRATED
    else:
        verdict = _decide(p_for, p_against)
    return Check(verdict, test, f"any of (Bonferroni over {k})", parts=tuple(checks), p_for=p_for, p_against=p_against)


def illustration(check: Check) -> Check:
    """A figure that shows what a theorem predicts is `illustrated`, not `reproduced`: the theorem
    is exact, our run only demonstrates it."""
    return replace(check, verdict=ILLUSTRATED) if check.verdict == REPRODUCED else check


# ---- records ----------------------------------------------------------------------------------

def summary(values: Iterable[float]) -> dict:
    """mean ± sample std over seeds, with the per-seed values kept."""
    v = [float(x) for x in values]
    if not v:
        raise ValueError("summary() of no values: a metric is missing for every seed")
    mean = sum(v) / len(v)
    std = math.sqrt(sum((x - mean) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return {"mean": mean, "std": std, "n": len(v), "values": v}


@dataclass(frozen=True)
class Spec:
    """A claim as the paper states it: the statement, the paper's number and where it is
    (section, table or figure), and our test with its threshold, in words."""
    id: str
    statement: str
    paper_value: str
    source: str
    test: str


def claim(spec: Spec | str, statement: str | None = None, paper_value: str | None = None,
          measured: dict[str, Sequence[float]] | None = None, check: Check | None = None, note: str = "",
          source: str = "") -> dict:
    """One claims.json entry. Call as claim(spec, measured=..., check=...) with a `Spec`, or with the
    id, statement and paper value spelled out."""
    if isinstance(spec, Spec):
        cid, statement, paper_value, source, planned = spec.id, spec.statement, spec.paper_value, spec.source, spec.test
    else:
        cid, planned = spec, ""
    if check is None:
        raise ValueError(f"claim {cid}: no check")
    return {
        "id": cid,
        "statement": statement,
        "paper_value": paper_value,
        "paper_source": source,
        "measured": {k: summary(v) for k, v in (measured or {}).items()},
        "test": check.to_dict() | ({"planned": planned} if planned else {}),
        "verdict": check.verdict,
        "note": note,
    }


def headline(check: dict) -> str:
    """One line for a report: the statistic with its CI (or the parts' verdicts)."""
    if "parts" in check:
        return "; ".join(headline(p) for p in check["parts"])
    est, (lo, hi) = check.get("estimate"), check.get("ci95", [None, None])
    if est is None:
        return f"{check['test']}: {check['verdict']}"
    ci = f" [{lo:.3g}, {hi:.3g}]" if lo is not None and hi is not None and lo != hi else ""
    return f"{check['test']}: {est:.3g}{ci}"


def write_claims(path: str | Path, paper: str, title: str, scale: str, claims: list[dict], note: str = "") -> None:
    for c in claims:
        if c["verdict"] not in VERDICTS:
            raise ValueError(f"claim {c['id']}: unknown verdict {c['verdict']!r}")
    write_json(path, {"paper": paper, "title": title, "scale": scale, "note": note, "claims": claims})
