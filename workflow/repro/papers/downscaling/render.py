"""Figures, table and claims for downscaling."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.downscaling.tasks import FAMILIES

TITLE = "The cost of down-scaling language models: fact recall deteriorates before in-context learning (Jin et al., 2023)"
THRESHOLD = 0.8  # "drops": normalised accuracy below 80% of the dense model's


def reduction_at_drop(curve: pd.DataFrame, x: str) -> float:
    """Smallest reduction x (sparsity, or 1 − params/params_max) whose normalised accuracy is below the
    threshold; 1.0 if it never drops within the grid."""
    below = curve[curve.normalised < THRESHOLD].sort_values(x)
    return float(below[x].iloc[0]) if len(below) else 1.0


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    pruning = pd.DataFrame([r for path in inputs["prune"] for r in read_json(path)["rows"]])
    dense = pd.DataFrame([{"seed": m["seed"], "width": m["width"], "block_params": m["block_params"], "family": f,
                           "accuracy": a} for m in map(read_json, inputs["dense"]) for f, a in m["accuracy"].items()])
    base = pruning[pruning.sparsity == 0].set_index(["seed", "method", "family"]).accuracy
    pruning["normalised"] = pruning.accuracy / base.reindex(pd.MultiIndex.from_frame(pruning[["seed", "method", "family"]])).values
    widest = dense[dense.width == dense.width.max()].set_index(["seed", "family"]).accuracy
    dense["normalised"] = dense.accuracy / widest.reindex(pd.MultiIndex.from_frame(dense[["seed", "family"]])).values
    dense["reduction"] = 1 - dense.block_params / dense.block_params.max()

    grid = sns.relplot(data=pruning, x="sparsity", y="normalised", hue="family", hue_order=list(FAMILIES),
                       col="method", kind="line", marker="o", errorbar=("pi", 100), height=3.2, aspect=1.2)
    for ax in grid.axes.flat:
        ax.axhline(THRESHOLD, color="k", ls=":", lw=1)
    grid.set(xlabel="sparsity of the block linear layers", ylabel="accuracy / dense accuracy")
    save_figure(grid.figure, outputs["sparsity_png"], outputs["sparsity_pdf"])

    grid = sns.relplot(data=dense, x="block_params", y="normalised", hue="family", hue_order=list(FAMILIES),
                       kind="line", marker="o", errorbar=("pi", 100), height=3.2, aspect=1.3)
    grid.ax.axhline(THRESHOLD, color="k", ls=":", lw=1)
    grid.set(xscale="log", xlabel="parameters in the blocks (dense models of smaller width)",
             ylabel="accuracy / widest model's accuracy")
    save_figure(grid.figure, outputs["size_png"], outputs["size_pdf"])

    table = pruning.pivot_table(index=["method", "sparsity"], columns="family", values="accuracy").reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "downscaling", TITLE, params["scale"],
                   make_claims(pruning, dense, params["chance"]),
                   note="Reduction at which a family 'drops' = the smallest sparsity (or parameter reduction) with "
                        f"accuracy below {THRESHOLD:.0%} of the dense model's; 1.0 = never within the grid. A family "
                        "whose dense accuracy is not above 1.5 × chance was not learned and cannot be compared.")


def make_claims(pruning: pd.DataFrame, dense: pd.DataFrame, chance: dict) -> list[dict]:
    seeds = sorted(set(pruning.seed))
    in_context = [f for f in FAMILIES if f != "fact"]
    dense_acc = pruning[pruning.sparsity == 0].groupby(["family", "seed"]).accuracy.first()
    learned = {f: [dense_acc[f][s] > 1.5 * chance[f] for s in seeds] for f in FAMILIES}
    measured, checks = {}, []
    for method in sorted(set(pruning.method)):
        drop = {f: [reduction_at_drop(pruning[(pruning.method == method) & (pruning.family == f) & (pruning.seed == s)],
                                      "sparsity") for s in seeds] for f in FAMILIES}
        for f in FAMILIES:
            measured[f"{method}: sparsity where {f} drops"] = drop[f]
        for f in in_context:
            check = C.paired_gain(f"{method}: drop sparsity({f}) − drop sparsity(fact)", drop[f], drop["fact"], 0)
            checks.append(check if all(learned[f]) and all(learned["fact"]) else
                          C.Check(C.INCONCLUSIVE, f"{check.test} [{f} not learned by the dense model in every seed]"))
    measured |= {f"dense accuracy: {f}": [dense_acc[f][s] for s in seeds] for f in FAMILIES}
    size_drop = {f: [reduction_at_drop(dense[(dense.family == f) & (dense.seed == s)], "reduction") for s in seeds]
                 for f in FAMILIES}
    size_checks = [C.paired_gain(f"drop reduction({f}) − drop reduction(fact)", size_drop[f], size_drop["fact"], 0)
                   if all(learned[f]) else C.Check(C.INCONCLUSIVE, f"{f} not learned") for f in in_context]
    return [
        C.claim("pruning_hurts_facts_first", "Under pruning (magnitude and Wanda, no retraining), fact recall drops below "
                "80% of the dense model's at a lower sparsity than each in-context family.",
                "fact recall falls beyond ~30% sparsity; in-context retrieval and learning survive 60–70%",
                measured, C.all_of(*checks)),
        C.claim("smaller_dense_hurts_facts_first", "Training smaller dense models (fewer parameters) hurts fact recall at a "
                "smaller reduction than the in-context families.",
                "the same ordering for dense models of decreasing size",
                {f"parameter reduction where {f} drops": v for f, v in size_drop.items()}, C.all_of(*size_checks)),
    ]
