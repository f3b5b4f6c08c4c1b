import numpy as np
import pytest

from repro.core import claims as C
from repro.papers.local_explainability.explain import mnf, rho
from repro.papers.local_explainability.render import make_claims


def test_mnf_is_zero_for_a_linear_model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    f = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    assert mnf(f, X, X[:20], f[:20], 0.5, 3, 1e-9, rng) < 1e-8


def test_mnf_grows_with_width_for_a_nonlinear_model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2))
    f = np.sin(2 * X[:, 0])
    assert mnf(f, X, X[:50], f[:50], 0.2, 3, 1e-6, rng) < mnf(f, X, X[:50], f[:50], 2.0, 3, 1e-6, rng)


def test_rho_limits():
    rng = np.random.default_rng(0)
    far = np.arange(20)[:, None] * 100.0 * np.ones((1, 2))   # disjoint neighbourhoods: ρ = √|S|
    assert rho(far, 0.5, 4000, rng) == pytest.approx(np.sqrt(20), rel=0.05)
    same = np.zeros((20, 2))                                   # identical neighbourhoods: ρ = 1
    assert rho(same, 0.5, 4000, rng) == pytest.approx(1.0, rel=1e-6)


def run(seed, corr, small_gap, big_gap):
    model = lambda s_gap: {"hidden": 8, "weight_decay": 0.0, "gap": 0.1, "mnf": {  # noqa: E731
        "0.5": {"train": 0.0, "test": small_gap}, "4.0": {"train": 0.1, "test": 0.1 + big_gap}}}
    return {"seed": seed, "sigma_focus": 0.5, "spearman_gap_vs_train_mnf": corr, "models": [model(0)],
            "rho": [{"sigma": 0.5, "n": 10, "rho": 3.0}, {"sigma": 0.5, "n": 40, "rho": 6.0},
                    {"sigma": 4.0, "n": 10, "rho": 1.0}, {"sigma": 4.0, "n": 40, "rho": 1.0}]}


def test_claims():
    assert [c["verdict"] for c in make_claims([run(0, 0.9, 0.2, 0.01)])] == [C.REPRODUCED] * 3
    assert [c["verdict"] for c in make_claims([run(0, 0.1, 0.01, 0.2)])][:2] == [C.NOT_REPRODUCED] * 2
