"""Figures, table and claims for safe_exploration."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from repro.core import claims as C
from repro.core.io import read_json
from repro.core.plotting import save_figure, use_style
from repro.core.tables import write_table
from repro.papers.safe_exploration.claims import LABELS, make_claims
from repro.rl.agents import SAFE

TITLE = "Provably safe PAC-MDP exploration using analogies (Roderick, Nagarajan & Kolter, 2021)"


def load(paths) -> tuple[pd.DataFrame, pd.DataFrame]:
    docs = [read_json(p) for p in paths]
    runs = pd.DataFrame([{k: d[k] for k in ("env", "agent", "seed", "unsafe_visits", "goals", "explore_steps",
                                            "safe_pairs", "safe_optimal_value")}
                         | {"suboptimal": d["curve"]["suboptimal"][-1]} for d in docs])
    curves = pd.DataFrame([{"env": d["env"], "agent": d["agent"], "seed": d["seed"], "step": s, "suboptimal": v}
                           for d in docs for s, v in zip(d["curve"]["step"], d["curve"]["suboptimal"])])
    return runs, curves


def render(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    use_style()
    runs, curves = load(inputs["runs"])
    envs, agents = list(dict.fromkeys(runs.env)), [a for a in LABELS if a in set(runs.agent)]
    colors = dict(zip(agents, plt.get_cmap("tab10").colors))

    fig, axes = plt.subplots(1, len(envs), figsize=(5.2 * len(envs), 3.8), squeeze=False)
    for ax, env in zip(axes[0], envs):
        for agent in agents:
            band = curves[(curves.env == env) & (curves.agent == agent)].groupby("step").suboptimal.agg(["mean", "min", "max"])
            ax.plot(band.index / 1000, band["mean"], color=colors[agent], label=LABELS[agent],
                    ls="-" if agent in SAFE else "--")
            ax.fill_between(band.index / 1000, band["min"], band["max"], color=colors[agent], alpha=0.2, lw=0)
        ax.set(title=env.replace("_", " "), xlabel="time steps (thousands)", ylabel="cumulative ε-suboptimal steps")
    axes[0, -1].legend(fontsize=7, loc="upper left")
    save_figure(fig, outputs["suboptimal_png"], outputs["suboptimal_pdf"])

    fig, axes = plt.subplots(1, len(envs), figsize=(5.2 * len(envs), 3.6), squeeze=False)
    for ax, env in zip(axes[0], envs):
        g = runs[runs.env == env].groupby("agent").unsafe_visits.agg(["mean", "min", "max"]).reindex(agents)
        ax.bar(range(len(agents)), g["mean"], color=[colors[a] for a in agents],
               yerr=[g["mean"] - g["min"], g["max"] - g["mean"]], capsize=3)
        ax.set_xticks(range(len(agents)), [LABELS[a] for a in agents], rotation=35, ha="right", fontsize=7)
        ax.set(title=env.replace("_", " "), ylabel="unsafe states entered")
    save_figure(fig, outputs["unsafe_png"], outputs["unsafe_pdf"])

    table = (runs.assign(agent=runs.agent.map(LABELS))
             .groupby(["env", "agent"], sort=False)
             .agg(suboptimal_mean=("suboptimal", "mean"), suboptimal_min=("suboptimal", "min"),
                  suboptimal_max=("suboptimal", "max"), unsafe_visits=("unsafe_visits", "mean"),
                  goals_reached=("goals", "mean")).reset_index())
    write_table(table, outputs["table"])
    C.write_claims(outputs["claims"], "safe_exploration", TITLE, params["scale"], make_claims(runs),
                   note="ε = 0.01; a step is ε-suboptimal when Q*(s, a) < V*(s) − ε for the safe-optimal Q* of the "
                        "true model (unsafe pairs have Q* = −∞). Mini scale: our own small island map and a short "
                        "platformer level, 6000 steps, 3 seeds; full scale: our own 23×25 island map (the paper's "
                        "map file is not copied), the paper's platformer layout and step counts, 5 trials.")

