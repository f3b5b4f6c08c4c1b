"""Combine the verdicts of two mini runs that differ only in their seeds (A: config/config.yaml,
B: config/seeds_b.yaml, disjoint seeds and so independent initialisations, data orders and noise).

The headline verdict of a claim is the one that holds with both seed sets; when they differ it is
`inconclusive`, with both verdicts shown beside it.

    python bench/robustness.py RUN_A RUN_B OUT      (make robustness: OUT = paper_figures)

A paper missing from RUN_B keeps the B verdict recorded in its claims by an earlier run, if its A result
is unchanged since (kept_b). It writes OUT/ROBUSTNESS.md (the table), OUT/robustness.json (per claim: each set's verdict and
statistic, and the combined verdict, which REPORT.md shows) and adds to every claim in
OUT/<paper>/claims.json a `by_seed_set` entry and a `robust_verdict`.
"""
from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow"))
from repro.core.claims import INCONCLUSIVE, headline  # noqa: E402
from repro.core.tables import to_markdown  # noqa: E402


def claims_of(run: Path) -> dict[tuple[str, str], dict]:
    out = {}
    for path in sorted(run.glob("paper_figures/*/claims.json")):
        doc = json.loads(path.read_text())
        out |= {(doc["paper"], c["id"]): c for c in doc["claims"]}
    return out


def combine(a: str, b: str | None) -> str:
    """The verdict that holds for both seed sets; a disagreement (or a missing B) is inconclusive."""
    return a if a == b else INCONCLUSIVE


def _stat(c: dict | None) -> str:
    return headline(c["test"]) if c and isinstance(c.get("test"), dict) else "–"


def kept_b(ca: dict) -> dict | None:
    """The seeds-B record an earlier robustness run wrote into this claim (`by_seed_set`), when seeds A's
    verdict and statistic are still the ones it was paired with (the paper was not re-run since); else None.
    Lets `make robustness` re-run B for the changed papers only."""
    prior = ca.get("by_seed_set")
    if prior and prior["A"] == {"verdict": ca["verdict"], "statistic": _stat(ca)}:
        return prior["B"]
    return None


def main(run_a: str, run_b: str, out: str) -> None:
    a, b = claims_of(Path(run_a)), claims_of(Path(run_b))
    rows, combined = [], {}
    papers_b = {paper for paper, _ in b}
    for (paper, cid), ca in a.items():
        if paper not in papers_b:
            kept = kept_b(ca)
            if kept is None:  # B not run for this paper: REPORT shows seeds A only, not a fake flip
                continue
            vb, stat_b = kept["verdict"], kept["statistic"]
        else:
            cb = b.get((paper, cid))
            vb, stat_b = (cb["verdict"], _stat(cb)) if cb else ("(missing)", "–")
        both = combine(ca["verdict"], vb if vb != "(missing)" else None)
        rows.append({"paper": paper, "claim": cid, "seeds A": ca["verdict"], "seeds B": vb, "both": both,
                     "flips": "**yes**" if ca["verdict"] != vb else "",
                     "statistic A [95% CI]": _stat(ca), "statistic B [95% CI]": stat_b})
        combined[f"{paper}/{cid}"] = {"seeds_a": {"verdict": ca["verdict"], "statistic": _stat(ca)},
                                      "seeds_b": {"verdict": vb, "statistic": stat_b}, "combined": both}
    df = pd.DataFrame(rows)
    flips = int((df.flips != "").sum()) if len(df) else 0
    text = io.StringIO()
    with redirect_stdout(text):
        table(df, flips)
    Path(out, "ROBUSTNESS.md").write_text(text.getvalue())
    Path(out, "robustness.json").write_text(json.dumps(combined, indent=1, sort_keys=True) + "\n")
    annotate(Path(out), combined)


def annotate(out: Path, combined: dict) -> None:
    """Write each claim's per-seed-set verdicts and its robust verdict into OUT/<paper>/claims.json."""
    for path in sorted(out.glob("*/claims.json")):
        doc = json.loads(path.read_text())
        for c in doc["claims"]:
            r = combined.get(f"{doc['paper']}/{c['id']}")
            if r:
                c["by_seed_set"] = {"A": r["seeds_a"], "B": r["seeds_b"]}
                c["robust_verdict"] = r["combined"]
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(doc, indent=1) + "\n")
        tmp.replace(path)


def table(df: pd.DataFrame, flips: int) -> None:
    print("# Robustness to the seeds\n")
    print(f"The mini reproduction run twice: with the configured seeds (A) and with every paper's seeds moved to a "
          f"disjoint set (B, `config/seeds_b.yaml`; every initialisation, data order and noise draw derives from "
          f"the run's seed). {flips} of {len(df)} verdicts differ between the sets; a claim's headline verdict "
          "(`both`) is the one that holds for both, else inconclusive.\n")
    print(to_markdown(df) if len(df) else "(no paper was run with both seed sets)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
