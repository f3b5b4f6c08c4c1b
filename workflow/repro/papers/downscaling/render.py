"""Figures, table and claims for downscaling."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.downscaling.claims import DROP_LEVEL as THRESHOLD
from repro.papers.downscaling.claims import LEARNED_SHARE, make_claims, with_skill_retained
from repro.papers.downscaling.tasks import FAMILIES, Mixture

TITLE = "The cost of down-scaling language models: fact recall deteriorates before in-context learning (Jin et al., 2023)"


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    pruning = pd.DataFrame([r for path in inputs["prune"] for r in read_json(path)["rows"]])
    dense = pd.DataFrame([{"seed": m["seed"], "width": m["width"], "block_params": m["block_params"], "family": f,
                           "accuracy": a} for m in map(read_json, inputs["dense"]) for f, a in m["accuracy"].items()])
    dense["reduction"] = 1 - dense.block_params / dense.block_params.max()
    baseline = Mixture(params["data"]).baseline()
    pruning, dense = with_skill_retained(pruning, dense, baseline)  # the figures show what the claims test

    grid = sns.relplot(data=pruning, x="sparsity", y="normalised", hue="family", hue_order=list(FAMILIES),
                       col="method", kind="line", marker="o", errorbar=("pi", 100), height=3.2, aspect=1.2)
    for ax in grid.axes.flat:
        ax.axhline(THRESHOLD, color="k", ls=":", lw=1)
    # below 0 a pruned model is worse than the no-skill guess (its output format breaks); the table has the values
    grid.set(xlabel="sparsity of the block linear layers", ylabel="skill retained (above no-skill baseline)",
             ylim=(-0.25, 1.1))
    save_figure(grid.figure, outputs["sparsity_png"], outputs["sparsity_pdf"])

    grid = sns.relplot(data=dense, x="block_params", y="normalised", hue="family", hue_order=list(FAMILIES),
                       kind="line", marker="o", errorbar=("pi", 100), height=3.2, aspect=1.3)
    grid.ax.axhline(THRESHOLD, color="k", ls=":", lw=1)
    grid.set(xscale="log", xlabel="parameters in the blocks (dense models of smaller width)",
             ylabel="skill retained vs the widest model", ylim=(-0.25, 1.1))
    save_figure(grid.figure, outputs["size_png"], outputs["size_pdf"])

    table = pruning.pivot_table(index=["method", "sparsity"], columns="family", values="accuracy").reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "downscaling", TITLE, params["scale"],
                   make_claims(pruning, dense, baseline),
                   note="Reduction at which a family 'drops' = the sparsity (or parameter reduction) at which its retained "
                        f"skill, (accuracy − no-skill baseline) / (dense accuracy − baseline), first falls below {THRESHOLD:.0%}, "
                        "interpolated linearly between grid points; the grid's end = never within the grid. A family "
                        f"whose dense accuracy is below baseline + {LEARNED_SHARE} × (1 − baseline) in some seed was not "
                        "learned and cannot be compared. The paper plots accuracy / dense accuracy; see claims.py for why "
                        "the baseline is subtracted here.")
