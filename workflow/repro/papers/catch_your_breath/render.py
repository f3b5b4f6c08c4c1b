"""Figures, table and claims for catch_your_breath."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.catch_your_breath.claims import make_claims
from repro.papers.catch_your_breath.train import CYB

TITLE = "Catch Your Breath: adaptive computation for self-paced sequence production (Galashov et al., 2025)"
ORDER = ["no_pause", "pause_ce", *CYB]


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    unit = "byte" if params.get("tokens", "bytes") == "bytes" else "token"
    hard, easy = ("answer", "separator") if params["synthetic"] else (f"word-initial {unit}", f"word-internal {unit}")
    runs = [read_json(p) for p in inputs["metrics"]]
    curves = pd.DataFrame([{"seed": r["seed"], "method": r["method"], **c} for r in runs for c in r["curve"]])
    grid = sns.relplot(data=curves, x="tokens", y="hard_accuracy", hue="method", hue_order=ORDER, kind="line",
                       errorbar=("pi", 100), height=3.4, aspect=1.4)
    grid.set(xlabel="training tokens (pauses not counted)", ylabel=f"accuracy on {hard} tokens")
    grid.ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
    save_figure(grid.figure, outputs["accuracy_png"], outputs["accuracy_pdf"])

    final = curves[curves.step == curves.step.max()]
    pauses = final.melt(id_vars=["seed", "method"], value_vars=["hard_pauses", "easy_pauses"],
                        var_name="token type", value_name="pauses")
    pauses["token type"] = pauses["token type"].map({"hard_pauses": f"{hard} (hard)", "easy_pauses": f"{easy} (easy)"})
    grid = sns.catplot(data=pauses[pauses.method != "no_pause"], x="method", y="pauses", hue="token type",
                       kind="bar", order=ORDER[1:], errorbar=("pi", 100), height=3.2, aspect=1.5)
    grid.set(xlabel="", ylabel=f"pauses used (of {params['k']})")
    save_figure(grid.figure, outputs["pauses_png"], outputs["pauses_pdf"])

    columns = ["hard_accuracy", "easy_accuracy", "hard_pauses", "easy_pauses", "hard_dont_know_prob", "easy_dont_know_prob",
               "hard_accuracy_first_try", "hard_accuracy_last_try"]
    summary = final.groupby("method")[[c for c in columns if c in final.columns]].mean()
    write_table(summary.reindex(ORDER).reset_index(), outputs["table"])
    corpus = ("the pause_tokens examples (digits, SEP, a late query, the answer) concatenated" if params["synthetic"]
              else f"C4 windows of {params.get('tokens', 'bytes')} tokens; hard tokens start a word, easy ones continue one")
    C.write_claims(outputs["claims"], "catch_your_breath", TITLE, params["scale"], make_claims(curves, hard, easy),
                   note=f"Corpus: {corpus}; every token is followed by {params['k']} pause slots for the pause methods. Evaluation is "
                        "teacher-forced on that layout: a token's answer is taken at its first try that does not say "
                        "`<don't know>`. CYB-AP is our reading of 'anytime prediction': −log E_π[γ^j p̃_j(y)].")

