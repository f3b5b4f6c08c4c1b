"""One output tree holds one scale: mini results (committed under paper_figures/) and full-scale results
must not mix, or Snakemake, finding mini figures newer than nothing it needs to rerun, would call a
full-scale run done with the mini figures in place (a fresh clone has no metadata to notice the change)."""
from __future__ import annotations

import json
from pathlib import Path


def scale_mismatches(figures: str | Path, scale: str) -> list[str]:
    """The claims files under figures/*/claims.json written at another scale than `scale`, as
    "path (scale)" strings; unreadable files are skipped (the run rewrites them)."""
    found = []
    for path in sorted(Path(figures).glob("*/claims.json")):
        try:
            written = json.loads(path.read_text()).get("scale")
        except (OSError, ValueError):
            continue
        if written and written != scale:
            found.append(f"{path} ({written})")
    return found


def check_output_scale(figures: str | Path, scale: str) -> None:
    """Raise ValueError, naming the files and the fix, if `figures` holds results of another scale."""
    found = scale_mismatches(figures, scale)
    if found:
        raise ValueError(
            f"this directory's {figures}/ holds results of another scale than this run's ({scale}): "
            f"{', '.join(found[:3])}{', ...' if len(found) > 3 else ''}. Run each scale in its own directory, "
            f"e.g. `snakemake --directory runs/{scale} ...` from the checkout (README: 'One scale per directory').")
