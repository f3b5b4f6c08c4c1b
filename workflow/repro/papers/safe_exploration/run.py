"""One agent, one environment, one seed: acts for cfg['steps'] steps and records, per step, whether it
was ε-suboptimal against the safe-optimal policy of the true model, and every unsafe state it entered."""
from __future__ import annotations

from repro.core.io import write_json
from repro.rl.agents import run_agent
from repro.rl.envs import make_env
from repro.rl.tabular import safe_optimal_q


def run(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    env = make_env(p["env"], p)
    model = env.model
    q_star = safe_optimal_q(model, p["gamma"])
    result = run_agent(p["agent"], model, env, p, p["seed"], q_star)
    cumulative = result.pop("suboptimal")
    stride = max(1, p["steps"] // p["curve_points"])
    result["curve"] = {"step": list(range(stride, p["steps"] + 1, stride)), "suboptimal": cumulative[stride - 1::stride]}
    result |= {"env": p["env"], "steps": p["steps"], "safe_optimal_value": float(q_star[model.start].max())}
    write_json(outputs["run"], result)
