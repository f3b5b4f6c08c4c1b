"""Key computations and claim logic of distance_from_init, uniform_convergence, pac_bayes_noise and
disagreement (the thesis reuses them)."""
import pandas as pd
import torch

from repro.core import claims as C
from repro.core.seeding import generator
from repro.nn.ensemble import MLPEnsemble
from repro.nn.measures import hidden_norms_and_jacobians
from repro.papers.disagreement.render import make_claims as gde_claims
from repro.papers.distance_from_init.render import make_claims as dfi_claims
from repro.papers.pac_bayes_noise.train import noise_resilience_bound
from repro.papers.uniform_convergence.train import spheres


def test_spheres_have_the_right_radii_and_balanced_labels():
    x, y = spheres(200, 10, 1.3, generator(0))
    r = x.norm(dim=1)
    assert torch.allclose(r[y == 0], torch.ones(100)) and torch.allclose(r[y == 1], torch.full((100,), 1.3))


def test_noise_resilience_bound_shrinks_with_margin_and_grows_with_distance():
    model = MLPEnsemble(1, [4, 8, 3], generators=[generator(0)])
    w = [v.detach() for v in model.weights]
    init = [0.9 * v for v in w]
    terms = hidden_norms_and_jacobians(w, torch.randn(1, 20, 4))
    one, four = (noise_resilience_bound(w, init, terms, g, 100) for g in (1.0, 4.0))
    assert torch.allclose(four["sigma_out"], 4 * one["sigma_out"])  # noise allowed grows with the margin
    assert four["bound"] <= one["bound"]
    far = noise_resilience_bound(w, [0.5 * v for v in w], terms, 1.0, 100)["bound"]
    assert far > one["bound"]


def dfi_frame(width_trend: float):
    rows = []
    for seed in range(3):
        for m in (100, 400):
            for width in (32, 128, 512):
                rows.append(dict(experiment="width", width=width, m=m, noise=0.0, seed=seed,
                                 distance=5 * (width / 32) ** width_trend * (m / 100) ** 0.2, init_norm=width**0.5))
        for m in (100, 400, 1600):
            for noise, rate in ((0.0, 0.2), (1.0, 0.5)):
                rows.append(dict(experiment="labels", width=256, m=m, noise=noise, seed=seed, distance=(m / 100) ** rate,
                                 init_norm=16.0))
        for noise in (0.0, 0.5, 1.0):
            rows.append(dict(experiment="noise", width=256, m=400, noise=noise, seed=seed, distance=1 + noise, init_norm=16.0))
    return pd.DataFrame(rows)


def test_distance_claims_follow_the_measurements():
    ok = {c["id"]: c["verdict"] for c in dfi_claims(dfi_frame(-0.05))}
    assert set(ok.values()) == {C.REPRODUCED}
    grows = {c["id"]: c["verdict"] for c in dfi_claims(dfi_frame(0.4))}
    assert grows["flat_in_width"] == C.NOT_REPRODUCED


def test_disagreement_claims_follow_the_measurements():
    def frame(scale):
        rows = [dict(seed=s, pair=p, test_error=e, disagreement=e * scale, converged=True)
                for s in range(3) for p in ("same_data", "different_data") for e in (0.05, 0.1, 0.2, 0.3)]
        return pd.DataFrame(rows)
    ens = pd.DataFrame([dict(seed=s, test_error=0.1, disagreement=0.11, cace=0.05, ece=0.02) for s in range(3)])
    assert gde_claims(frame(1.0), ens)[0]["verdict"] == C.REPRODUCED
    assert gde_claims(frame(2.0), ens)[0]["verdict"] == C.NOT_REPRODUCED
    assert gde_claims(frame(1.0), ens)[1]["verdict"] == C.REPRODUCED
    assert gde_claims(frame(1.0), ens.assign(cace=0.005))[1]["verdict"] == C.NOT_REPRODUCED  # |Dis − Err| > CACE
