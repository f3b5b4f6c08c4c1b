import json

import numpy as np
import pandas as pd
import pytest
import torch

from repro.core import claims as C
from repro.papers.gan_stability.images import class_coverage
from repro.papers.gan_stability.claims import make_claims
from repro.nn.seeds import stack_linear_networks
from repro.papers.gan_stability.ring import Discriminator, mode_coverage, ring_centres, train_ring, value
from repro.papers.gan_stability.toy import Toy, simulate


def test_wgan_value_matches_the_closed_form():
    toy = Toy("wgan", 32)
    w, a = torch.tensor([0.3, -0.7], dtype=torch.float64), torch.tensor([1.3, 0.4], dtype=torch.float64)
    assert torch.allclose(toy.value(w, a), w * (1 - a ** 2) / 3)


@pytest.mark.parametrize("kind", ["gan", "wgan"])
@pytest.mark.parametrize("eta", [0.0, 0.5])
def test_equilibrium_is_a_fixed_point(kind, eta):
    dw, da = Toy(kind, 32).update(np.array([0.0]), np.array([1.0]), eta)
    assert abs(dw[0]) < 1e-12 and abs(da[0]) < 1e-12


def test_regulariser_adds_eta_times_the_gradient_of_the_squared_discriminator_gradient():
    toy = Toy("wgan", 32)
    w, a = np.array([0.3]), np.array([1.3])
    _, da0 = toy.update(w, a, 0.0)
    _, da1 = toy.update(w, a, 0.5)
    # WGAN: dV/dw = (1 - a²)/3, so d/da [η (dV/dw)²] = η · 2 (1 - a²)/3 · (-2a/3)
    expected_extra = 0.5 * 2 * (1 - 1.3 ** 2) / 3 * (-2 * 1.3 / 3)
    assert da1[0] - da0[0] == pytest.approx(-expected_extra)


def test_wgan_cycles_and_regularised_wgan_converges():
    toy = Toy("wgan", 16)
    _, d0 = simulate(toy, np.array([[0.3, 1.3]]), 0.0, 0.01, 3000, 100)
    _, d1 = simulate(toy, np.array([[0.3, 1.3]]), 0.5, 0.01, 3000, 100)
    assert d0[-1, 0] > 0.9 * d0[0, 0] and d1[-1, 0] < 0.05 * d1[0, 0]


def test_mode_coverage():
    centres = ring_centres(8, 2.0)
    assert torch.allclose(centres.norm(dim=1), torch.full((8,), 2.0))
    all_modes = centres.repeat(10, 1) + 0.001
    assert mode_coverage(all_modes, centres, 0.02) == (8, 1.0)
    collapsed = centres[:1].repeat(80, 1)
    assert mode_coverage(collapsed, centres, 0.02) == (1, 1.0)
    far = torch.zeros(50, 2)
    assert mode_coverage(far, centres, 0.02) == (0, 0.0)


def test_discriminator_gradient_penalty_reaches_the_generator():
    torch.manual_seed(0)
    d, g = Discriminator(8, 0.8), torch.nn.Linear(3, 2)
    z, real = torch.randn(16, 3), torch.randn(16, 2)
    v = value(d, real, g(z))
    grads = torch.autograd.grad(v, list(d.parameters()), create_graph=True)
    penalty = sum((x ** 2).sum() for x in grads)
    (gp,) = torch.autograd.grad(penalty, g.weight)
    assert gp.abs().sum() > 0  # double backprop: the penalty depends on the generator


def runs_frame(wgan0, gan0, reg):
    rows = []
    for kind, eta, ratio in [("wgan", 0.0, wgan0), ("gan", 0.0, gan0), ("wgan", 0.5, reg), ("gan", 0.5, reg)]:
        for i in range(2):
            rows.append({"kind": kind, "eta": eta, "start_index": i, "distance": [1.0, ratio]})
    return pd.DataFrame(rows)


def history(col, per_eta, iterations=(0, 1000, 2000, 3000, 4000), **keys):
    """Evaluations of every (eta, seed): per_eta maps eta -> one list of values (over iterations) per seed."""
    return pd.DataFrame([{**keys, "eta": eta, "seed": seed, "iteration": it, col: v, "high_quality": 0.5}
                         for eta, seeds in per_eta.items() for seed, vals in enumerate(seeds)
                         for it, v in zip(iterations, vals)])


def test_claims_from_measurements():
    # η=0 mode-hops (its last evaluation even reaches 8 modes); η=0.5 covers 7-8 modes throughout the second half
    hist = history("modes", {0.0: [[1, 8, 2, 3, 8], [1, 4, 1, 2, 0], [1, 2, 6, 1, 2]],
                             0.5: [[1, 5, 8, 8, 8], [1, 6, 7, 8, 8], [1, 4, 8, 8, 7]]})
    final = hist[hist.iteration == 4000]
    claims = make_claims(runs_frame(1.2, 0.01, 0.001), hist, final)
    assert [c["verdict"] for c in claims] == [C.ILLUSTRATED, C.REPRODUCED]  # the toy is deterministic
    flipped = hist.assign(eta=hist.eta.map({0.0: 0.5, 0.5: 0.0}))
    claims = make_claims(runs_frame(0.01, 0.01, 0.001), flipped, flipped[flipped.iteration == 4000])
    assert [c["verdict"] for c in claims] == [C.NOT_REPRODUCED, C.NOT_REPRODUCED]


