"""Figures, table and claims for pause_tokens."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table

TITLE = "Think before you speak: training language models with pause tokens (Goyal et al., 2023)"
WHY = ("The tasks end with the query (a position for window_sum, an operation for late_op), so no position before "
       "it can finish the computation and a fixed-depth model gains parallel computation only from positions after "
       "the query: the case in which pauses can matter.")


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
        data = (f"Byte-level pretraining on {params['corpus']}; each downstream set is scored by exact match of the "
                "greedy answer (GSM8k: its final number)")
    C.write_claims(outputs["claims"], "pause_tokens", TITLE, params["scale"],
                   make_claims(rows, params["finetune_pauses"]),
                   note=f"{data}; pause pretraining inserts pauses at random positions (no loss on predicting a "
                        f"pause). Finetuning: answer-only loss, {params['finetune_pauses']} appended pauses for PauseFT.")


def make_claims(rows: pd.DataFrame, m_ft: int) -> list[dict]:
    matched = rows[rows.inference_pauses == rows.finetune_pauses]
    acc = matched.pivot_table(index=["task", "seed"], columns="setting", values="accuracy")
    tasks = sorted(set(rows.task))
    gain_full = {t: (acc.loc[t].PausePT_PauseFT - acc.loc[t].StdPT_StdFT).tolist() for t in tasks}
    gain_ft = {t: (acc.loc[t].StdPT_PauseFT - acc.loc[t].StdPT_StdFT).tolist() for t in tasks}
    both = rows[(rows.pretrain == "pause") & (rows.finetune == "pause")]
    by_m = both.pivot_table(index=["task", "seed"], columns="inference_pauses", values="accuracy")
    mismatched = sorted(m for m in by_m.columns if m not in (0, m_ft))
    drops = {f"{t}: accuracy at {m} − at {m_ft} inference pauses": (by_m.loc[t][m] - by_m.loc[t][m_ft]).tolist()
             for t in tasks for m in mismatched}
    zero = {f"{t}: accuracy at 0 − at {m_ft} inference pauses": (by_m.loc[t][0] - by_m.loc[t][m_ft]).tolist()
            for t in tasks if 0 in by_m.columns}
    return [
        C.claim("pause_pretrain_and_finetune_helps", "PausePT_PauseFT answers more accurately than StdPT_StdFT on every "
                "task.", "gains on 8 of 9 tasks for the 1B model (SQuAD EM +18%, CommonSenseQA +8%, GSM8k +1%)",
                {f"{t}: PausePT_PauseFT − StdPT_StdFT": g for t, g in gain_full.items()},
                C.all_of(*[C.all_above(f"{t} gain", g, 0) for t, g in gain_full.items()]), note=WHY),
        C.claim("pause_finetune_alone_smaller_gain", "Pause finetuning of a standard-pretrained model gains less than "
                "pauses in both stages (averaged over tasks).", "StdPT_PauseFT: mixed, mostly smaller gains",
                {"StdPT_PauseFT − StdPT_StdFT (mean over tasks)": mean_over(gain_ft),
                 "PausePT_PauseFT − StdPT_StdFT (mean over tasks)": mean_over(gain_full)},
                C.paired_gain("(PausePT_PauseFT − StdPT_PauseFT) accuracy", mean_over(gain_full), mean_over(gain_ft), 0)),
        C.claim("robust_to_inference_pause_mismatch", f"PausePT_PauseFT finetuned with {m_ft} pauses keeps its accuracy "
                "(within 0.05) when inference uses a different non-zero number of pauses.",
                "graceful degradation for inference pause counts near the finetuning one; collapse without pauses",
                drops | zero, C.all_of(*[C.all_within(name, d, 0, 0.05) for name, d in drops.items()])),
    ]


def mean_over(per_task: dict[str, list[float]]) -> list[float]:
    return [sum(vals) / len(vals) for vals in zip(*per_task.values())]
