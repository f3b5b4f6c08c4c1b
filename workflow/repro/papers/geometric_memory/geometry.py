"""How geometric a set of node embeddings is, for a graph whose node ids index the embeddings."""
from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.stats import spearmanr

from repro.data.graphs import laplacian_spectrum


def cosine_matrix(emb: np.ndarray) -> np.ndarray:
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True).clip(1e-12)
    return unit @ unit.T


def distance_matrix(g: nx.Graph) -> np.ndarray:
    return nx.floyd_warshall_numpy(g, nodelist=range(g.number_of_nodes()))


def spectral_energy(g: nx.Graph, emb: np.ndarray) -> np.ndarray:
    """Share of the centred embeddings' energy along each Laplacian eigenvector, low frequency
    first (the constant eigenvector is dropped: centring removes it). Sums to 1."""
    _, vecs = laplacian_spectrum(g)
    centred = emb - emb.mean(0)
    energy = ((vecs[:, 1:].T @ centred) ** 2).sum(1)
    return energy / energy.sum()


def geometry_metrics(g: nx.Graph, emb: np.ndarray, logits: np.ndarray, k: int, self_edges: bool = False) -> dict:
    """Cosine similarity by graph distance, Spearman ρ(cosine, distance) over node pairs, the
    energy share on the k lowest-frequency Laplacian eigenvectors (and what a random embedding
    would get, k/(n−1)), and edge recall: the share of each node's neighbours among its top-deg logits
    (with self_edges, u → u was trained too, so u's own logit is left out of that ranking).
    emb: (n, d) with row u = node u; logits: (n, n), row u = the scores of u's next node."""
    n = g.number_of_nodes()
    cos, dist = cosine_matrix(emb), distance_matrix(g)
    pairs = np.triu_indices(n, 1)
    by_distance = {int(d): float(cos[pairs][dist[pairs] == d].mean()) for d in np.unique(dist[pairs])}
    energy = spectral_energy(g, emb)
    ranked = [[v for v in np.argsort(-logits[u]) if not (self_edges and v == u)] for u in range(n)]
    recall = [len(set(ranked[u][: g.degree[u]]) & set(g[u])) / g.degree[u] for u in range(n)]
    return {"cosine_by_distance": by_distance,
            "edge_cosine": by_distance[1],
            "rho_cosine_distance": float(spearmanr(cos[pairs], dist[pairs]).statistic),
            "low_spectral_energy": float(energy[:k].sum()),
            "random_spectral_energy": k / (n - 1),
            "spectral_energy": energy.tolist(),
            "edge_recall": float(np.mean(recall))}
