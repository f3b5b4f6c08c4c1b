"""One agent, one environment, one seed: acts for cfg['steps'] steps and records, per step, whether it
was ε-suboptimal against the safe-optimal policy of the true model, and every unsafe state it entered."""
from __future__ import annotations

from repro.core.io import write_json
from repro.rl.agents import run_agent
from repro.rl.envs import make_env
from repro.rl.tabular import safe_optimal_q


LAYOUT_FILES = {"lava_grid": "map_file", "platformer": "level_file"}  # the paper's own layouts (repro.data.files)


def with_layout_file(params: dict, inputs: dict) -> dict:
    """params with the environment's layout read from the paper's file when the config names one:
    `map_file` (an ASE grid map) replaces `map`; `level_file` (an ASE platformer level) replaces
    `level`, `start` and `z0_span`."""
    from repro.data.files import read_ase_level, read_ase_map

    key = LAYOUT_FILES.get(params["env"])
    if not key or not inputs.get(key):
        return params
    path = inputs[key]
    layout = {"map": read_ase_map(path)} if key == "map_file" else read_ase_level(path)
    return params | layout | {key: str(path)}


def run(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = with_layout_file(params, inputs)
    env = make_env(p["env"], p)
    model = env.model
    q_star = safe_optimal_q(model, p["gamma"])
    result = run_agent(p["agent"], model, env, p, p["seed"], q_star)
    cumulative = result.pop("suboptimal")
    stride = max(1, p["steps"] // p["curve_points"])
    result["curve"] = {"step": list(range(stride, p["steps"] + 1, stride)), "suboptimal": cumulative[stride - 1::stride]}
    result |= {"env": p["env"], "steps": p["steps"], "safe_optimal_value": float(q_star[model.start].max())}
    result |= {k: p[k] for k in LAYOUT_FILES.values() if k in p}  # which file the layout came from
    write_json(outputs["run"], result)
