"""Compare the verdicts of two mini runs that differ only in their seeds (config/seeds_b.yaml) and
tabulate which flip. A verdict that changes with the seeds is not robust: the combined verdict is
`inconclusive` unless both runs agree.

    python bench/robustness.py RUN_A RUN_B OUT      (make robustness: OUT = paper_figures)

writes OUT/ROBUSTNESS.md (the table) and OUT/robustness.json (the combined verdicts, which the report's
summary table shows next to each claim).
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
from repro.core.claims import INCONCLUSIVE  # noqa: E402
from repro.core.tables import to_markdown  # noqa: E402


def verdicts(run: Path) -> dict[tuple[str, str], str]:
    out = {}
    for path in sorted(run.glob("paper_figures/*/claims.json")):
        doc = json.loads(path.read_text())
        out |= {(doc["paper"], c["id"]): c["verdict"] for c in doc["claims"]}
    return out


def main(run_a: str, run_b: str, out: str) -> None:
    a, b = verdicts(Path(run_a)), verdicts(Path(run_b))
    rows = [{"paper": paper, "claim": claim, "seeds A": a[key], "seeds B": b.get(key, "(missing)"),
             "combined": a[key] if a[key] == b.get(key) else INCONCLUSIVE,
             "flips": "**yes**" if a[key] != b.get(key) else ""}
            for key in a for paper, claim in [key]]
    df = pd.DataFrame(rows)
    flips = int((df.flips != "").sum())
    text = io.StringIO()
    with redirect_stdout(text):
        table(df, flips)
    Path(out, "ROBUSTNESS.md").write_text(text.getvalue())
    combined = {f"{r['paper']}/{r['claim']}": {"seeds_b": r["seeds B"], "combined": r["combined"]} for r in rows}
    Path(out, "robustness.json").write_text(json.dumps(combined, indent=1, sort_keys=True) + "\n")


def table(df: pd.DataFrame, flips: int) -> None:
    print("# Robustness to the seeds\n")
    print(f"The mini reproduction run twice: with the configured seeds (A) and with every paper's seeds moved to a "
          f"disjoint set (B, `config/seeds_b.yaml`). {flips} of {len(df)} verdicts change; a verdict that changes is "
          "reported as inconclusive in the combined column.\n")
    print(to_markdown(df))


if __name__ == "__main__":
    main(*sys.argv[1:4])
