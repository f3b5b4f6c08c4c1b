import numpy as np
import pandas as pd
from gymnasium.utils.env_checker import check_env

from repro.core import claims as C
from repro.papers.rl_decision_trees.learners import LEARNERS
from repro.papers.rl_decision_trees.render import make_claims
from repro.papers.rl_decision_trees.streams import quantile_bins
from repro.rl.feature_query import FeatureQueryEnv, QLearner, run_rldt

SETTINGS = dict(query_cost=0.05, alpha=0.1, eps_start=1.0, eps_final=0.02, eps_decay=500, grace_period=50,
                leaf_prediction="mc", refit_every=100, min_samples_leaf=5, seed=0)


def toy(n, seed=0):
    """Three ternary features; the class is feature 1 == 2 (features 0 and 2 are noise)."""
    X = np.random.default_rng(seed).integers(0, 3, size=(n, 3))
    return X, (X[:, 1] == 2).astype(int)


def test_feature_query_env_passes_the_checker_and_charges_queries():
    X, y = toy(20)
    env = FeatureQueryEnv(X, y, [3, 3, 3], 2, query_cost=0.05)
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(options={"index": 4})
    obs, r, done, _, _ = env.step(1)
    assert r == -0.05 and not done and obs.tolist() == [0, X[4, 1] + 1, 0]
    _, r, done, _, info = env.step(3 + y[4])
    assert done and r == 1.0 and info["label"] == y[4]


def test_q_learning_finds_the_one_relevant_feature():
    X, y = toy(3000)
    agent = QLearner(3, 2, 0.1, 1.0, 0.02, 500, 0.05, np.random.default_rng(0))
    run_rldt(FeatureQueryEnv(X, y, [3, 3, 3], 2, 0.05), agent, learn=True)
    Xt, yt = toy(300, seed=1)
    correct, queried = run_rldt(FeatureQueryEnv(Xt, yt, [3, 3, 3], 2, 0.05), agent, learn=False)
    assert correct.all() and (queried == 1).all()


def test_every_learner_runs_prequentially_and_counts_features():
    X, y = toy(600)
    Xt, yt = toy(100, seed=1)
    s = {"features": ["a", "b", "c"], "n_values": [3, 3, 3], "n_classes": 2}
    for name, learner in LEARNERS.items():
        correct, predict_f, read_f, test_correct, test_f = learner(s, X, y, Xt, yt, SETTINGS)
        assert correct.shape == predict_f.shape == read_f.shape == (600,)
        assert test_correct.mean() > 0.9, name
        assert (test_f <= 3).all() and (predict_f <= read_f).all()
        if name != "rldt":
            assert (read_f == 3).all()  # trees read every feature to learn


def test_quantile_bins_keep_few_levels_and_order():
    X = np.column_stack([np.arange(100.0), np.repeat([-1.0, 1.0], 50)])
    B = quantile_bins(X, 3)
    assert set(B[:, 0]) == {0, 1, 2} and np.all(np.diff(B[:, 0]) >= 0)
    assert B[:, 1].tolist() == [0] * 50 + [1] * 50


def runs_frame(rldt_acc):
    rows = []
    for seed in range(3):
        for learner, acc, feats in [("rldt", rldt_acc, 1.0), ("hoeffding_tree", 0.9, 2.0), ("batch_tree", 0.9, 3.0)]:
            correct = [1] * 100 + [0] * 10 + [1] * 90  # dip after the drift at 100, then recovers
            rows.append(dict(stream="s", seed=seed, d=5, drifts=[100], learner=learner, correct=correct,
                             test_accuracy=acc, test_features=feats, read_features=[feats] * 200,
                             stream_features=feats))
    return pd.DataFrame(rows)


def test_claims_follow_the_measurements():
    p = dict(comparable_tolerance=0.05, window=20, recovery_examples=20)
    ok = {c["id"]: c["verdict"] for c in make_claims(runs_frame(0.88), p)}
    assert ok == {"comparable_accuracy": C.REPRODUCED, "fewer_features": C.REPRODUCED,
                  "recovers_after_drift_s": C.REPRODUCED}
    bad = {c["id"]: c["verdict"] for c in make_claims(runs_frame(0.7), p)}
    assert bad["comparable_accuracy"] == C.NOT_REPRODUCED
