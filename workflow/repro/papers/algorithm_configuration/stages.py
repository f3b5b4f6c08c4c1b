"""Compute stages: per-instance utilities over a parameter grid (max-cut rounding s, or
clustering α), the ERM generalisation-gap curve, and merge-tree counts."""
from __future__ import annotations

import numpy as np

from repro.core.erm import erm_gap_curve
from repro.core.io import write_json
from repro.core.seeding import hash_seeds
from repro.papers.algorithm_configuration import clustering, maxcut


def utilities(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Utility of every grid parameter on a pool of training instances and on test instances:
    max-cut: expected cut / SDP value of s-linear rounding; clustering: 1 − Hamming error."""
    problem, family = params["problem"], params["family"]
    if max(params["sizes"]) > params["pool"]:
        raise ValueError(f"algorithm_configuration: sizes go up to {max(params['sizes'])} but the {problem} "
                         f"training pool has {params['pool']} instances (raise {problem}.pool)")
    rng = np.random.default_rng(hash_seeds(params["seed"], *map(ord, problem + family)))
    grid = np.linspace(*params["grid"])
    rows = []
    for _ in range(params["pool"] + params["test"]):
        if problem == "maxcut":
            W = maxcut.instance(family, params["n"], rng)
            U, sdp = maxcut.sdp_vectors(W)
            rows.append(maxcut.rounding_utility(W, U, grid, params["projections"], rng) / sdp)
        elif problem == "clustering":
            X, y, k = clustering.instance(family, params["n"], rng)
            rows.append(np.array([1 - clustering.cluster_error(X, y, k, a) for a in grid]))
        else:
            raise ValueError(f"unknown problem {problem!r}")
    U = np.array(rows)
    pool, test = U[: params["pool"]], U[params["pool"]:]
    curve = erm_gap_curve(pool, test, params["sizes"], params["repeats"], rng)
    write_json(outputs["utilities"], {"problem": problem, "family": family, "seed": params["seed"], "n": params["n"],
                                      "grid": grid.tolist(), "pool": pool.tolist(), "test": test.tolist(),
                                      "gap_curve": curve})


def merge_trees(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Distinct α-linkage merge trees over a fine α grid, vs the number of points n."""
    rng = np.random.default_rng(params["seed"])
    alphas = np.linspace(0, 1, params["alphas"])
    rows = [{"n": n, "instance": i, "trees": clustering.distinct_trees(clustering.instance(params["family"], n, rng)[0], alphas)}
            for n in params["ns"] for i in range(params["instances"])]
    write_json(outputs["trees"], {"family": params["family"], "alphas": params["alphas"], "rows": rows})
