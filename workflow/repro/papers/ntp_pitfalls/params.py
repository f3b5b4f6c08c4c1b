"""What one training/evaluation job of ntp_pitfalls gets as params (built from the config)."""
from __future__ import annotations


def graph_arms(paper: dict, graph: dict) -> list[str]:
    """The arms trained on a graph family: its own `arms` list, else the paper's."""
    return graph.get("arms", paper["arms"])


FILE_KEYS = ("train_file", "test_file")  # the paper's own graph files (repro.data.files), in place of generating


def graph_spec(graph: dict) -> dict:
    """The keys that define a graph family's data: its shape, the sizes, and any data files. With a
    file, n_train / n_test are optional (the first n lines; absent: every line)."""
    return {k: graph[k] for k in ("deg", "path_len", "num_nodes", "n_train", "n_test", *FILE_KEYS) if k in graph}


def data_files(graph: dict) -> dict[str, str]:
    """The data rule's named inputs: the graph files the entry names (none when it generates)."""
    return {k: str(graph[k]) for k in FILE_KEYS if graph.get(k)}


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


def seeds_run_params(paper: dict, graph: str, arm: str, seeds: list[int]) -> dict:
    """The params of one job that trains all `seeds` of (graph, arm) side by side (`batch_seeds`): each
    seed's run_params, with `seeds` in place of `seed`."""
    params = run_params(paper, graph, arm, seeds[0])
    del params["seed"]
    return params | {"seeds": [int(s) for s in seeds]}
