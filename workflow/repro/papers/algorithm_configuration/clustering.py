"""α-linkage (A1: merge by (1 − α)·single + α·complete linkage) followed by dynamic-programming
pruning of the merge tree into the best k-median clustering (centres among the points)."""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.datasets import make_blobs, make_circles


def instance(family: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """(points, true labels, k)."""
    seed = int(rng.integers(2**31))
    if family == "rings":
        X, y = make_circles(n, factor=0.3, noise=0.05, random_state=seed)
        return X, y, 2
    if family == "blobs":
        X, y = make_blobs(n, centers=3, cluster_std=1.0, center_box=(-4, 4), random_state=seed)
        return X, y, 3
    raise ValueError(f"unknown clustering family {family!r}")


def alpha_linkage(D: np.ndarray, alpha: float) -> list[tuple[int, int]]:
    """Merge sequence [(a, b)]: node ids < n are points; merge t creates node n + t."""
    n = len(D)
    dmin, dmax = D.astype(float).copy(), D.astype(float).copy()
    node = list(range(n))
    active = np.ones(n, bool)
    merges = []
    for t in range(n - 1):
        comb = (1 - alpha) * dmin + alpha * dmax  # finite everywhere: masking comes after (0·inf = nan)
        comb[~active, :] = np.inf
        comb[:, ~active] = np.inf
        np.fill_diagonal(comb, np.inf)
        i, j = np.unravel_index(np.argmin(comb), comb.shape)
        i, j = min(i, j), max(i, j)
        merges.append((node[i], node[j]))
        dmin[i], dmax[i] = np.minimum(dmin[i], dmin[j]), np.maximum(dmax[i], dmax[j])
        dmin[:, i], dmax[:, i] = dmin[i], dmax[i]
        active[j] = False
        node[i] = n + t
    return merges


def prune(D: np.ndarray, merges: list[tuple[int, int]], k: int) -> np.ndarray:
    """Labels of the best k-median clustering whose clusters are nodes of the merge tree."""
    n = len(D)
    members = [[i] for i in range(n)] + [None] * (n - 1)
    children = {}
    for t, (a, b) in enumerate(merges):
        members[n + t] = members[a] + members[b]
        children[n + t] = (a, b)
    best: dict[tuple[int, int], tuple[float, list[int]]] = {}  # (node, j) -> (cost, cluster nodes)
    for v in range(2 * n - 1):  # children before parents
        pts = members[v]
        best[v, 1] = (float(D[np.ix_(pts, pts)].sum(axis=0).min()), [v])
        if v in children:
            a, b = children[v]
            for j in range(2, k + 1):
                options = [(best[a, i][0] + best[b, j - i][0], best[a, i][1] + best[b, j - i][1])
                           for i in range(1, j) if (a, i) in best and (b, j - i) in best]
                if options:
                    best[v, j] = min(options, key=lambda o: o[0])
    labels = np.empty(n, int)
    for c, v in enumerate(best[2 * n - 2, k][1]):
        labels[members[v]] = c
    return labels


def hamming_error(labels: np.ndarray, truth: np.ndarray) -> float:
    """Fraction misclustered under the best matching of cluster ids to true labels."""
    k = max(labels.max(), truth.max()) + 1
    agree = np.zeros((k, k))
    np.add.at(agree, (labels, truth), 1)
    rows, cols = linear_sum_assignment(-agree)
    return 1 - agree[rows, cols].sum() / len(truth)


def cluster_error(X: np.ndarray, y: np.ndarray, k: int, alpha: float) -> float:
    D = cdist(X, X)
    return hamming_error(prune(D, alpha_linkage(D, alpha), k), y)


def distinct_trees(X: np.ndarray, alphas: np.ndarray) -> int:
    """How many different merge trees α-linkage builds over a grid of α (as sets of clusters)."""
    D = cdist(X, X)
    trees = set()
    for alpha in alphas:
        n, members, clusters = len(D), {i: frozenset([i]) for i in range(len(D))}, []
        for t, (a, b) in enumerate(alpha_linkage(D, alpha)):
            members[n + t] = members[a] | members[b]
            clusters.append(members[n + t])
        trees.add(frozenset(clusters))
    return len(trees)
