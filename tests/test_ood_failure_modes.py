import numpy as np
import pandas as pd

from repro.core import claims as C
from repro.papers.ood_failure_modes.digits import with_spurious
from repro.papers.ood_failure_modes.render import make_claims
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


def test_claims():
    toy = {"seed": 0, "statistical": [{"majority_share": 0.5, "spurious_share": [0.0, 0.01]},
                                      {"majority_share": 0.9, "spurious_share": [0.5, 0.2]}],
           "geometric": [{"minority_fraction": 0.5, "max_margin_spurious_share": 0.0},
                         {"minority_fraction": 0.01, "max_margin_spurious_share": 0.3}]}
    norms = pd.DataFrame({"seed": [0, 0], "n": [10, 100], "norm": [1.0, 3.0]})
    runs = [{"seed": 0, "accuracy": {"control": [0.9, 0.95], "experimental": [0.5, 0.95]}}]
    assert [c["verdict"] for c in make_claims([toy], norms, runs)] == [C.REPRODUCED] * 4
    runs = [{"seed": 0, "accuracy": {"control": [0.9, 0.95], "experimental": [0.88, 0.95]}}]
    assert make_claims([toy], norms, runs)[3]["verdict"] == C.NOT_REPRODUCED
