import numpy as np
import pandas as pd
from gymnasium.utils.env_checker import check_env

from repro.core import claims as C
from repro.papers.rl_decision_trees.learners import LEARNERS, CountingRow, RLDTAgent
from repro.papers.rl_decision_trees.claims import make_claims
from repro.papers.rl_decision_trees.streams import quantile_bins
from repro.rl.feature_query import FeatureQueryEnv, QLearner, run_rldt

SETTINGS = dict(query_cost=0.05, gamma=1.0, alpha_min=0.0, alpha=0.1, eps_start=1.0, eps_final=0.02, eps_decay=500, grace_period=50,
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
            assert (read_f == 3).all()  # trees read every feature to learn (counted for the Hoeffding trees)


def test_counting_row_records_the_features_looked_at():
    row = CountingRow({"a": 1, "b": 2, "c": 0})
    assert row["a"] == 1 and row.get("b") == 2 and row.read == {"a", "b"}
    assert dict(row) == {"a": 1, "b": 2, "c": 0} and row.read == {"a", "b", "c"}


def test_decaying_step_size_makes_report_values_sample_averages():
    """Stationary stream: alpha = 1 / visits, so Q(report c) is the mean of ±1 outcomes; drifting: constant alpha."""
    p = SETTINGS | {"query_cost": 0.0}
    agent = RLDTAgent(1, 2, p, decay=True, rng=np.random.default_rng(0))
    obs, labels = np.zeros(1, np.int64), [0, 0, 1, 0]
    for label in labels:
        agent.update_report(obs, label)
    assert np.allclose(agent.Q[(0,)][1:], [0.5, -0.5])  # class 0 right 3 of 4 times: (3 − 1) / 4
    const = RLDTAgent(1, 2, p, decay=False, rng=np.random.default_rng(0))
    const.update_report(obs, 0)
    assert np.allclose(const.Q[(0,)][1:], [0.1, -0.1])
    # query update backs up gamma × the best next value
    g = RLDTAgent(1, 2, p | {"gamma": 0.5}, decay=True, rng=np.random.default_rng(0))
    g.Q[(1,)][1:] = [1.0, -1.0]
    g.update_query(obs, 0, np.array([1]))
    assert np.isclose(g.Q[(0,)][0], 0.5)


def test_quantile_bins_keep_few_levels_and_order():
    X = np.column_stack([np.arange(100.0), np.repeat([-1.0, 1.0], 50)])
    B = quantile_bins(X, 3)
    assert set(B[:, 0]) == {0, 1, 2} and np.all(np.diff(B[:, 0]) >= 0)
    assert B[:, 1].tolist() == [0] * 50 + [1] * 50


def runs_frame(rldt_acc, rldt_read=1.0, after_dip=0, noise=0.0, seeds=3):
    """Three learners on one drifting stream with d = 5; rldt_acc, rldt_read: RLDT's test accuracy and features
    read per stream example (plus seed noise of size `noise`); after_dip: errors in the window after the drift."""
    rng = np.random.default_rng(1)
    rows = []
    for seed in range(seeds):
        for learner, acc, read in [("rldt", rldt_acc, rldt_read), ("hoeffding_tree", 0.9, 5.0), ("batch_tree", 0.9, 5.0)]:
            correct = [1] * 100 + [1] * 20 + [0] * after_dip + [1] * (80 - after_dip)  # drift at 100
            e = rng.normal(0, noise) if learner == "rldt" else 0.0
            rows.append(dict(stream="s", seed=seed, d=5, drifts=[100], learner=learner, correct=correct,
                             test_accuracy=acc + e, test_features=1.0, read_features=[read] * 200,
                             stream_features=min(read + e, 5.0)))
    return pd.DataFrame(rows)


def test_claims_follow_the_measurements():
    p = dict(comparable_tolerance=0.05, window=20, recovery_examples=20)
    ok = {c["id"]: c["verdict"] for c in make_claims(runs_frame(0.88, noise=0.01), p)}
    assert ok == {"comparable_accuracy": C.REPRODUCED, "fewer_features": C.REPRODUCED,
                  "recovers_after_drift_s": C.REPRODUCED}
    bad = {c["id"]: c["verdict"] for c in make_claims(runs_frame(0.7, rldt_read=5.0, after_dip=15, noise=0.01), p)}
    assert bad == {"comparable_accuracy": C.NOT_REPRODUCED, "fewer_features": C.INCONCLUSIVE,  # ties the tree's d
                   "recovers_after_drift_s": C.NOT_REPRODUCED}
    # the comparison is against the tree's counted reads, not d: a tree that reads 0.5 features beats RLDT's 1
    fewer = runs_frame(0.88, noise=0.01)
    fewer.loc[fewer.learner == "hoeffding_tree", "stream_features"] = 0.5
    assert {c["id"]: c["verdict"] for c in make_claims(fewer, p)}["fewer_features"] == C.NOT_REPRODUCED


def test_claims_do_not_pass_on_noise():
    """RLDT's accuracy straddles the non-inferiority margin (true mean on it), and it reads all d features:
    neither claim may say reproduced, whatever the seed noise."""
    p = dict(comparable_tolerance=0.05, window=20, recovery_examples=20)
    for noise_seed in range(20):
        runs = runs_frame(0.85, rldt_read=5.0, noise=0.03)
        rng = np.random.default_rng(noise_seed)
        rldt = runs.learner == "rldt"
        runs.loc[rldt, "test_accuracy"] = 0.85 + rng.normal(0, 0.03, rldt.sum())
        verdicts = {c["id"]: c["verdict"] for c in make_claims(runs, p)}
        assert verdicts["fewer_features"] != C.REPRODUCED
    rates = []
    for noise_seed in range(200):
        runs = runs_frame(0.85)
        rldt = runs.learner == "rldt"
        runs.loc[rldt, "test_accuracy"] = 0.85 + np.random.default_rng(noise_seed).normal(0, 0.03, rldt.sum())
        rates.append(make_claims(runs, p)[0]["verdict"] == C.REPRODUCED)
    assert np.mean(rates) <= 0.05
