"""Claims of safe_exploration (Roderick, Nagarajan & Kolter, AISTATS 2021), tested on the per-run numbers
render.py loads. Unit of replication: the seed (one run of every agent in each environment: slip outcomes,
ε-greedy draws, tie-breaking).

- ase_never_unsafe: ASE's safety is a guarantee (it only takes actions inside a set it has proven safe), so
  its part is a count: a single entry anywhere falsifies it, and 0 over every run *demonstrates* the theorem
  (`illustrated`), it does not reproduce it statistically: 0 in k runs only bounds the per-run chance of an
  unsafe entry by 1 − 0.05^(1/k) (0.39 for k = 6), and an agent that is unsafe in one run of five would show
  0 in 6 runs 26% of the time. The contrast (the unsafe baselines do enter unsafe states) is a t-test over
  seeds of the count entered by the most unsafe baseline.
- ase_fewer_suboptimal_steps: a paired t-test over seeds against the best safe baseline of each seed."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from repro.core import claims as C
from repro.rl.agents import SAFE

LABELS = {"ase": "ASE", "ase_undirected": "ASE (undirected)", "safe_rmax": "Safe R-Max", "safe_egreedy": "Safe ε-greedy",
          "mbie": "MBIE (unsafe)", "rmax": "R-Max (unsafe)", "egreedy": "ε-greedy (unsafe)"}
SAFE_BASELINES = sorted(SAFE - {"ase"})

# Both claims are "never" / "A beats B": the thresholds are 0 (no unsafe state; a positive difference).
SPECS = {
    "ase_never_unsafe": C.Spec(
        "ase_never_unsafe",
        "ASE never enters an unsafe state, while the unsafe baselines do.",
        "ASE and the safe baselines enter no unsafe state (the safety theorem); no per-agent count quoted",
        "abstract ('provably safe'); the experiments' unsafe-state counts (official code plots.py)",
        "ASE: unsafe states entered, summed over every environment and seed, = 0 (a count: one entry falsifies "
        "it); AND per environment: mean over seeds of the unsafe states entered by the most unsafe baseline > 0 "
        "(t-test)."),
    "ase_fewer_suboptimal_steps": C.Spec(
        "ase_fewer_suboptimal_steps",
        "ASE needs fewer ε-suboptimal steps than the safe baselines (undirected ASE, Safe R-Max, safe ε-greedy), "
        "in every environment.",
        "ASE has the fewest suboptimal steps among the safe methods (figure; no number quoted)",
        "abstract (directed exploration improves sample efficiency); the cumulative ε-suboptimal steps figures (grid world, platformer)",
        "per environment: mean over seeds of (fewest suboptimal steps among the safe baselines) − ASE's > 0 "
        "(paired t-test); every environment must clear."),
}


def never(name: str, counts: list[float]) -> C.Check:
    """A guarantee checked by counting: 0 over all runs illustrates it (a demonstration of the theorem; a
    count of 0 in a handful of runs is no statistical evidence of "never"), any entry falsifies it."""
    if sum(counts) == 0:
        c = C.exact(f"{name}: 0 in all {len(counts)} runs", True, 0.0)
        return replace(c, n=len(counts), method="count over runs (demonstrates the safety guarantee)")
    return C.exact(f"{name}: {sum(counts):g} entered over {len(counts)} runs (must be 0)", False, float(sum(counts)))


def make_claims(runs: pd.DataFrame) -> list[dict]:
    """runs: one row per (env, agent, seed) with unsafe_visits and suboptimal (cumulative ε-suboptimal steps)."""
    envs = list(dict.fromkeys(runs.env))
    per = runs.pivot_table(index=["env", "seed"], columns="agent", values=["unsafe_visits", "suboptimal"])
    unsafe_agents = sorted(set(runs.agent) - SAFE)
    if "ase" not in set(runs.agent):
        missing = C.inconclusive("ASE was not run")
        return [C.claim(SPECS["ase_never_unsafe"], check=missing), C.claim(SPECS["ase_fewer_suboptimal_steps"], check=missing)]

    ase_unsafe = per["unsafe_visits"]["ase"].tolist()
    parts1 = [never("ASE unsafe states entered", ase_unsafe)]
    measured1 = {"ASE: unsafe states entered": ase_unsafe}
    for env in envs:
        if unsafe_agents:
            worst = per.loc[env]["unsafe_visits"][unsafe_agents].max(axis=1).tolist()
            parts1.append(C.mean_greater(f"{env}: unsafe states entered by the most unsafe baseline", worst, 0.0,
                                         resolution=1.0))  # integer counts
            measured1 |= {f"{env}: {LABELS[a]} unsafe states entered": per.loc[env]["unsafe_visits"][a].tolist()
                          for a in unsafe_agents}
    if not unsafe_agents:
        parts1.append(C.inconclusive("no unsafe baseline was run"))

    checks2, measured2 = [], {}
    for env in envs:
        sub = per.loc[env]["suboptimal"]
        baselines = [a for a in SAFE_BASELINES if a in sub.columns]
        if not baselines:
            checks2.append(C.inconclusive(f"{env}: no safe baseline was run"))
            continue
        best_safe = sub[baselines].min(axis=1).tolist()  # the best safe baseline of each seed (conservative for ASE)
        checks2.append(C.paired_greater(f"{env}: best safe baseline − ASE suboptimal steps", best_safe,
                                        sub["ase"].tolist(), 0.0, resolution=1.0))  # integer step counts
        measured2 |= {f"{env}: {LABELS[a]} suboptimal steps": sub[a].tolist() for a in ["ase", *baselines]}
    return [
        C.claim(SPECS["ase_never_unsafe"], measured=measured1, check=C.all_of(*parts1)),
        C.claim(SPECS["ase_fewer_suboptimal_steps"], measured=measured2, check=C.all_of(*checks2)),
    ]
