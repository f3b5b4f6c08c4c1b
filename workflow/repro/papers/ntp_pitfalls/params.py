"""What one training/evaluation job of ntp_pitfalls gets as params (built from the config)."""
from __future__ import annotations


def graph_arms(paper: dict, graph: dict) -> list[str]:
    """The arms trained on a graph family: its own `arms` list, else the paper's."""
    return graph.get("arms", paper["arms"])


def graph_spec(graph: dict) -> dict:
    return {k: graph[k] for k in ("deg", "path_len", "num_nodes", "n_train", "n_test")}


def run_params(paper: dict, graph: str, arm: str, seed: int | str) -> dict:
    """A graph entry may override the paper's batch_size and optim keys (a small graph can
    afford, or need, a different budget)."""
    g = {x["name"]: x for x in paper["graphs"]}[graph]
    return {
        "graph": graph_spec(g),
        "graph_name": graph,
        "arm": arm,
        "seed": int(seed),
        "model": paper["model"],
        "optim": paper["optim"] | g.get("optim", {}),
        "batch_size": g.get("batch_size", paper["batch_size"]),
    }
