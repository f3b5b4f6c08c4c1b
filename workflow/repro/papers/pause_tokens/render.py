"""Figures, table and claims for pause_tokens."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.pause_tokens.claims import make_claims

TITLE = "Think before you speak: training language models with pause tokens (Goyal et al., 2023)"
WHY = ("The tasks end with the query (an operation for late_op, a digit to count for late_count), so no position "
       "before it can finish the computation and a fixed-depth model gains parallel computation only from positions "
       "after the query: the case in which pauses can matter. Both can also be answered at the query position from "
       "a digit histogram that one attention head builds, so a model may not need the extra positions.")


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    rows = pd.DataFrame([r for path in inputs["metrics"] for r in read_json(path)["rows"]])
    rows["setting"] = rows.pretrain.map({"std": "StdPT", "pause": "PausePT"}) + "_" + \
        rows.finetune.map({"std": "StdFT", "pause": "PauseFT"})
    order = ["StdPT_StdFT", "StdPT_PauseFT", "PausePT_StdFT", "PausePT_PauseFT"]
    matched = rows[rows.inference_pauses == rows.finetune_pauses]
    wrap = min(3, rows.task.nunique())
    grid = sns.catplot(data=matched, x="setting", y="accuracy", col="task", col_wrap=wrap, kind="bar", order=order,
                       errorbar=None, height=3.2, aspect=1.2, alpha=0.7)
    for ax, task in zip(grid.axes.flat, grid.col_names):
        sns.stripplot(data=matched[matched.task == task], x="setting", y="accuracy", order=order, color="k",
                      size=4, ax=ax)
        ax.tick_params(axis="x", rotation=25, labelsize=7)
    grid.set(xlabel="", ylabel="answer accuracy\n(inference pauses = M_ft)")
    save_figure(grid.figure, outputs["grid_png"], outputs["grid_pdf"])

    grid = sns.relplot(data=rows, x="inference_pauses", y="accuracy", hue="setting", col="task", col_wrap=wrap, kind="line",
                       marker="o", hue_order=order, errorbar=("pi", 100), height=3.0, aspect=1.2)
    grid.set(xlabel="pauses at inference", ylabel="answer accuracy")
    save_figure(grid.figure, outputs["pauses_png"], outputs["pauses_pdf"])

    write_table(matched.groupby(["task", "setting"]).accuracy.agg(["mean", "std"]).reset_index(), outputs["table"])
    if params["corpus"] == "synthetic":
        data = (f"{WHY} Pretraining: {params['per_sequence']} examples of the tasks per sequence, every token scored")
    else:
        tokens = "Byte-level" if params.get("tokens", "bytes") == "bytes" else f"{params['tokens']}-token"
        data = (f"{tokens} pretraining on {params['corpus']}; each downstream set is scored by exact match of the "
                "greedy answer (GSM8k: its final number)")
    C.write_claims(outputs["claims"], "pause_tokens", TITLE, params["scale"],
                   make_claims(rows, params["finetune_pauses"]),
                   note=f"{data}; pause pretraining inserts pauses at random positions (no loss on predicting a "
                        f"pause). Finetuning: answer-only loss, {params['finetune_pauses']} appended pauses for PauseFT.")

