"""Key computations of kd_deviations, memorisation_scaling and resmem."""
import numpy as np
import pandas as pd
import pytest
import torch

from repro.core.seeding import generator
from repro.nn.subsample import memorisation, subset_masks
from repro.papers.kd_deviations.images import slope_with_interval, top_class_logits
from repro.papers.kd_deviations.linear import design, gd
from repro.papers.memorisation_scaling.render import trajectories
from repro.papers.resmem.knn import SoftKNN


def test_feldman_memorisation_estimate():
    mask = np.array([[1, 1], [0, 1], [1, 0], [0, 0]], bool)  # [K = 4 runs, n = 2 examples]
    correct = np.array([[1, 1], [0, 1], [1, 0], [0, 1]], bool)
    # example 0: in runs 0, 2 (correct 1, 1) → 1.0; out runs 1, 3 (0, 0) → 0.0 ⇒ mem 1
    # example 1: in runs 0, 1 (1, 1) → 1.0; out runs 2, 3 (0, 1) → 0.5 ⇒ mem 0.5
    assert memorisation(correct, mask).tolist() == [1.0, 0.5]
    idx, masks = subset_masks(50, 6, 0.7, generator(0))
    assert idx.shape == (6, 35) and masks.sum(1).tolist() == [35] * 6
    assert all(masks[k, idx[k]].all() for k in range(6))


def test_gd_learns_each_eigendirection_at_its_own_rate():
    X, V, lam = design(100, 8, 1.5, np.random.default_rng(0))
    assert np.allclose(np.linalg.eigvalsh(X.T @ X / 100)[::-1], lam)
    w_star = np.random.default_rng(1).standard_normal(8)
    w = gd(X, X @ w_star, 0.5, 30, {30})[30]
    fraction = (V.T @ w) / (V.T @ w_star)
    assert np.allclose(fraction, 1 - (1 - 0.5 * lam) ** 30)


def test_top_class_logits_and_slope():
    pt = torch.tensor([[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]])
    ps = torch.tensor([[[0.5, 0.4, 0.1], [0.05, 0.9, 0.05]]])
    phi_t, phi_s = top_class_logits(pt, ps)
    assert phi_t[0].tolist() == pytest.approx([np.log(0.7 / 0.3), np.log(0.8 / 0.2)], rel=1e-5)
    assert phi_s[0].tolist() == pytest.approx([0.0, np.log(9)], rel=1e-5)
    x = np.linspace(-3, 3, 200)
    fit = slope_with_interval(x, 1.5 * x + 0.01 * np.sin(7 * x), np.random.default_rng(0), 50)
    assert fit["ci_low"] < 1.5 < fit["ci_high"] + 1e-3 and fit["slope"] == pytest.approx(1.5, abs=0.01)


def test_soft_knn_weights_and_leave_one_out():
    keys = np.array([[0.0], [1.0], [10.0]])
    knn = SoftKNN(keys, np.array([1.0, 3.0, 100.0]))
    assert knn(np.array([[0.0]]), k=1, sigma=1.0)[0] == pytest.approx(1.0)
    two = knn(np.array([[0.5]]), k=2, sigma=1.0)[0]  # equidistant: the mean
    assert two == pytest.approx(2.0)
    assert knn(keys[:1], k=1, sigma=1.0, leave_one_out=True)[0] == pytest.approx(3.0)  # not itself


def test_trajectory_classes():
    rows = []
    for ex, mems in enumerate([(0.9, 0.5, 0.1), (0.1, 0.5, 0.9), (0.1, 0.8, 0.1), (0.3, 0.35, 0.3)]):
        rows += [dict(seed=0, arm="standard", width=w, example=ex, memorisation=m) for w, m in zip((8, 32, 128), mems)]
    traj = trajectories(pd.DataFrame(rows), 0.2)
    assert traj.trajectory.tolist() == ["decreasing", "increasing", "cap-shaped", "flat"]
