"""The batched-ensemble trainer and the capacity measures shared by the generalisation papers."""
import math

import pytest
import torch
import torch.nn.functional as F

from repro.core.seeding import generator
from repro.nn.ensemble import (INIT, ORDER, CNNEnsemble, EnsembleOptim, MLPEnsemble, epoch_order, fit_ensemble,
                               margins, member_data, member_generators, predict_shared)
from repro.nn.measures import (bartlett17, calibration_errors, distance_from_init, hidden_norms_and_jacobians, l21,
                               neyshabur18, spectral)


def blobs(n=200, d=5, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, d, generator=g) * 3
    y = torch.arange(n) % classes
    return centres[y] + torch.randn(n, d, generator=g), y


def gens(K, tag=0):
    return [generator(k, tag) for k in range(K)]


def members(*seeds, replica=0):
    return [{"seed": s, "replica": replica} for s in seeds]


def init_of(kind, mems, *grid):
    """Each member's initial parameters, as a list (one entry per member) of flat vectors."""
    g = member_generators(mems, INIT, *grid)
    if kind == "mlp":
        model = MLPEnsemble(len(mems), [5, 7, 4], generators=g)
        return [torch.cat([w[k].flatten() for w in model.weights]) for k in range(len(mems))]
    c = 3
    model = CNNEnsemble(len(mems), c, 8, 4, in_channels=2, generators=g)
    return [torch.cat([model.conv1.weight[k * c:(k + 1) * c].flatten(), model.conv2.weight[k * c:(k + 1) * c].flatten(),
                       model.head[k].flatten()]) for k in range(len(mems))]


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_initial_weights_derive_from_the_members_own_seed(kind):
    """Same seed and grid point: bitwise the same init, whatever the other members; another seed, grid
    point or replica (two inits on the same data): another init."""
    a, b = init_of(kind, members(0, 1), 16), init_of(kind, members(5, 0), 16)
    assert torch.equal(a[0], b[1]) and torch.equal(a[0], init_of(kind, members(0), 16)[0])
    assert not torch.equal(a[0], a[1]) and not torch.equal(a[0], b[0])
    assert not torch.equal(a[0], init_of(kind, members(0), 32)[0])
    assert not torch.equal(a[0], init_of(kind, members(0, replica=1), 16)[0])
    assert not torch.equal(a[0], init_of(kind, members(100), 16)[0])  # seeds_b is not seeds 0..2 again


def test_cnn_init_keeps_the_distributions():
    """Kaiming-normal (fan-in) filters, normal head with std sqrt(1/features), zero biases, per member."""
    K, c = 4, 16
    model = CNNEnsemble(K, c, 8, 10, in_channels=2, generators=member_generators(members(*range(K)), INIT))
    assert model.conv1.weight[:c].std().item() == pytest.approx(math.sqrt(2 / (2 * 9)), rel=0.15)
    assert model.conv2.weight[-c:].std().item() == pytest.approx(math.sqrt(2 / (c * 9)), rel=0.05)
    assert model.head[1].std().item() == pytest.approx(math.sqrt(1 / (c * 16)), rel=0.05)
    assert not model.conv1.bias.any() and not model.conv2.bias.any()


