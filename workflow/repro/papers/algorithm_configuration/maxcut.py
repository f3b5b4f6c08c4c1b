"""Max-cut (and an integer quadratic program) by the Goemans–Williamson SDP and s-linear randomized
rounding (RPR²): x_i = ±1 with P(x_i = 1) = (1 + φ_s(⟨u_i, Z⟩)) / 2, φ_s(v) = clip(v / s, −1, 1);
s → 0 is GW's hyperplane rounding. Given Z the rounding is independent across nodes, so the
expected cut is exact: ¼ Σ_ij w_ij (1 − φ_s(g_i) φ_s(g_j)), averaged over Gaussian projections Z."""
from __future__ import annotations

import cvxpy as cp
import networkx as nx
import numpy as np


def instance(family: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Symmetric weight matrix with zero diagonal."""
    seed = int(rng.integers(2**31))
    if family.startswith("gnp_"):
        W = nx.to_numpy_array(nx.gnp_random_graph(n, float(family[4:]), seed=seed))
    elif family == "regular3":
        W = nx.to_numpy_array(nx.random_regular_graph(3, n, seed=seed))
    elif family == "sk":  # a general IQP: Gaussian couplings of both signs
        A = np.random.default_rng(seed).standard_normal((n, n))
        W = np.triu(A, 1) + np.triu(A, 1).T
    else:
        raise ValueError(f"unknown max-cut family {family!r}")
    return W


def sdp_vectors(W: np.ndarray) -> tuple[np.ndarray, float]:
    """Unit vectors u_i (rows) of the GW relaxation max ¼ Σ w_ij (1 − X_ij), X ⪰ 0, diag X = 1."""
    n = len(W)
    X = cp.Variable((n, n), PSD=True)
    problem = cp.Problem(cp.Maximize(cp.sum(cp.multiply(W, 1 - X)) / 4), [cp.diag(X) == 1])
    problem.solve(solver=cp.SCS, eps=1e-5)
    vals, vecs = np.linalg.eigh((X.value + X.value.T) / 2)
    U = vecs * np.sqrt(np.clip(vals, 0, None))
    return U / np.linalg.norm(U, axis=1, keepdims=True), float(problem.value)


def rounding_utility(W: np.ndarray, U: np.ndarray, s_grid: np.ndarray, projections: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Expected cut value of s-linear rounding for each s, averaged over Gaussian projections."""
    G = U @ rng.standard_normal((U.shape[1], projections))  # (n, projections)
    out = []
    for s in s_grid:
        phi = np.sign(G) if s == 0 else np.clip(G / s, -1, 1)
        cut = 0.25 * (W.sum() - np.einsum("ij,ip,jp->p", W, phi, phi))
        out.append(cut.mean())
    return np.array(out)
