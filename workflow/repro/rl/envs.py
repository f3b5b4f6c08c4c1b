"""Gymnasium environments for safe exploration, each built from an explicit TabularModel so that the
environment the agent acts in and the model used to score it are the same object."""
from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import scipy.sparse as sp

from repro.rl.tabular import TabularModel, closed_pairs


class TabularEnv(gym.Env):
    """Acts out a TabularModel: observation = state index; info carries the sampled outcome (what an
    analogy-using agent observes, e.g. the displacement) and whether the new state is unsafe."""

    metadata = {"render_modes": []}

    def __init__(self, model: TabularModel):
        self.model = model
        S, A, _ = model.shape
        self.observation_space = gym.spaces.Discrete(S)
        self.action_space = gym.spaces.Discrete(A)
        self._cdf = np.cumsum(model.prob, -1)
        self.state = model.start

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.state = self.model.start
        return self.state, {}

    def step(self, action):
        s, a = self.state, int(action)
        k = int(np.searchsorted(self._cdf[s, a], self.np_random.random(), side="right"))
        k = min(k, self._cdf.shape[-1] - 1)
        self.state = int(self.model.next_state[s, a, k])
        m = self.model
        return self.state, float(m.reward[self.state]), bool(m.terminal[self.state]), False, \
            {"outcome": k, "unsafe": bool(m.unsafe[self.state])}


# --- lava grid world ------------------------------------------------------------------------------
# 8 actions: unit moves up/down/left/right, then jumps of two cells. A move slips sideways by −1/0/+1
# cells with probability slip/2, 1 − slip, slip/2. Outcomes are displacements with |dx|, |dy| ≤ 2.
MOVES = [(0, -1), (0, 1), (-1, 0), (1, 0), (0, -2), (0, 2), (-2, 0), (2, 0)]
DISPLACEMENTS = list(itertools.product(range(-2, 3), range(-2, 3)))  # (dx, dy)


def lava_grid_model(rows: list[str], slip: float, analogy_radius: int) -> TabularModel:
    """Map characters: 'L' lava (unsafe, terminal, −1), 'G' goal (terminal, +1), 'A' start, 's' a cell
    of the initial safe set (the start is one too), '.' free ground, 'W' wall (a move that would end on
    a wall leaves the agent where it is, as one past the map's edge does)."""
    grid = np.array([list(r) for r in rows])
    H, W = grid.shape
    if len(set(map(len, rows))) != 1:
        raise ValueError("lava grid map rows must all have the same length")
    ys, xs = np.divmod(np.arange(H * W), W)
    flat = grid.ravel()
    S, A, K = H * W, len(MOVES), len(DISPLACEMENTS)
    d = np.array(DISPLACEMENTS)
    nx = np.clip(xs[:, None] + d[None, :, 0], 0, W - 1)
    ny = np.clip(ys[:, None] + d[None, :, 1], 0, H - 1)
    landing = ny * W + nx
    landing = np.where(flat[landing] == "W", np.arange(S)[:, None], landing)  # walls are never entered
    next_state = np.broadcast_to(landing[:, None, :], (S, A, K)).copy()
    prob = np.zeros((S, A, K))
    index = {tuple(v): i for i, v in enumerate(DISPLACEMENTS)}
    for a, (mx, my) in enumerate(MOVES):
        for lateral, p in [(-1, slip / 2), (0, 1 - slip), (1, slip / 2)]:
            dx, dy = (mx, my + lateral) if mx else (mx + lateral, my)
            prob[:, a, index[(dx, dy)]] += p
    unsafe, goal = flat == "L", flat == "G"
    terminal = unsafe | goal
    stay = index[(0, 0)]
    prob[terminal] = 0.0
    prob[terminal, :, stay] = 1.0
    next_state[terminal] = np.arange(S)[terminal, None, None]
    z0_states = np.isin(flat, ["s", "A"])
    z0 = closed_pairs(next_state, prob > 0, z0_states[:, None] & ~terminal[:, None], goal)
    cheb = np.maximum(np.abs(xs[:, None] - xs[None]), np.abs(ys[:, None] - ys[None]))
    return TabularModel(next_state=next_state, prob=prob, prior=np.ones((S, A, K), bool),
                        reward=np.where(goal, 1.0, np.where(unsafe, -1.0, 0.0)), terminal=terminal, unsafe=unsafe,
                        start=int(np.flatnonzero(flat == "A")[0]), z0=z0,
                        similar=sp.csr_matrix(cheb <= analogy_radius))


