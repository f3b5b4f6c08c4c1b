"""Claims: each paper's headline statements, tested against the numbers the pipeline measured.

A verdict is computed per seed and must hold in every seed: a claim that holds in some seeds and
fails in others is `inconclusive`, never `reproduced`. Verdicts are never typed in by hand.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from repro.core.io import write_json

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, ILLUSTRATED = "reproduced", "not reproduced", "inconclusive", "illustrated"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, ILLUSTRATED)


@dataclass(frozen=True)
class Check:
    verdict: str
    test: str


def summary(values: Iterable[float]) -> dict:
    """mean ± sample std over seeds, with the per-seed values kept."""
    v = [float(x) for x in values]
    if not v:
        raise ValueError("summary() of no values: a metric is missing for every seed")
    mean = sum(v) / len(v)
    std = math.sqrt(sum((x - mean) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return {"mean": mean, "std": std, "n": len(v), "values": v}


def _per_seed(holds: Sequence[bool], fails: Sequence[bool], test: str) -> Check:
    if holds and all(holds):
        return Check(REPRODUCED, test)
    if fails and all(fails):
        return Check(NOT_REPRODUCED, test)
    return Check(INCONCLUSIVE, test)


def all_above(name: str, values: Sequence[float], threshold: float) -> Check:
    """Reproduced if every seed has value > threshold; not reproduced if every seed has ≤."""
    return _per_seed([v > threshold for v in values], [v <= threshold for v in values],
                     f"{name} > {threshold:.3g} in every seed")


def all_below(name: str, values: Sequence[float], threshold: float) -> Check:
    return _per_seed([v < threshold for v in values], [v >= threshold for v in values],
                     f"{name} < {threshold:.3g} in every seed")


def all_within(name: str, values: Sequence[float], target: float, tol: float) -> Check:
    return _per_seed([abs(v - target) <= tol for v in values], [abs(v - target) > tol for v in values],
                     f"|{name} − {target:.3g}| ≤ {tol:.3g} in every seed")


def paired_gain(name: str, a: Sequence[float], b: Sequence[float], min_gain: float) -> Check:
    """a beats b by more than min_gain, seed for seed (a[i] and b[i] share a seed)."""
    if len(a) != len(b):
        raise ValueError(f"paired_gain({name}): {len(a)} vs {len(b)} seeds")
    gains = [x - y for x, y in zip(a, b)]
    return _per_seed([g > min_gain for g in gains], [g <= min_gain for g in gains],
                     f"{name} > {min_gain:.3g} in every seed")


def all_of(*checks: Check) -> Check:
    """Conjunction: reproduced if all are; not reproduced if any is not; else inconclusive."""
    verdicts = {c.verdict for c in checks}
    test = " AND ".join(f"({c.test})" for c in checks)
    if verdicts == {REPRODUCED}:
        return Check(REPRODUCED, test)
    if NOT_REPRODUCED in verdicts:
        return Check(NOT_REPRODUCED, test)
    return Check(INCONCLUSIVE, test)


def any_of(*checks: Check) -> Check:
    """Disjunction: reproduced if any is; not reproduced if all are not; else inconclusive."""
    verdicts = {c.verdict for c in checks}
    test = " OR ".join(f"({c.test})" for c in checks)
    if REPRODUCED in verdicts:
        return Check(REPRODUCED, test)
    if verdicts == {NOT_REPRODUCED}:
        return Check(NOT_REPRODUCED, test)
    return Check(INCONCLUSIVE, test)


def illustration(check: Check) -> Check:
    """For theory papers: a figure that shows what the theorem predicts is `illustrated`."""
    return Check(ILLUSTRATED, check.test) if check.verdict == REPRODUCED else check


def claim(claim_id: str, statement: str, paper_value: str, measured: dict[str, Sequence[float]],
          check: Check, note: str = "") -> dict:
    return {
        "id": claim_id,
        "statement": statement,
        "paper_value": paper_value,
        "measured": {k: summary(v) for k, v in measured.items()},
        "test": check.test,
        "verdict": check.verdict,
        "note": note,
    }


def write_claims(path: str | Path, paper: str, title: str, scale: str, claims: list[dict], note: str = "") -> None:
    for c in claims:
        if c["verdict"] not in VERDICTS:
            raise ValueError(f"claim {c['id']}: unknown verdict {c['verdict']!r}")
    write_json(path, {"paper": paper, "title": title, "scale": scale, "note": note, "claims": claims})
