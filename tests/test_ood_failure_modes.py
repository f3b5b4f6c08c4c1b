import numpy as np
import pandas as pd

from repro.core import claims as C
from repro.papers.ood_failure_modes.digits import with_spurious
from repro.papers.ood_failure_modes.claims import make_claims
from repro.papers.ood_failure_modes.toy import gd_path, groups, max_margin, spurious_share


def toy_data(seed=0):
    rng = np.random.default_rng(seed)
    Xa, ya = groups(50, 0.1, 1.0, rng)
    Xb, yb = groups(50, 0.1, 1.0, rng)
    Xb[:, 1] *= -1
    return Xa, ya, Xb, yb


def test_invariant_feature_alone_separates_and_spurious_agrees_with_majority():
    Xa, ya, Xb, yb = toy_data()
    assert (Xa[:, 0] * ya >= 0.1).all() and (Xb[:, 0] * yb >= 0.1).all()
    assert (Xa[:, 1] == ya).all() and (Xb[:, 1] == -yb).all()


def test_balanced_groups_give_a_max_margin_classifier_without_the_spurious_feature():
    Xa, ya, Xb, yb = toy_data()
    w = max_margin(np.vstack([Xa, Xb]), np.concatenate([ya, yb]))
    assert spurious_share(w) < 0.05
    w_few = max_margin(np.vstack([Xa, Xb[:1]]), np.concatenate([ya, yb[:1]]))
    assert spurious_share(w_few) > spurious_share(w)


def test_duplicating_the_majority_makes_gradient_descent_lean_on_the_spurious_feature():
    Xa, ya, Xb, yb = toy_data()
    X, y = np.vstack([Xa, Xb]), np.concatenate([ya, yb])
    even = gd_path(X, y, np.ones(100), 1.0, 100, np.array([100]))[0]
    skewed = gd_path(X, y, np.concatenate([np.full(50, 9.0), np.ones(50)]), 1.0, 100, np.array([100]))[0]
    assert skewed > even + 0.1


def test_spurious_feature_sign_by_group():
    X, y = np.zeros((4, 2)), np.array([1.0, -1.0, 1.0, -1.0])
    s = with_spurious(X, y, np.array([True, True, False, False]), 0.1)[:, -1]
    assert np.allclose(s, [0.1, -0.1, -0.1, 0.1])


def synthetic(seed, effect, noise=0.02):
    """Per-seed metrics with every effect scaled by `effect` (0: no effect) plus seed noise."""
    r = np.random.default_rng(seed)
    toy = {"seed": seed,
           "statistical": [{"majority_share": p, "spurious_share": list(effect * (p - 0.5) / np.log(np.e + np.arange(5))
                                                                       + r.normal(0, noise, 5))}
                           for p in (0.5, 0.75, 0.875, 0.95)],
           "geometric": [{"minority_fraction": f, "max_margin_spurious_share": -effect * 0.1 * np.log(f) + r.normal(0, noise)}
                         for f in (0.5, 0.15, 0.05, 0.01)]}
    norms = pd.DataFrame({"seed": seed, "n": [25, 100, 400], "norm": np.exp(effect * 0.5 * np.log([25, 100, 400])
                                                                            + r.normal(0, noise, 3))})
    run = {"seed": seed, "accuracy": {"control": list(0.9 + r.normal(0, noise, 3)),
                                      "experimental": list(0.9 - effect * 0.3 + r.normal(0, noise, 3))}}
    return toy, norms, run


def claims_of(draws):
    toys, norms, runs = zip(*draws)
    return make_claims(list(toys), pd.concat(norms), list(runs))


def test_claims():
    assert [c["verdict"] for c in claims_of([synthetic(s, 1.0) for s in range(3)])] == [C.REPRODUCED] * 4
    assert [c["verdict"] for c in claims_of([synthetic(s, -1.0) for s in range(3)])] == [C.NOT_REPRODUCED] * 4


def test_claims_do_not_pass_on_noise():
    rng = np.random.default_rng(0)
    wins = np.array([[c["verdict"] == C.REPRODUCED
                      for c in claims_of([synthetic(int(rng.integers(1 << 30)), 0.0) for _ in range(3)])]
                     for _ in range(200)])
    assert (wins.mean(axis=0) <= 0.05).all(), wins.mean(axis=0)
