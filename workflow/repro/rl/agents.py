"""Model-based exploration agents for TabularModel environments (Roderick, Nagarajan & Kolter 2021).

Every agent pools its transition counts through the analogy (a sample of (s', a) counts for (s, a)
when s' is similar to s) and treats a pair as *known* once ε = min(2, β/√n) < τ. A safe agent only
takes pairs of Z_safe, the closed, returnable set certified from what it knows; an unsafe one acts
anywhere. They differ in what they plan for:
  ase             optimistic (MBIE) goal policy; if it would leave Z_safe, explore the safe pairs
                  analogous to the unknown pairs on its path (its "edge"), else follow it;
  ase_undirected  the same, but explores the analogues of every unknown pair on Z_safe's boundary;
  safe_rmax       R-Max inside Z_safe (unknown safe pairs are worth 1/(1-γ));
  rmax, mbie      R-Max, MBIE on the whole MDP (unsafe);
  safe_egreedy, egreedy   greedy on the empirical model with annealed ε-random actions.
"""
from __future__ import annotations

import math

import numpy as np

from repro.core.seeding import hash_seeds
from repro.rl.tabular import TabularModel, q_values, safe_pairs

AGENTS = ("ase", "ase_undirected", "safe_rmax", "rmax", "mbie", "safe_egreedy", "egreedy")
SAFE = {"ase", "ase_undirected", "safe_rmax", "safe_egreedy"}


class Agent:
    def __init__(self, kind: str, model: TabularModel, cfg: dict, rng: np.random.Generator):
        if kind not in AGENTS:
            raise ValueError(f"unknown agent {kind!r}; expected one of {AGENTS}")
        self.kind, self.m, self.cfg, self.rng = kind, model, cfg, rng
        S, A, K = model.shape
        self.counts = np.zeros((S, A, K))
        self.m_known = math.ceil((cfg["beta"] / cfg["tau"]) ** 2)
        self.safe = model.z0.copy()
        self.policy = np.zeros(S, int)
        self.exploring = False

    # the agent sees (s, a) and the outcome k (e.g. the displacement), never the true probabilities
    def observe(self, s: int, a: int, k: int) -> None:
        self.counts[s, a, k] += 1

    def knowledge(self):
        m, (S, A, K) = self.m, self.m.shape
        pooled = (m.similar @ self.counts.reshape(S, A * K)).reshape(S, A, K)
        n = pooled.sum(-1)
        known = n >= self.m_known
        uniform = m.prior / m.prior.sum(-1, keepdims=True)
        p = np.where(n[..., None] > 0, pooled / np.maximum(n, 1)[..., None], uniform)
        eps = np.minimum(2.0, self.cfg["beta"] / np.sqrt(np.maximum(n, 1e-12)))
        possible = np.where(known[..., None], pooled > 0, m.prior)
        return p, eps, known, possible

    def plan(self, s: int) -> None:
        m, c = self.m, self.cfg
        p, eps, known, possible = self.knowledge()
        everywhere = np.ones(m.shape[:2], bool)
        if self.kind in SAFE:
            candidates = ~np.any(possible & m.unsafe[m.next_state], axis=2)
            self.safe |= safe_pairs(m, possible, candidates)
        vi = dict(gamma=c["gamma"], horizon=c["horizon"])
        vmax = 1.0 / (1.0 - c["gamma"])
        if self.kind in ("mbie",):
            Q = q_values(m, p, everywhere, optimism=eps, **vi)
        elif self.kind in ("rmax", "safe_rmax"):
            allowed = self.safe if self.kind == "safe_rmax" else everywhere
            Q = q_values(m, p, allowed, rmax_unknown=~known, vmax=vmax, **vi)
        elif self.kind in ("egreedy", "safe_egreedy"):
            Q = q_values(m, p, self.safe if self.kind == "safe_egreedy" else everywhere, **vi)
        else:
            Q = self._ase(s, p, eps, known, possible, everywhere, vi)
        self.policy = Q.argmax(1)

    def _ase(self, s, p, eps, known, possible, everywhere, vi):
        m = self.m
        goal_q = q_values(m, p, everywhere, optimism=eps, **vi)
        if self.kind == "ase":
            goal_policy = goal_q.argmax(1)
            on_path = _reachable(m, possible, goal_policy, [s, m.start])  # episodes restart at the start
            path_pairs = np.zeros_like(self.safe)
            path_pairs[on_path, goal_policy[on_path]] = True
            path_pairs &= ~m.terminal[:, None]
            if not (path_pairs & ~self.safe).any():
                self.exploring = False
                return goal_q  # the optimistic goal policy stays inside Z_safe: follow it
            edge = path_pairs & ~self.safe & ~known
        else:
            edge = self.safe.any(1)[:, None] & ~self.safe & ~known & ~m.terminal[:, None]
        targets = self.safe & ((m.similar @ edge.astype(np.int32)) > 0)
        if targets.any():
            Q = q_values(m, p, self.safe, bonus=targets.astype(float), **vi)
            if Q[s].max() > 0:  # a target is reachable inside Z_safe
                self.exploring = True
                return Q
        self.exploring = False
        return q_values(m, p, self.safe, optimism=eps, **vi)

    def act(self, s: int, t: int) -> int:
        if self.kind in ("egreedy", "safe_egreedy"):
            c = self.cfg
            e = max(c["eps_final"], 1.0 - (1.0 - c["eps_final"]) * t / c["eps_anneal_steps"])
            if self.rng.random() < e:
                choices = np.flatnonzero(self.safe[s]) if self.kind == "safe_egreedy" else np.arange(self.m.shape[1])
                return int(self.rng.choice(choices))
        return int(self.policy[s])


