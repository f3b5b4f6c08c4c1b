"""What one training/evaluation job of ntp_pitfalls gets as params (built from the config)."""
from __future__ import annotations


def run_params(paper: dict, graph: str, arm: str, seed: int | str) -> dict:
    graphs = {g["name"]: g for g in paper["graphs"]}
    return {
        "graph": graphs[graph],
        "graph_name": graph,
        "arm": arm,
        "seed": int(seed),
        "model": paper["model"],
        "optim": paper["optim"] | paper["arm_optim"].get(arm, {}),
        "batch_size": paper["batch_size"],
        "ckpt": f"results/ntp_pitfalls/ckpt/{graph}_{arm}_seed{seed}.pt",
    }
