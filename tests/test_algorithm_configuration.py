import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import cdist

from repro.core import claims as C
from repro.core.erm import erm_gap_curve, loglog_slope
from repro.papers.algorithm_configuration import clustering, maxcut
from repro.papers.algorithm_configuration.claims import make_claims, transfer_loss


def test_sdp_rounding_at_s0_is_goemans_williamson_and_beats_random():
    rng = np.random.default_rng(0)
    W = maxcut.instance("gnp_0.5", 12, rng)
    U, sdp = maxcut.sdp_vectors(W)
    assert np.allclose(np.linalg.norm(U, axis=1), 1)
    u = maxcut.rounding_utility(W, U, np.array([0.0, 1e6]), 200, rng)
    random_cut = W.sum() / 4  # E[cut] of uniform random signs
    assert u[1] == pytest.approx(random_cut, rel=1e-3)  # s → ∞: φ_s ≈ 0, every x_i a fair coin
    assert u[0] > random_cut and u[0] <= sdp + 1e-6
    assert u[0] >= 0.878 * sdp * 0.95  # GW's guarantee, up to projection noise


def test_expected_cut_formula_on_a_triangle():
    W = np.ones((3, 3)) - np.eye(3)
    U = np.array([[1.0, 0], [-1.0, 0], [1.0, 0]])  # x = (+, −, +) for every projection with g_0 > 0
    assert maxcut.rounding_utility(W, U, np.array([0.0]), 10, np.random.default_rng(0))[0] == pytest.approx(2.0)


@pytest.mark.parametrize("alpha, method", [(0.0, "single"), (1.0, "complete")])
def test_alpha_linkage_endpoints_match_scipy(alpha, method):
    X = np.random.default_rng(1).normal(size=(20, 2))
    D = cdist(X, X)
    ours = clustering.prune(D, clustering.alpha_linkage(D, alpha), 2)
    # with k=2 the only pruning is the root's two children: scipy's 2-cluster cut of the same tree
    ref = fcluster(linkage(X, method), 2, "maxclust")
    assert clustering.hamming_error(ours, ref - 1) == 0


def test_pruning_finds_the_best_k_median_partition_of_the_tree():
    X = np.array([[0.0], [0.1], [5.0], [5.1], [10.0], [10.1]])
    D = cdist(X, X)
    labels = clustering.prune(D, clustering.alpha_linkage(D, 0.5), 3)
    assert clustering.hamming_error(labels, np.array([0, 0, 1, 1, 2, 2])) == 0


def test_hamming_error_matches_labels():
    assert clustering.hamming_error(np.array([1, 1, 0, 0]), np.array([0, 0, 1, 1])) == 0
    assert clustering.hamming_error(np.array([0, 0, 0, 1]), np.array([0, 0, 1, 1])) == 0.25


def test_erm_gap_shrinks_for_iid_noise():
    rng = np.random.default_rng(0)
    pool, test = rng.normal(size=(2000, 5)), rng.normal(size=(20000, 5))
    curve = erm_gap_curve(pool, test, [4, 16, 64, 256], 40, rng)
    means = pd.DataFrame(curve).groupby("m").gap.mean()
    assert loglog_slope(means.index.tolist(), means.tolist()) == pytest.approx(-0.5, abs=0.15)


def test_transfer_loss():
    curves = pd.DataFrame({"family": ["a"] * 2 + ["b"] * 2, "param": [0, 1, 0, 1], "utility": [1.0, 0.5, 0.6, 0.9]})
    # a's best (param 0) loses 0.3 on b; b's best (param 1) loses 0.5 on a: the larger is reported
    assert transfer_loss(curves) == pytest.approx(0.5)
    # parameters chosen on the training curves: both families pick param 0 there, so nothing is lost
    train = curves.assign(utility=[1.0, 0.5, 0.9, 0.6])
    assert transfer_loss(curves, train) == pytest.approx(0.0)


def synthetic(rng, gap_scale, transfer, n_trees_growth, seeds=3, repeats=20):
    """Curves of two families per problem (best parameters apart by `transfer`), ERM gaps ∝ gap_scale(m)
    with noise, and merge-tree counts growing by n_trees_growth from n=8 to n=64."""
    grid = np.linspace(0, 1, 11)
    curves = []
    for seed in range(seeds):
        for split in ("train", "test"):
            for fam, centre in [("a", 0.2), ("b", 0.2 + transfer)]:
                u = 1 - (grid - centre) ** 2 + rng.normal(0, 0.002, len(grid))
                curves += [{"problem": "p", "family": fam, "seed": seed, "split": split, "param": g, "utility": v}
                           for g, v in zip(grid, u)]
    gaps = pd.DataFrame([{"problem": "p", "family": "a", "seed": s, "m": m, "gap": abs(rng.normal(0, gap_scale(m)))}
                         for s in range(seeds) for m in (2, 4, 8, 16) for _ in range(repeats)])
    trees = pd.DataFrame([{"n": n, "instance": i, "trees": 3 + (n_trees_growth if n == 64 else 0) + rng.integers(0, 3)}
                          for n in (8, 64) for i in range(3)])
    return pd.DataFrame(curves), gaps, trees


def test_claims_clear_effect_and_no_effect():
    rng = np.random.default_rng(0)
    clear = make_claims(*synthetic(rng, lambda m: 0.1 / np.sqrt(m), 0.6, 40))
    assert [c["verdict"] for c in clear] == [C.ILLUSTRATED] * 3
    assert "pooled slope" in clear[1]["note"]
    # no effect: the same best parameter, a gap that does not depend on m, no growth of the tree count
    for k in range(10):
        flat = make_claims(*synthetic(np.random.default_rng(k), lambda m: 0.05, 0.0, 0))
        assert all(c["verdict"] != C.ILLUSTRATED for c in flat), [c["verdict"] for c in flat]
    # a gap that grows with m contradicts the claim
    grows = make_claims(*synthetic(rng, lambda m: 0.01 * m, 0.6, 40))
    assert grows[1]["verdict"] == C.NOT_REPRODUCED


def test_gap_slope_bootstrap_is_null_calibrated():
    wins = [make_claims(*synthetic(np.random.default_rng(k), lambda m: 0.05, 0.0, 0))[1]["verdict"] == C.ILLUSTRATED
            for k in range(100)]
    assert np.mean(wins) <= 0.05


def test_illustration_verdict():
    assert C.illustration(C.Check(C.REPRODUCED, "t")).verdict == C.ILLUSTRATED
    assert C.illustration(C.Check(C.INCONCLUSIVE, "t")).verdict == C.INCONCLUSIVE
