"""Finite MDPs in outcome form, shared by the safe-exploration agents and environments.

A pair (s, a) has K possible *outcomes* (a grid displacement, a jump impulse); outcome k leads to
next_state[s, a, k]. The environment samples k from the true prob[s, a]; an agent never sees prob,
only its prior (which outcomes are possible), the rewards, which states are unsafe, an initial safe
set of pairs Z0, and the analogy: `similar[s, s']` means (s, a) and (s', a) share their outcome
distribution, so a sample of one is a sample of the other.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class TabularModel:
    next_state: np.ndarray  # int [S, A, K]
    prob: np.ndarray  # float [S, A, K], the true outcome distribution (hidden from agents)
    prior: np.ndarray  # bool [S, A, K], outcomes the agent considers possible before any data
    reward: np.ndarray  # float [S], received on entering a state
    terminal: np.ndarray  # bool [S]
    unsafe: np.ndarray  # bool [S], known to the agent
    start: int
    z0: np.ndarray  # bool [S, A], pairs known to be safe from the start
    similar: sp.csr_matrix  # bool [S, S], the analogy (reflexive)

    @property
    def shape(self):
        return self.next_state.shape


def safe_pairs(m: TabularModel, possible: np.ndarray, candidates: np.ndarray, max_iter: int = 10_000) -> np.ndarray:
    """The largest set of pairs, containing Z0, that is closed (every possible successor of a kept pair
    has a kept pair, or ends the episode safely), reachable from the start and from which Z0 can be
    reached again. `possible[s, a, k]`: outcome k may happen; `candidates[s, a]`: no possible successor
    is unsafe. A boolean fixpoint over sparse reachability."""
    S, A, K = m.shape
    goal = m.terminal & ~m.unsafe  # a safe terminal restarts the episode at the start
    z0_states = m.z0.any(1)
    pairs = (candidates & ~m.terminal[:, None]) | m.z0
    src = np.repeat(np.arange(S), A * K)
    for _ in range(max_iter):
        kept_states = pairs.any(1) | goal
        closed = np.all(kept_states[m.next_state] | ~possible, axis=2)
        pairs_new = (pairs & closed) | m.z0
        edges = (pairs_new[:, :, None] & possible).ravel()
        graph = sp.csr_matrix((np.ones(edges.sum(), bool), (src[edges], m.next_state.ravel()[edges])), shape=(S, S))
        reach = _closure(graph.T, _onehot(S, m.start))
        back = _closure(graph, z0_states | goal)
        alive = reach & back
        pairs_new &= alive[:, None]
        pairs_new |= m.z0
        if np.array_equal(pairs_new, pairs):
            return pairs
        pairs = pairs_new
    raise RuntimeError("safe-set fixpoint did not converge")


def closed_pairs(m_next: np.ndarray, possible: np.ndarray, pairs: np.ndarray, sink: np.ndarray) -> np.ndarray:
    """The largest subset of `pairs` whose possible successors all have a kept pair or are a sink."""
    while True:
        kept = pairs & np.all((pairs.any(1) | sink)[m_next] | ~possible, axis=2)
        if np.array_equal(kept, pairs):
            return pairs
        pairs = kept


def _onehot(n: int, i: int) -> np.ndarray:
    v = np.zeros(n, bool)
    v[i] = True
    return v


def _closure(step: sp.csr_matrix, seed: np.ndarray) -> np.ndarray:
    """States reachable from `seed` along `step` (row = target): the fixpoint of x ∨ step·x."""
    x = seed.copy()
    while True:
        nxt = x | (step @ x.astype(np.int32) > 0)
        if np.array_equal(nxt, x):
            return x
        x = nxt


def q_values(m: TabularModel, p: np.ndarray, allowed: np.ndarray, gamma: float, horizon: int,
             optimism: np.ndarray | None = None, bonus: np.ndarray | None = None,
             rmax_unknown: np.ndarray | None = None, vmax: float = 0.0) -> np.ndarray:
    """Finite-horizon value iteration; Q = -inf on pairs that are not allowed.

    optimism[s, a]: an L1 radius ε; each backup moves ε/2 of probability onto the best possible outcome,
    taken from the worst (MBIE). bonus[s, a]: a reward for taking the pair (exploration targets, which
    end the planning episode). rmax_unknown[s, a]: pairs valued at vmax (R-Max)."""
    live = ~m.terminal  # terminal states are never acted in: back up only the others
    ns, pl, prior = m.next_state[live], p[live], m.prior[live]
    opt = None if optimism is None else optimism[live]
    extra = None if bonus is None else bonus[live]
    vmax_pairs = None if rmax_unknown is None else rmax_unknown[live]
    ok = allowed[live]
    V = np.zeros(m.shape[0])
    for _ in range(horizon):
        U = m.reward + gamma * np.where(live, V, 0.0)
        Uk = U[ns]
        pk = pl if opt is None else _optimistic(pl, Uk, prior, opt)
        Ql = (pk * Uk).sum(-1)
        if extra is not None:
            Ql = np.where(extra > 0, extra, Ql)
        if vmax_pairs is not None:
            Ql = np.where(vmax_pairs, vmax, Ql)
        Ql = np.where(ok, Ql, -np.inf)
        best = Ql.max(1)
        V[live] = np.where(np.isfinite(best), best, 0.0)
    Q = np.full(m.shape[:2], -np.inf)
    Q[live] = Ql
    return Q


def _optimistic(p: np.ndarray, Uk: np.ndarray, prior: np.ndarray, eps: np.ndarray) -> np.ndarray:
    Um = np.where(prior, Uk, -np.inf)
    order = np.argsort(Um, axis=-1, kind="stable")
    ps = np.take_along_axis(p, order, -1)
    before = np.cumsum(ps, -1) - ps
    take = np.clip(eps[..., None] / 2 - before, 0.0, ps)
    q = np.empty_like(p)
    np.put_along_axis(q, order, ps - take, -1)
    best = order[..., -1:]
    np.put_along_axis(q, best, np.take_along_axis(q, best, -1) + take.sum(-1, keepdims=True), -1)
    return q


def safe_optimal_q(m: TabularModel, gamma: float, iters: int = 500) -> np.ndarray:
    """Q* of the best policy that never risks an unsafe state, on the true model (the yardstick)."""
    possible = m.prob > 0
    candidates = ~np.any(possible & m.unsafe[m.next_state], axis=2)
    allowed = safe_pairs(m, possible, candidates)
    return q_values(m, m.prob, allowed, gamma, iters)
