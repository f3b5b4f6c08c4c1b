"""Tables: one pandas DataFrame written as Markdown, LaTeX and CSV."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from repro.core.io import atomic_path


def write_table(df: pd.DataFrame, stem: str | Path, floatfmt: str = ".3f") -> None:
    """Write <stem>.md, <stem>.tex and <stem>.csv."""
    stem = Path(stem)
    with atomic_path(stem.with_suffix(".csv")) as tmp:
        df.to_csv(tmp, index=False)
    with atomic_path(stem.with_suffix(".md")) as tmp:
        tmp.write_text(to_markdown(df, floatfmt) + "\n")
    with atomic_path(stem.with_suffix(".tex")) as tmp:
        tmp.write_text(df.to_latex(index=False, float_format=lambda x: format(x, floatfmt), escape=True))


def to_markdown(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """GitHub Markdown without the optional `tabulate` dependency."""
    def cell(x) -> str:  # a literal | (e.g. |a − b|) would end the cell: escape it
        return format(x, floatfmt) if isinstance(x, float) else str(x).replace("|", "\\|")
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)
