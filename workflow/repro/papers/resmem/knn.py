"""The residual memory: a soft k-nearest-neighbour regressor. Its prediction at z is Σ_j w_j r_j over
the k training points nearest to z, with w_j ∝ exp(−‖z − z_j‖ / σ) (normalised); σ is given as a
multiple of the median nearest-neighbour distance of the training set, so one grid fits any scale."""
from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors


class SoftKNN:
    def __init__(self, keys: np.ndarray, values: np.ndarray):
        self.index = NearestNeighbors().fit(keys)
        self.values = values
        d, _ = self.index.kneighbors(keys, n_neighbors=2)
        self.scale = float(np.median(d[:, 1])) or 1.0  # the nearest other point (the first is itself)

    def __call__(self, queries: np.ndarray, k: int, sigma: float, leave_one_out: bool = False) -> np.ndarray:
        d, j = self.index.kneighbors(queries, n_neighbors=k + leave_one_out)
        if leave_one_out:  # queries are the keys themselves: drop each point's own entry
            d, j = d[:, 1:], j[:, 1:]
        w = np.exp(-(d - d[:, :1]) / (sigma * self.scale))
        w /= w.sum(1, keepdims=True)
        return np.einsum("nk,nk...->n...", w, self.values[j])


def tune(knn: SoftKNN, predict, queries: np.ndarray, score, ks: list[int], sigmas: list[float]) -> tuple[int, float]:
    """The (k, σ) with the best score(predict(knn(queries, k, σ))) on validation queries."""
    grid = [(k, s) for k in ks for s in sigmas]
    return max(grid, key=lambda ks_: score(predict(knn(queries, *ks_))))
