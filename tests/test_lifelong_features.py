import numpy as np
import pandas as pd

from repro.core import claims as C
from repro.papers.lifelong_features.learners import TaskStream, all_pairs, monomials, sparse_fit, relative_error
from repro.papers.lifelong_features.render import make_claims

P = dict(n=20, relevant=8, dictionary=5, per_task=2, p_new=0.0, noise=0.0)


def test_tasks_use_the_shared_dictionary_unless_new():
    stream = TaskStream(P, np.random.default_rng(0))
    dictionary = {tuple(p) for p in stream.dictionary}
    for _ in range(20):
        target, _ = stream.task()
        assert {tuple(t) for t in target} <= dictionary
    unrelated = TaskStream(P | {"p_new": 1.0}, np.random.default_rng(0))
    assert any({tuple(t) for t in unrelated.task()[0]} - dictionary for _ in range(20))


def test_sparse_fit_recovers_a_target_from_all_pairs():
    stream = TaskStream(P, np.random.default_rng(1))
    target, coef = stream.task()
    X, y = stream.examples(target, coef, 300)
    fit = sparse_fit(X, y, all_pairs(20), 0.005, 0.3)
    X_test, y_test = stream.examples(target, coef, 200)
    assert relative_error(y_test, fit(X_test)) < 0.01
    assert monomials(X[:1], all_pairs(3)).shape == (1, 3)


def frame(related_life, unrelated_life):
    rows = []
    for setting, life in [("related", related_life), ("unrelated", unrelated_life)]:
        for seed in range(2):
            rows += [{"setting": setting, "seed": seed, "n": 100, "task": t, "lifelong_features": life,
                      "lifelong_error": 0.01, "scratch_error": 0.01} for t in range(4)]
    return pd.DataFrame(rows)


def test_claims_from_feature_counts():
    assert [c["verdict"] for c in make_claims(frame(30.0, 95.0))] == [C.ILLUSTRATED, C.ILLUSTRATED]
    assert [c["verdict"] for c in make_claims(frame(80.0, 95.0))] == [C.NOT_REPRODUCED, C.ILLUSTRATED]
    assert [c["verdict"] for c in make_claims(frame(30.0, 40.0))] == [C.ILLUSTRATED, C.NOT_REPRODUCED]
