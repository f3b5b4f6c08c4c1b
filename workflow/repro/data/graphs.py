"""Fixed graphs held in a model's weights (geometric_memory, creativity), built with networkx.

The in-context path-star of ntp_pitfalls is sampled afresh per sequence in `repro.data.pathstar`;
here a graph is drawn once per seed and its nodes are token ids 0..n-1 in a random order, so that
token ids carry no information about the graph.
"""
from __future__ import annotations

import networkx as nx
import numpy as np


def tiny_graph(kind: str, size: int) -> nx.Graph:
    """The small graphs whose embeddings are plotted: a cycle, a square grid, a balanced binary tree."""
    if kind == "cycle":
        g = nx.cycle_graph(size)
    elif kind == "grid":
        g = nx.grid_2d_graph(size, size)
    elif kind == "tree":
        g = nx.balanced_tree(2, size)
    else:
        raise ValueError(f"unknown tiny graph kind {kind!r}")
    return nx.convert_node_labels_to_integers(g, label_attribute="position")


def relabel_randomly(g: nx.Graph, rng: np.random.Generator) -> nx.Graph:
    perm = rng.permutation(g.number_of_nodes())
    return nx.relabel_nodes(g, {u: int(perm[u]) for u in g.nodes})


def path_star(deg: int, arm_len: int, rng: np.random.Generator) -> tuple[int, np.ndarray]:
    """A star with `deg` arms of `arm_len` nodes beyond the root, labels shuffled:
    (root, arms (deg, arm_len)); arms[a, -1] is a leaf and arms[a, 0] the root's neighbour."""
    labels = rng.permutation(1 + deg * arm_len)
    return int(labels[0]), labels[1:].reshape(deg, arm_len)


def star_graph(root: int, arms: np.ndarray) -> nx.Graph:
    g = nx.Graph()
    for arm in arms:
        nx.add_path(g, [root, *arm.tolist()])
    return g


def directed_edges(g: nx.Graph) -> np.ndarray:
    """Every edge in both directions, (2|E|, 2), sorted (deterministic order)."""
    e = np.array(sorted(g.edges))
    return np.array(sorted(map(tuple, np.concatenate([e, e[:, ::-1]]))))


def laplacian_spectrum(g: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns, rows in node-id order) of the
    combinatorial Laplacian D − A; the first eigenvector of a connected graph is constant."""
    lap = nx.laplacian_matrix(g, nodelist=range(g.number_of_nodes())).toarray().astype(float)
    return np.linalg.eigh(lap)
