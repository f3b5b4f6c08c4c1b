"""Figures and claims for lifelong_features (a theory paper: claims are illustrations)."""
from __future__ import annotations

import pandas as pd
import seaborn as sns

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.lifelong_features.claims import LATE_FROM, make_claims

TITLE = "Lifelong learning in costly feature spaces (Balcan, Blum & Nagarajan, 2017)"
LEARNERS = {"scratch": "from scratch", "lifelong": "lifelong", "oracle": "oracle (target's variables)"}


def load(paths) -> pd.DataFrame:
    docs = [read_json(p) for p in paths]
    rows = [{"family": d["family"], "setting": d["setting"], "seed": d["seed"], "n": d["n"], **r}
            for d in docs for r in d["rows"]]
    df = pd.DataFrame(rows)
    long = [{"family": r.family, "setting": r.setting, "seed": r.seed, "task": r.task, "learner": LEARNERS[k],
             "features": getattr(r, f"{k}_features"), "error": getattr(r, f"{k}_error")}
            for r in df.itertuples() for k in LEARNERS]
    return df, pd.DataFrame(long)


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    df, long = load(inputs["streams"])
    settings, families = list(dict.fromkeys(df.setting)), list(dict.fromkeys(df.family))
    facets = dict(col="setting", col_order=settings, row="family", row_order=families, kind="line",
                  errorbar=("pi", 100), height=2.8, aspect=1.3, facet_kws={"sharey": "row"})
    for col, png, pdf, label in [("features", "features_png", "features_pdf", "features read per example"),
                                 ("error", "error_png", "error_pdf", "test error")]:
        grid = sns.relplot(data=long, x="task", y=col, hue="learner", **facets)
        grid.set(ylabel=label, xlabel="task index")
        if col == "error":
            grid.set(yscale="log")
        save_figure(grid.figure, outputs[png], outputs[pdf])

    cum = long.sort_values("task").assign(
        cumulative=lambda d: d.groupby(["family", "setting", "seed", "learner"]).features.cumsum())
    grid = sns.relplot(data=cum, x="task", y="cumulative", hue="learner", **facets)
    grid.set(ylabel="cumulative features per example", xlabel="task index")
    save_figure(grid.figure, outputs["cumulative_png"], outputs["cumulative_pdf"])

    late = long[long.task >= LATE_FROM * long.task.max()]
    table = late.groupby(["family", "setting", "learner"]).agg(features=("features", "mean"), error=("error", "mean")).reset_index()
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "lifelong_features", TITLE, params["scale"], make_claims(df),
                   note="A theory paper (no experiments): the figures illustrate its claim with sparse degree-2 "
                        "polynomials over shared monomials (regression error = MSE / Var y) and decision lists over "
                        "shared features (classification error). Measured over the second half of each task stream; "
                        "'related' draws a target's parts from the shared structure (new with probability p_new), "
                        "'unrelated' draws every part afresh.")

