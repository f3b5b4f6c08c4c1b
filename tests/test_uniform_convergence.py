"""uniform_convergence: the authors' hypersphere demonstration (batch-1 SGD on the sigmoid loss until a
margin, one initialisation per seed for every m) and its slopes."""
import copy
import json

import numpy as np
import pandas as pd
import pytest
import torch

from repro.core.seeding import generator
from repro.nn.ensemble import INIT, ORDER, EnsembleOptim, MLPEnsemble, fit_ensemble, margins, member_generators
from repro.papers.uniform_convergence.claims import slopes
from repro.papers.uniform_convergence.sgd import margin_share, sgd_batch1
from repro.papers.uniform_convergence.train import spheres, tf_init, train_bounds

SEEDS = [0, 1]


def sphere_batch(m: int, d: int = 6, R: float = 1.2):
    data = [spheres(m, d, R, generator(s, 7, m)) for s in SEEDS]
    return torch.stack([x for x, _ in data]), torch.stack([y for _, y in data])


def small_net(d: int = 6, H: int = 12) -> MLPEnsemble:
    net = MLPEnsemble(len(SEEDS), [d, H, 2], bias=True, generators=member_generators([{"seed": s} for s in SEEDS], INIT))
    tf_init(net, [generator(s, 11) for s in SEEDS])  # non-zero biases, so their gradients are tested too
    return net


def test_batch1_sgd_is_the_shared_trainers_update_on_the_class_averaged_sigmoid_loss():
    """lr on the loss averaged over C classes (TensorFlow's reduce_mean) = lr / C on the class-summed loss
    of fit_ensemble; same example order (epoch_order with the members' generators)."""
    X, Y = sphere_batch(16)
    K, m, d = X.shape
    a = small_net()
    b = copy.deepcopy(a)
    gens = lambda: member_generators([{"seed": s} for s in SEEDS], ORDER, m)  # noqa: E731
    fit_ensemble(a, X.reshape(K * m, d), Y.reshape(1, -1).expand(K, -1), torch.arange(K * m).view(K, m),
                 EnsembleOptim(lr=0.1, momentum=0.0, batch_size=1, max_epochs=3, loss="sigmoid", stop_margin=1e9),
                 gens())
    fit = sgd_batch1(b, X, Y, lr=0.2, stop_margin=1e9, stop_tau=0.0, max_epochs=3, gens=gens())
    assert fit == {"epochs": [3, 3], "converged": [False, False]}
    moved = sum(float((p - q).detach().abs().max()) for p, q in zip(a.parameters(), small_net().parameters()))
    assert moved > 0.1
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.allclose(p, q, atol=1e-5), float((p - q).abs().max())


def test_batch1_sgd_sigmoid_gradient_by_hand():
    """One step on one point: the output bias moves by −lr·(σ(f) − t)/C."""
    X, Y = sphere_batch(1)
    net = small_net()
    with torch.no_grad():
        f = net(X)
    b2 = net.biases[1].detach().clone()
    sgd_batch1(net, X, Y, lr=0.3, stop_margin=1e9, stop_tau=0.0, max_epochs=1, gens=[generator(0), generator(1)])
    t = torch.nn.functional.one_hot(Y, 2).float()
    assert torch.allclose(net.biases[1] - b2, -0.3 * (torch.sigmoid(f) - t) / 2, atol=1e-6)


