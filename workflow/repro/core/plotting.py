"""One figure style for every paper, and byte-stable PNG/PDF saving."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

from repro.core.io import atomic_path  # noqa: E402

# No timestamps or version strings in the files, so the same numbers give the same bytes.
_METADATA = {
    ".png": {"Software": None},
    ".pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def use_style() -> None:
    """Set the shared style, and seed numpy's global RNG, which seaborn's strip-plot jitter uses."""
    np.random.seed(0)
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=1.1)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
                         "svg.hashsalt": "repro", "pdf.fonttype": 42})


def save_figure(fig: plt.Figure, *paths: str | Path) -> None:
    """Save one figure to each path (format from the suffix), atomically, then close it."""
    for path in paths:
        suffix = Path(path).suffix
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=suffix[1:], metadata=_METADATA.get(suffix))
    plt.close(fig)
