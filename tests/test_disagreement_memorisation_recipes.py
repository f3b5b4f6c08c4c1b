"""The faithful mini recipes of disagreement and memorisation_scaling (issue 19): train-to-loss stopping,
per-pair-type medians, significance-gated trajectory classes, and temperature distillation."""
import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from repro.core.seeding import generator
from repro.nn.ensemble import INIT, ORDER, EnsembleOptim, MLPEnsemble, fit_ensemble, member_generators, member_loss, predict
from repro.papers.disagreement.claims import per_seed_medians
from repro.papers.memorisation_scaling.render import trajectories
from repro.papers.memorisation_scaling.train import Tempered, soft_targets


def _rows(curves, ses, widths=(8, 32, 128)):
    rows = []
    for ex, (mems, se) in enumerate(zip(curves, ses)):
        rows += [dict(seed=0, arm="standard", size=w, example=ex, memorisation=m, memorisation_se=s)
                 for w, m, s in zip(widths, mems, se)]
    return pd.DataFrame(rows)


def test_trajectory_change_must_clear_its_bootstrap_error():
    curves = [(0.9, 0.5, 0.6), (0.9, 0.5, 0.6), (0.1, 0.5, 0.45), (0.1, 0.5, 0.45), (0.2, 0.6, 0.2), (0.2, 0.6, 0.2)]
    small, large = (0.02, 0.02, 0.02), (0.1, 0.1, 0.1)  # Δ = 0.3, 0.35, 0.4: clear 3·√2·0.02, not 3·√2·0.1
    traj = trajectories(_rows(curves, [small, large, small, large, small, large]), 0.2)
    assert traj.trajectory.tolist() == ["decreasing", "flat", "increasing", "flat", "cap-shaped", "flat"]
    # the gate uses the SEs of the two scores compared: a noisy middle width does not hide an end-to-end change
    traj = trajectories(_rows([(0.9, 0.5, 0.6)], [(0.02, 0.5, 0.02)]), 0.2)
    assert traj.trajectory.tolist() == ["decreasing"]
    # ... but a cap whose peak is noisy is not a cap
    traj = trajectories(_rows([(0.2, 0.8, 0.2)], [(0.02, 0.3, 0.02)]), 0.2)
    assert traj.trajectory.tolist() == ["flat"]
    # without SEs (z · 0) the fixed threshold alone decides, as before
    traj = trajectories(_rows(curves[:2], [small, large]).drop(columns="memorisation_se"), 0.2)
    assert traj.trajectory.tolist() == ["decreasing", "decreasing"]


def test_soft_targets_at_temperature():
    z = torch.tensor([[8.0, 0.0, -2.0]])
    assert torch.allclose(soft_targets(z, 1.0), torch.softmax(z, -1))
    p4 = soft_targets(z, 4.0)
    assert torch.allclose(p4, torch.tensor([[np.exp(2.0), 1.0, np.exp(-0.5)]], dtype=torch.float32) / float(np.exp(2.0) + 1 + np.exp(-0.5)))
    assert p4.max() < soft_targets(z, 1.0).max() < 1.0  # softer, never one-hot


def test_tempered_student_trains_the_inner_model_at_temperature():
    K, d, c, T = 2, 5, 3, 4.0
    model = MLPEnsemble(K, [d, 8, c], generators=member_generators([{"seed": 0}, {"seed": 1}], INIT))
    student = Tempered(model, T)
    x = torch.randn(K, 4, d, generator=generator(0))
    assert torch.allclose(student(x), model(x) / T)
    # the soft-target loss of the tempered view, × T², has the gradient of Hinton's KD loss: T · (p_S^T − p_T^T)
    z = model(x)
    target = torch.softmax(torch.randn(K, 4, c, generator=generator(1)), -1)
    g = torch.autograd.grad(member_loss(z / T, target, "ce").sum() * T ** 2, z)[0]
    assert torch.allclose(g, T * (torch.softmax(z / T, -1) - target) / 4, atol=1e-6)
    # fit_ensemble on the tempered view moves the inner model's weights
    before = [p.detach().clone() for p in model.parameters()]
    X = torch.randn(20, d, generator=generator(2))
    Y = torch.softmax(torch.randn(K, 20, c, generator=generator(3)), -1)
    idx = torch.stack([torch.arange(20)] * K)
    fit_ensemble(student, X, Y, idx, EnsembleOptim(lr=0.1, batch_size=10, max_epochs=2),
                 member_generators([{"seed": 0}, {"seed": 1}], ORDER))
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_train_to_loss_stops_each_member_at_its_loss():
    """disagreement's stopping rule: a member stops at the first epoch its training loss is ≤ stop_loss."""
    K, n, d, c = 3, 40, 6, 3
    g = generator(5)
    X = torch.randn(n, d, generator=g)
    y = torch.randint(0, c, (n,), generator=g)
    Y = y.expand(K, -1)
    idx = torch.stack([torch.arange(n)] * K)
    members = [{"seed": s} for s in range(K)]
    model = MLPEnsemble(K, [d, 64, c], generators=member_generators(members, INIT))
    opt = EnsembleOptim(lr=0.1, batch_size=8, max_epochs=400, stop_loss=0.01)
    fit = fit_ensemble(model, X, Y, idx, opt, member_generators(members, ORDER))
    assert all(fit["converged"]) and max(fit["epochs"]) < 400
    logits = predict(model, X.expand(K, -1, -1))
    loss = F.cross_entropy(logits.flatten(0, 1), Y.flatten(), reduction="none").view(K, n).mean(1)
    assert (loss <= 0.01).all()
    # ... and not before: one epoch fewer leaves the loss above the threshold
    short = MLPEnsemble(K, [d, 64, c], generators=member_generators(members, INIT))
    first = min(fit["epochs"])
    fit_ensemble(short, X, Y, idx, EnsembleOptim(lr=0.1, batch_size=8, max_epochs=first - 1),
                 member_generators(members, ORDER))
    k = fit["epochs"].index(first)
    z = predict(short, X.expand(K, -1, -1))[k]
    assert F.cross_entropy(z, y).item() > 0.01


def test_per_seed_medians_per_pair_type_and_m():
    sub = pd.DataFrame({"seed": [0, 0, 0, 1, 1, 1], "m": [300, 300, 600, 300, 600, 600],
                        "test_error": [0.1, 0.3, 0.2, 0.4, 0.1, 0.3], "disagreement": [0.2, 0.2, 0.1, 0.4, 0.2, 0.1]})
    out = per_seed_medians(sub, "same")
    assert out["same: median test error"] == pytest.approx([0.2, 0.3])
    assert out["same: median disagreement"] == pytest.approx([0.2, 0.2])
    assert out["same, m = 300: median error / disagreement"] == pytest.approx([1.0, 1.0])  # (0.5, 1.5) ; (1.0)
    assert out["same, m = 600: median error / disagreement"] == pytest.approx([2.0, 1.75])  # (2.0) ; (0.5, 3.0)
