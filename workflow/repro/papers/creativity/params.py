"""What one from-scratch training job of creativity gets as params (built from the config; torch-free, so
that the rule file can import it at parse time)."""
from __future__ import annotations

NOT_PARAMS = ("tasks", "arms", "seeds", "resources", "diffusion_optim")


def run_params(cr: dict, task: str, arm: str, seed: int) -> dict:
    """The paper's keys, the task's sizes, and the run's task / arm / seed. The diffusion arm's `optim` has
    `diffusion_optim`'s keys over the shared one (e.g. SEDD's EMA weights), and only its jobs see them, so
    editing `diffusion_optim` reruns no other arm."""
    p = {k: v for k, v in cr.items() if k not in NOT_PARAMS} | cr["tasks"][task] | {"task": task, "arm": arm, "seed": seed}
    if arm == "diffusion":
        p["optim"] = cr["optim"] | cr.get("diffusion_optim", {})
    return p