def _reachable(m: TabularModel, possible: np.ndarray, policy: np.ndarray, roots: list[int]) -> np.ndarray:
    """States the policy can reach from the roots (any possible outcome), as a boolean mask."""
    seen = np.zeros(m.shape[0], bool)
    seen[roots] = True
    frontier = np.unique(roots)
    while frontier.size:
        nxt = m.next_state[frontier, policy[frontier]][possible[frontier, policy[frontier]]]
        nxt = np.unique(nxt[~m.terminal[nxt] & ~seen[nxt]])
        seen[nxt] = True
        frontier = nxt
    return seen & ~m.terminal


def run_agent(kind: str, model: TabularModel, env, cfg: dict, seed: int, q_star: np.ndarray) -> dict:
    """Runs one agent for cfg['steps'] steps (episodes restart at the start state) and scores each step
    against the safe-optimal Q*: a step is ε-suboptimal when Q*(s, a) < V*(s) − ε."""
    # not default_rng(seed): env.reset(seed=seed) gives the environment exactly that stream, so the
    # agent's ε-draws would be the environment's transition draws
    rng = np.random.default_rng(hash_seeds(seed, 1))
    agent = Agent(kind, model, cfg, rng)
    v_star = q_star.max(1)
    s, _ = env.reset(seed=seed)
    suboptimal = np.zeros(cfg["steps"], bool)
    unsafe_visits, goals, explore_steps = 0, 0, 0
    for t in range(cfg["steps"]):
        if t % cfg["update_every"] == 0:
            agent.plan(s)
        a = agent.act(s, t)
        if kind in SAFE and not agent.safe[s, a]:
            raise AssertionError(f"{kind} chose a pair outside its safe set at step {t}")
        suboptimal[t] = not (np.isfinite(v_star[s]) and q_star[s, a] >= v_star[s] - cfg["eps_suboptimal"])
        explore_steps += agent.exploring
        s2, r, terminated, _, info = env.step(a)
        agent.observe(s, a, info["outcome"])
        unsafe_visits += info["unsafe"]
        goals += r > 0
        s = env.reset()[0] if terminated else s2
    return {"agent": kind, "seed": seed, "suboptimal": np.cumsum(suboptimal).tolist(),
            "unsafe_visits": int(unsafe_visits), "goals": int(goals), "explore_steps": int(explore_steps),
            "safe_pairs": int(agent.safe.sum())}