def test_training_of_a_member_does_not_depend_on_the_others():
    """Member with seed 0 sees the same example orders (and shifts) and ends with the same weights in
    an ensemble with seed 1 as in one with seed 5."""
    X, y = blobs()
    idx = torch.stack([torch.arange(0, 100), torch.arange(100, 200)])
    g1, g2 = member_generators(members(0, 1), ORDER, 3), member_generators(members(0, 5), ORDER, 3)
    o1, o2 = [epoch_order(idx, g1) for _ in range(3)], [epoch_order(idx, g2) for _ in range(3)]
    assert all(torch.equal(a[0], b[0]) and not torch.equal(a[1], b[1]) for a, b in zip(o1, o2))
    assert not torch.equal(o1[0][0], o1[1][0])  # reshuffled every epoch
    opt = EnsembleOptim(lr=0.05, max_epochs=5, batch_size=16)
    runs = []
    for mems in (members(0, 1), members(0, 5)):
        model = MLPEnsemble(2, [5, 16, 3], generators=member_generators(mems, INIT, 3))
        fit_ensemble(model, X, y.expand(2, -1), idx, opt, member_generators(mems, ORDER, 3))
        runs.append(model)
    assert all(torch.equal(a[0], b[0]) for a, b in zip(runs[0].weights, runs[1].weights))
    imgs = torch.rand(30, 1, 8, 8, generator=generator(9))
    cnn_runs = []
    for mems in (members(0, 1), members(0, 5)):
        cnn = CNNEnsemble(2, 2, 8, 3, generators=member_generators(mems, INIT))
        opt = EnsembleOptim(lr=0.05, max_epochs=3, batch_size=8, augment_shift=1)
        fit_ensemble(cnn, imgs, (torch.arange(30) % 3).expand(2, -1), torch.arange(30).view(2, 15), opt,
                     member_generators(mems, ORDER))
        cnn_runs.append(cnn)
    assert torch.equal(cnn_runs[0].head[0], cnn_runs[1].head[0])
    assert not torch.allclose(cnn_runs[0].head[1], cnn_runs[1].head[1])


def test_members_are_independent_networks():
    """Member k of an ensemble computes exactly what a lone MLP with its weights computes."""
    model = MLPEnsemble(3, [5, 7, 4], generators=gens(3))
    x = torch.randn(3, 6, 5)
    out = model(x)
    for k in range(3):
        ref = F.relu(x[k] @ model.weights[0][k]) @ model.weights[1][k]
        assert torch.allclose(out[k], ref, atol=1e-6)
    cnn = CNNEnsemble(2, 3, 8, 4, generators=gens(2))
    imgs = torch.randn(2, 5, 1, 8, 8)
    both = cnn(imgs)
    imgs2 = imgs.clone()
    imgs2[1] = 0  # changing member 1's inputs leaves member 0's outputs alone
    assert torch.allclose(cnn(imgs2)[0], both[0]) and not torch.allclose(cnn(imgs2)[1], both[1])


def test_training_reaches_the_margin_and_frozen_members_stop_moving():
    X, y = blobs()
    idx = torch.stack([torch.arange(0, 100), torch.arange(100, 200)])
    model = MLPEnsemble(2, [5, 32, 3], generators=gens(2, 1))
    fit = fit_ensemble(model, X, y.expand(2, -1), idx, EnsembleOptim(lr=0.05, max_epochs=200, stop_margin=2.0), gens(2, 2))
    assert fit["converged"] == [True, True]
    with torch.no_grad():
        m = margins(predict_shared(model, X), y.expand(2, -1))
    assert (m.gather(1, idx) >= 2.0).all()
    # member 0 has an easy task (one class), member 1 random labels: 0 stops first and is then frozen
    Y = torch.stack([torch.zeros_like(y), torch.randint(3, y.shape, generator=generator(5))])
    model = MLPEnsemble(2, [5, 32, 3], generators=gens(2, 1))
    fit = fit_ensemble(model, X, Y, idx, EnsembleOptim(lr=0.05, max_epochs=40, stop_margin=2.0), gens(2, 2))
    assert fit["converged"][0] and fit["epochs"][0] < fit["epochs"][1]
    stopped_at = fit["epochs"][0]
    again = MLPEnsemble(2, [5, 32, 3], generators=gens(2, 1))
    fit_ensemble(again, X, Y, idx, EnsembleOptim(lr=0.05, max_epochs=stopped_at, stop_margin=2.0), gens(2, 2))
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
    model = MLPEnsemble(1, [4, 6, 6, 3], generators=gens(1, 3))
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


def test_member_data_refuses_more_examples_than_the_pool():
    """A config asking for more training examples than the pool holds would give every member the whole pool
    (so 'different data' pairs would share theirs): a clear error instead."""
    from repro.nn.ensemble import member_data
    pool, y = torch.arange(10), torch.arange(20) % 3
    idx, _ = member_data(pool, y, 3, [{"data_seed": 0}], 10)
    assert sorted(idx[0].tolist()) == list(range(10))
    with pytest.raises(ValueError, match="m = 11 .* holds 10"):
        member_data(pool, y, 3, [{"data_seed": 0}], 11)
