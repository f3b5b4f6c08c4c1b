"""The batched-ensemble trainer and the capacity measures shared by the generalisation papers."""
import math

import pytest
import torch
import torch.nn.functional as F

from repro.core.seeding import generator
from repro.nn.ensemble import (CNNEnsemble, EnsembleOptim, MLPEnsemble, fit_ensemble, margins, member_data,
                               predict_shared)
from repro.nn.measures import (bartlett17, calibration_errors, distance_from_init, hidden_norms_and_jacobians, l21,
                               neyshabur18, spectral)


def blobs(n=200, d=5, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, d, generator=g) * 3
    y = torch.arange(n) % classes
    return centres[y] + torch.randn(n, d, generator=g), y


def test_members_are_independent_networks():
    """Member k of an ensemble computes exactly what a lone MLP with its weights computes."""
    model = MLPEnsemble(3, [5, 7, 4], generator=generator(0))
    x = torch.randn(3, 6, 5)
    out = model(x)
    for k in range(3):
        ref = F.relu(x[k] @ model.weights[0][k]) @ model.weights[1][k]
        assert torch.allclose(out[k], ref, atol=1e-6)
    cnn = CNNEnsemble(2, 3, 8, 4, generator=generator(0))
    imgs = torch.randn(2, 5, 1, 8, 8)
    both = cnn(imgs)
    imgs2 = imgs.clone()
    imgs2[1] = 0  # changing member 1's inputs leaves member 0's outputs alone
    assert torch.allclose(cnn(imgs2)[0], both[0]) and not torch.allclose(cnn(imgs2)[1], both[1])


def test_training_reaches_the_margin_and_frozen_members_stop_moving():
    X, y = blobs()
    idx = torch.stack([torch.arange(0, 100), torch.arange(100, 200)])
    model = MLPEnsemble(2, [5, 32, 3], generator=generator(1))
    fit = fit_ensemble(model, X, y.expand(2, -1), idx, EnsembleOptim(lr=0.05, max_epochs=200, stop_margin=2.0), generator(2))
    assert fit["converged"] == [True, True]
    with torch.no_grad():
        m = margins(predict_shared(model, X), y.expand(2, -1))
    assert (m.gather(1, idx) >= 2.0).all()
    # member 0 has an easy task (one class), member 1 random labels: 0 stops first and is then frozen
    Y = torch.stack([torch.zeros_like(y), torch.randint(3, y.shape, generator=generator(5))])
    model = MLPEnsemble(2, [5, 32, 3], generator=generator(1))
    fit = fit_ensemble(model, X, Y, idx, EnsembleOptim(lr=0.05, max_epochs=40, stop_margin=2.0), generator(2))
    assert fit["converged"][0] and fit["epochs"][0] < fit["epochs"][1]
    stopped_at = fit["epochs"][0]
    again = MLPEnsemble(2, [5, 32, 3], generator=generator(1))
    fit_ensemble(again, X, Y, idx, EnsembleOptim(lr=0.05, max_epochs=stopped_at, stop_margin=2.0), generator(2))
    assert torch.equal(again.weights[0][0], model.weights[0][0])  # no update after it stopped
    assert not torch.equal(again.weights[0][1], model.weights[0][1])


def test_member_data_fixes_subsets_and_adds_noise_only_to_training_labels():
    y = torch.arange(100) % 10
    pool = torch.arange(20, 100)
    idx, Y = member_data(pool, y, 10, [{"data_seed": 0}, {"data_seed": 0, "noise": 1.0}, {"data_seed": 1}], m=30)
    assert torch.equal(idx[0], idx[1]) and not torch.equal(idx[0], idx[2])
    assert set(idx.flatten().tolist()) <= set(pool.tolist())
    assert torch.equal(Y[0], y) and torch.equal(Y[1][:20], y[:20])  # held-out labels stay true
    assert (Y[1][idx[1]] != y[idx[1]]).float().mean() > 0.7  # random labels: ~90% differ


def test_norms_distance_and_bounds_on_known_matrices():
    w = torch.diag(torch.tensor([3.0, 4.0])).unsqueeze(0)
    assert spectral(w).item() == pytest.approx(4.0)
    assert l21(torch.tensor([[[3.0, 0.0], [4.0, 1.0]]])).item() == pytest.approx(5.0 + 1.0)
    z = torch.zeros_like(w)
    assert distance_from_init([w, w], [z, z]).item() == pytest.approx(math.sqrt(2 * 25))
    # one layer, W = 4·I, Z = 0: Neyshabur = B·1·√2·4·sqrt(‖W‖_F²/16) / (γ√m)
    W = 4 * torch.eye(2).unsqueeze(0)
    assert neyshabur18([W], [0 * W], 1.0, 2.0, 4).item() == pytest.approx(math.sqrt(2) * 4 * math.sqrt(2) / 4)
    assert bartlett17([W], [0 * W], 1.0, 2.0, 4).item() == pytest.approx(4 * (8 / 4) / 4)


def test_jacobian_norm_matches_autograd():
    model = MLPEnsemble(1, [4, 6, 6, 3], generator=generator(3))
    x = torch.randn(1, 5, 4)
    terms = hidden_norms_and_jacobians([w.detach() for w in model.weights], x)
    per_point = [torch.linalg.matrix_norm(torch.autograd.functional.jacobian(lambda v: model(v.view(1, 1, 4)).view(3), x[0, i]), ord=2)
                 for i in range(5)]
    assert terms["jacobian"][0].item() == pytest.approx(max(per_point).item(), rel=1e-4)
    assert terms["hidden"][0].item() == pytest.approx(x.norm(dim=-1).max().item())


def test_calibration_errors():
    # a perfectly calibrated two-point ensemble: votes 0.5/0.5 and the label is each class half the time
    votes = torch.tensor([[0.5, 0.5], [0.5, 0.5], [1.0, 0.0], [1.0, 0.0]])
    y = torch.tensor([0, 1, 0, 0])
    cal = calibration_errors(votes, y, bins=10)
    assert cal["cace"] == pytest.approx(0.0, abs=1e-6) and cal["ece"] == pytest.approx(0.0, abs=1e-6)
    wrong = calibration_errors(torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([1, 1]), bins=10)
    assert wrong["ece"] == pytest.approx(1.0) and wrong["cace"] == pytest.approx(2.0)