def test_margin_stopping_stops_each_member_at_the_first_epoch_that_meets_it():
    X, Y = sphere_batch(32)
    net = small_net()
    share = margin_share(net, X, Y, -1e9)
    assert torch.equal(share, torch.ones(2))
    # a criterion met from the start: one epoch, then stop
    assert sgd_batch1(small_net(), X, Y, 0.2, -1e9, 0.0, 50, [generator(0), generator(1)])["epochs"] == [1, 1]
    fit = sgd_batch1(net, X, Y, 0.5, 1.0, 0.01, 400, [generator(0), generator(1)])
    assert all(fit["converged"]) and max(fit["epochs"]) < 400
    with torch.no_grad():
        assert bool(((margins(net(X), Y) >= 1.0).float().mean(1) >= 0.99).all())
    # a member stopped early is frozen while the other trains on
    a, b = small_net(), small_net()
    X2 = torch.stack([X[0], X[1]])
    fit = sgd_batch1(a, X2, Y, 0.5, 1.0, 0.01, 400, [generator(0), generator(1)])
    ref = sgd_batch1(b, X2[:1].expand(2, -1, -1).contiguous(), Y[:1].expand(2, -1).contiguous(), 0.5, 1.0, 0.01, 400,
                     [generator(0), generator(0)])
    assert fit["epochs"][0] == ref["epochs"][0]
    assert torch.allclose(a.weights[0][0], b.weights[0][0], atol=1e-5)


def test_tf_init_is_glorot_uniform_for_weights_and_biases():
    net = MLPEnsemble(2, [100, 1000, 2], bias=True)
    tf_init(net, [generator(0), generator(1)])
    w1, b1 = net.weights[0].detach(), net.biases[0].detach()
    lim = (6 / 1100) ** 0.5
    assert float(w1.abs().max()) <= lim and float(w1.abs().max()) > 0.99 * lim
    assert abs(float(w1.var()) / (2 / 1100) - 1) < 0.02
    assert float(b1.abs().max()) <= (6 / 1001) ** 0.5 and float(b1.abs().mean()) > 0.01
    assert not torch.equal(w1[0], w1[1])
    again = MLPEnsemble(2, [100, 1000, 2], bias=True)
    tf_init(again, [generator(0), generator(1)])
    assert torch.equal(again.weights[0], net.weights[0])


def test_slopes_recover_power_laws_per_seed():
    rows = [dict(m=m, seed=s, q=3.0 * m ** (0.1 * (s + 1))) for s in (2, 0, 1) for m in (256, 512, 1024, 4096)]
    assert np.allclose(slopes(pd.DataFrame(rows), "q"), [0.1, 0.2, 0.3])


def test_train_bounds_shares_one_initialisation_across_m(tmp_path):
    p = {"dim": 6, "radius": 1.2, "width": 12, "sizes": [16, 32], "n_test": 50, "seeds": [0, 1],
         "optim": {"lr": 0.2, "max_epochs": 1, "stop_margin": 1e9, "stop_tau": 0.01}}
    out = tmp_path / "bounds.json"
    train_bounds(p, {}, {"metrics": out}, 1)
    rows = pd.DataFrame(json.loads(out.read_text())["rows"])
    assert len(rows) == 4 and set(rows.columns) >= {"neyshabur18", "bartlett17", "distance", "spectral_1", "spectral_2",
                                                   "test_error", "train_margin_share"}
    assert (rows.distance > 0).all() and np.isfinite(rows[["neyshabur18", "bartlett17"]].to_numpy()).all()
    # ‖W − W0‖ over layers (weights) is at most the total distance (biases included)
    assert (np.hypot(rows.distance_1, rows.distance_2) <= rows.distance + 1e-5).all()
    # the init is the same for every m: after 1 epoch with lr → 0 the weights at m = 16 and 32 agree
    p["optim"]["lr"] = 1e-12
    train_bounds(p, {}, {"metrics": out}, 1)
    rows = pd.DataFrame(json.loads(out.read_text())["rows"])
    for s in (0, 1):
        sub = rows[rows.seed == s]
        assert sub.spectral_1.nunique() == 1 and sub.frobenius_2.nunique() == 1, sub
    assert rows[rows.m == 16].spectral_1.nunique() == 2  # but different across seeds


@pytest.mark.parametrize("R", [1.2])
def test_demo_spheres_have_radii_1_and_R(R):
    x, y = spheres(100, 100, R, generator(0, 12, 100))
    assert torch.allclose(x.norm(dim=1), torch.where(y == 1, R, 1.0))
    assert int(y.sum()) == 50