def test_ring_claim_does_not_pass_on_noise():
    """Both arms draw their coverage from the same distribution: `reproduced` in at most 5% of draws, and
    never on an exact tie."""
    rng = np.random.default_rng(0)
    wins = []
    for _ in range(200):
        draws = {eta: rng.integers(0, 9, size=(3, 5)).tolist() for eta in (0.0, 0.5)}
        hist = history("modes", draws)
        wins.append(make_claims(runs_frame(1.2, 0.01, 0.001), hist, hist[hist.iteration == 4000])[1]["verdict"]
                    == C.REPRODUCED)
    assert np.mean(wins) <= 0.05
    tie = history("modes", {0.0: [[8] * 5] * 3, 0.5: [[8] * 5] * 3})
    assert make_claims(runs_frame(1.2, 0.01, 0.001), tie, tie)[1]["verdict"] == C.INCONCLUSIVE


def test_class_coverage_counts_confident_classes():
    class Judge:
        def predict_proba(self, x):
            p = np.full((len(x), 3), 0.02)
            p[np.arange(len(x)), x[:, 0].astype(int)] = 0.96
            return p
    samples = torch.tensor([[0.0], [0.0], [1.0], [1.0]])
    assert class_coverage(Judge(), samples, 3, 0.9, 0.25) == (2, 1.0)


def test_image_claim():
    hist = history("classes", {0.0: [[0, 1, 0, 0, 1], [0, 0, 0, 0, 0], [0, 2, 1, 0, 0]],
                               0.5: [[0, 5, 8, 9, 8], [0, 6, 7, 9, 9], [0, 4, 8, 8, 9]]}, data="d")
    ring = history("modes", {0.0: [[8] * 5] * 3, 0.5: [[8] * 5] * 3})
    claims = make_claims(runs_frame(1.2, 0.01, 0.001), ring, ring, hist)
    assert claims[2]["id"] == "image_modes" and claims[2]["verdict"] == C.REPRODUCED
    same = hist.assign(classes=hist.classes.where(hist.eta == 0.0, 0))  # both arms collapse
    assert make_claims(runs_frame(1.2, 0.01, 0.001), ring, ring, same)[2]["verdict"] != C.REPRODUCED


RING = {"n_modes": 8, "radius": 2.0, "std": 0.02, "z_dim": 4, "hidden": 16, "init_gain": 0.8, "lr": 1e-3,
        "beta1": 0.5, "batch_size": 32, "iterations": 30, "eval_every": 10, "eval_samples": 64,
        "snapshots": [0, 30], "snapshot_samples": 4, "eta": 0.5}


def test_a_seed_trains_to_the_same_numbers_whichever_seeds_share_its_job(tmp_path):
    """Seeds side by side share operator calls, never numbers: seed 1 trained with seed 0 in one job gives bit
    for bit the history and samples it gives with seed 2 (1 thread, as CPU jobs run). Alone (K = 1) it
    matches only to float rounding: a batched product of one matrix runs as mm, which rounds differently."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runs = {}
        for seeds in ([0, 1], [1, 2]):
            paths = [tmp_path / f"{seeds}_{s}.json" for s in seeds]
            train_ring(RING | {"seeds": seeds}, {}, {"metrics": [str(p) for p in paths]}, 1)
            runs.update({(tuple(seeds), s): json.loads(p.read_text()) for s, p in zip(seeds, paths)})
        alone = tmp_path / "alone.json"
        train_ring(RING | {"seed": 1}, {}, {"metrics": str(alone)}, 1)
    finally:
        torch.set_num_threads(threads)
    a, b, solo = runs[(0, 1), 1], runs[(1, 2), 1], json.loads(alone.read_text())
    assert a["history"] == b["history"] and a["snapshots"] == b["snapshots"]
    assert a["snapshots"] != runs[(0, 1), 0]["snapshots"]  # and the seeds are different runs
    assert np.allclose(np.array(solo["snapshots"]["30"]), np.array(a["snapshots"]["30"]), atol=1e-4)
    with pytest.raises(ValueError, match="2 seeds"):
        train_ring(RING | {"seeds": [0, 1]}, {}, {"metrics": str(alone)}, 1)


def test_stacked_linear_networks_compute_each_network_and_its_own_gradients():
    nets = []
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        nets.append(torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.LeakyReLU(0.2), torch.nn.Linear(5, 1, bias=False)))
    stack = stack_linear_networks(nets)
    assert {id(p) for p in stack.parameters()} == {id(p) for net in nets for p in net.parameters()}  # their own
    x = torch.randn(3, 7, 3)
    out = stack(x)
    (out ** 2).sum().backward()
    stacked_grads = [[p.grad.clone() for p in net.parameters()] for net in nets]
    for k, net in enumerate(nets):
        net.zero_grad()
        ref = net(x[k])
        (ref ** 2).sum().backward()
        assert torch.allclose(out[k], ref, atol=1e-6)
        assert all(torch.allclose(a, p.grad, atol=1e-5) for a, p in zip(stacked_grads[k], net.parameters()))
    with pytest.raises(ValueError, match="structure"):
        stack_linear_networks([nets[0], torch.nn.Sequential(torch.nn.Linear(3, 5))])
    with pytest.raises(ValueError, match="has parameters"):
        stack_linear_networks([torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.LayerNorm(5))] * 2)
