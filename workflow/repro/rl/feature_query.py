"""Online decision making over costly features (Garlapati, Raghunathan, Nagarajan & Ravindran, 2015).

FeatureQueryEnv: one episode per example of a stream. The agent sees the features it has queried so
far (0 = not yet queried, v + 1 = value v) and either queries one more feature (reward −cost) or
reports a class, which ends the episode (+1 if right, −1 if wrong).

QLearner: tabular Q-learning over those partial observations. The step size stays constant so that
the values keep tracking a drifting concept. After each report the true label is revealed (the
online protocol), so every report action at the final state gets its reward, not just the one taken.
"""
from __future__ import annotations

from collections import defaultdict

import gymnasium as gym
import numpy as np


class FeatureQueryEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, X: np.ndarray, y: np.ndarray, n_values: list[int], n_classes: int, query_cost: float):
        self.X, self.y = np.asarray(X, np.int64), np.asarray(y, np.int64)
        self.d, self.n_classes, self.cost = self.X.shape[1], n_classes, query_cost
        self.observation_space = gym.spaces.MultiDiscrete([v + 1 for v in n_values])
        self.action_space = gym.spaces.Discrete(self.d + n_classes)
        self.index = -1

    def reset(self, *, seed=None, options=None):
        """The next example of the stream; a seeded reset restarts the stream at example 0, and
        options={'index': i} jumps to example i."""
        super().reset(seed=seed)
        if seed is not None:
            self.index = -1
        self.index = options["index"] if options and "index" in options else (self.index + 1) % len(self.y)
        self.obs = np.zeros(self.d, np.int64)
        return self.obs.copy(), {"index": self.index}

    def step(self, action):
        a = int(action)
        if a < self.d:  # query feature a (querying it again changes nothing but still costs)
            self.obs[a] = self.X[self.index, a] + 1
            return self.obs.copy(), -self.cost, False, False, {}
        correct = a - self.d == self.y[self.index]
        return self.obs.copy(), 1.0 if correct else -1.0, True, False, {"label": int(self.y[self.index])}


class QLearner:
    def __init__(self, d: int, n_classes: int, alpha: float, eps_start: float, eps_final: float, eps_decay: int,
                 query_cost: float, rng: np.random.Generator):
        self.d, self.C, self.alpha, self.cost, self.rng = d, n_classes, alpha, query_cost, rng
        self.eps = (eps_start, eps_final, eps_decay)
        self.Q = defaultdict(lambda: np.zeros(d + n_classes))

    def epsilon(self, t: int) -> float:
        start, final, decay = self.eps
        return max(final, start - (start - final) * t / decay)

    def act(self, obs: np.ndarray, t: int, greedy: bool = False) -> int:
        legal = np.concatenate([obs == 0, np.ones(self.C, bool)])  # never re-query a feature
        if not greedy and self.rng.random() < self.epsilon(t):
            return int(self.rng.choice(np.flatnonzero(legal)))
        q = np.where(legal, self.Q[tuple(obs)], -np.inf)
        return int(np.flatnonzero(q == q.max())[0])

    def update_query(self, obs, a: int, obs2) -> None:
        nxt = self.Q[tuple(obs2)]
        best = np.where(np.concatenate([obs2 == 0, np.ones(self.C, bool)]), nxt, -np.inf).max()
        q = self.Q[tuple(obs)]
        q[a] += self.alpha * (-self.cost + best - q[a])

    def update_report(self, obs, label: int) -> None:
        q = self.Q[tuple(obs)]
        target = np.full(self.C, -1.0)
        target[label] = 1.0
        q[self.d:] += self.alpha * (target - q[self.d:])


def run_rldt(env: FeatureQueryEnv, agent: QLearner, learn: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """One episode per example of env, in order; its report is the prediction. learn=True: prequential
    (ε-greedy, learning after each step); learn=False: greedy evaluation. Returns per example
    (correct, features queried)."""
    n = len(env.y)
    correct, queried = np.zeros(n, bool), np.zeros(n, int)
    for t in range(n):
        obs, _ = env.reset(options={"index": t})
        while True:
            a = agent.act(obs, t, greedy=not learn)
            obs2, r, done, _, info = env.step(a)
            if done:
                if learn:
                    agent.update_report(obs, info["label"])
                correct[t], queried[t] = r > 0, int((obs > 0).sum())
                break
            if learn:
                agent.update_query(obs, a, obs2)
            obs = obs2
    return correct, queried