# --- discrete platformer -----------------------------------------------------------------------------
# A runner on a 1-D level of platforms: 'S' sand (jump impulse always 1), 'I' ice (1 or 2, 50/50),
# 'C' concrete (always 2), '_' a gap (falling in is unsafe, −1), 'G' the goal (+1). 10 actions:
# horizontal speed −2..2 × jump or not (only on the ground); gravity 1 in the air. Outcome k is the
# impulse a jump gets (k=0: 1, k=1: 2); the agent knows the physics, not each surface's impulses.
IMPULSE_PROB = {"S": [1.0, 0.0], "I": [0.5, 0.5], "C": [0.0, 1.0]}


def platformer_model(level: str, start: int, z0_span: tuple[int, int]) -> TabularModel:
    W = len(level)
    FELL, GOAL = "fell", "goal"

    def land(x):
        return FELL if level[x] == "_" else GOAL if level[x] == "G" else (x, 0, 0, 0)

    def step(state, action, k):
        x, y, vx, vy = state
        if y == 0:  # on the ground: the action sets the speed, and maybe jumps
            vx, jump = action // 2 - 2, action % 2
            x2 = min(max(x + vx, 0), W - 1)
            return (x2, k + 1, vx, k) if jump else land(x2)
        x2, y2 = min(max(x + vx, 0), W - 1), y + vy
        return land(x2) if y2 <= 0 else (x2, y2, vx, vy - 1)

    states, index, frontier = [FELL, GOAL], {FELL: 0, GOAL: 1}, [(start, 0, 0, 0)]
    index[frontier[0]] = 2
    states.append(frontier[0])
    while frontier:  # enumerate the states reachable under any action and outcome
        s = frontier.pop()
        for a, k in itertools.product(range(10), range(2)):
            t = step(s, a, k)
            if t not in index:
                index[t] = len(states)
                states.append(t)
                frontier.append(t)
    S, A, K = len(states), 10, 2
    next_state = np.zeros((S, A, K), int)
    prob = np.zeros((S, A, K))
    for i, s in enumerate(states):
        if s in (FELL, GOAL):
            next_state[i], prob[i, :, 0] = i, 1.0
            continue
        x, y = s[0], s[1]
        for a, k in itertools.product(range(A), range(K)):
            next_state[i, a, k] = index[step(s, a, k)]
        jumps = np.arange(A) % 2 == 1
        prob[i, :, 0] = 1.0
        if y == 0:
            prob[i, jumps] = IMPULSE_PROB[level[x]]
    unsafe = np.array([s == FELL for s in states])
    goal = np.array([s == GOAL for s in states])
    surface = [s if s in (FELL, GOAL) else (s[1:], level[s[0]] if s[1] == 0 else "air") for s in states]
    keys = {v: j for j, v in enumerate(dict.fromkeys(surface))}
    label = np.array([keys[v] for v in surface])
    z0_states = np.array([s not in (FELL, GOAL) and s[1] == 0 and z0_span[0] <= s[0] <= z0_span[1] for s in states])
    z0 = closed_pairs(next_state, prob > 0, np.repeat(z0_states[:, None], A, 1), goal)
    return TabularModel(next_state=next_state, prob=prob, prior=np.ones((S, A, K), bool),
                        reward=np.where(goal, 1.0, np.where(unsafe, -1.0, 0.0)), terminal=unsafe | goal,
                        unsafe=unsafe, start=2, z0=z0, similar=sp.csr_matrix(label[:, None] == label[None]))


class LavaGridEnv(TabularEnv):
    def __init__(self, map: list[str], slip: float, analogy_radius: int):  # noqa: A002 (the map's name)
        super().__init__(lava_grid_model(map, slip, analogy_radius))


class PlatformerEnv(TabularEnv):
    def __init__(self, level: str, start: int, z0_span: tuple[int, int]):
        super().__init__(platformer_model(level, start, tuple(z0_span)))


GYM_IDS = {"lava_grid": "repro/LavaGrid-v0", "platformer": "repro/Platformer-v0"}
ENV_KWARGS = {"lava_grid": ("map", "slip", "analogy_radius"), "platformer": ("level", "start", "z0_span")}


def register() -> None:
    """Register the environments with gymnasium (idempotent)."""
    for name, cls in [("lava_grid", LavaGridEnv), ("platformer", PlatformerEnv)]:
        if GYM_IDS[name] not in gym.registry:
            gym.register(GYM_IDS[name], entry_point=cls)


def make_env(name: str, cfg: dict) -> TabularEnv:
    """The registered environment `name`, built from the keys of cfg it takes."""
    if name not in GYM_IDS:
        raise ValueError(f"unknown safe-exploration environment {name!r}; expected one of {list(GYM_IDS)}")
    register()
    return gym.make(GYM_IDS[name], disable_env_checker=True, **{k: cfg[k] for k in ENV_KWARGS[name]}).unwrapped
