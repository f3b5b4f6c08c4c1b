import json

import numpy as np
import pandas as pd
import pytest

from repro.core import claims as C
from repro.papers.ntp_pitfalls.render import forced_after_first_hop, make_claims


N_NULL = 400  # null draws per test: the observed rate of `reproduced` must stay ≤ 5%


def rate(draw, n=N_NULL, seed=0):
    """Share of n draws whose check says reproduced; draw(rng) -> Check."""
    rng = np.random.default_rng(seed)
    return float(np.mean([draw(rng).verdict == C.REPRODUCED for _ in range(n)]))


# ---- null calibration: no effect -> `reproduced` in at most 5% of draws; clear effect -> reproduced

@pytest.mark.parametrize("n", [2, 3, 5, 10])
def test_mean_greater_null_and_power(n):
    assert rate(lambda r: C.mean_greater("x", r.normal(0.5, 0.1, n), 0.5)) <= 0.05
    assert rate(lambda r: C.mean_less("x", r.normal(0.5, 0.1, n), 0.5)) <= 0.05
    assert rate(lambda r: C.mean_greater("x", r.standard_exponential(n) - 1.0, 0.0)) <= 0.05  # skewed noise
    if n >= 3:
        assert C.mean_greater("x", [0.9, 0.95, 0.92][:n] + [0.91] * (n - 3), 0.5).verdict == C.REPRODUCED
        assert C.mean_less("x", [0.9, 0.95, 0.92][:n] + [0.91] * (n - 3), 0.5).verdict == C.NOT_REPRODUCED


def test_mean_greater_discrete_null():
    # accuracies on few test points: values tie often; a tie must not pass
    assert rate(lambda r: C.mean_greater("acc", r.binomial(20, 0.5, 3) / 20, 0.5)) <= 0.05
    assert C.mean_greater("x", [0.5, 0.5, 0.5], 0.5).verdict == C.INCONCLUSIVE  # exact tie, zero spread
    assert C.mean_greater("x", [0.5 + 1e-15] * 3, 0.5).verdict == C.INCONCLUSIVE  # last-bit noise
    assert C.mean_greater("x", [0.7, 0.7, 0.7], 0.5).verdict == C.REPRODUCED   # deterministic, clear
    assert C.mean_greater("x", [0.9], 0.5).verdict == C.INCONCLUSIVE          # one seed: no noise estimate


def test_grid_valued_statistics_carry_their_rounding_noise():
    # a statistic read off a 0.05 grid: three seeds one grid step apart is not a certain effect
    assert C.mean_greater("drop", [0.05, 0.05, 0.05], 0.0).verdict == C.REPRODUCED
    assert C.mean_greater("drop", [0.05, 0.05, 0.05], 0.0, resolution=0.1).verdict == C.INCONCLUSIVE
    assert C.mean_greater("drop", [0.3, 0.35, 0.3], 0.0, resolution=0.05).verdict == C.REPRODUCED
    def null(r):  # true effect 0, measured on a 0.05 grid
        return C.paired_greater("d", np.round(r.normal(0.5, 0.02, 3) / 0.05) * 0.05,
                                np.round(r.normal(0.5, 0.02, 3) / 0.05) * 0.05, resolution=0.05)
    assert rate(null) <= 0.05


def test_paired_greater_null_and_power():
    def null(r):
        base = r.normal(0.6, 0.2, 3)  # seed effects shared by both arms
        return C.paired_greater("d", base + r.normal(0, 0.05, 3), base + r.normal(0, 0.05, 3))
    assert rate(null) <= 0.05
    assert C.paired_greater("d", [0.9, 0.8, 0.85], [0.5, 0.45, 0.5]).verdict == C.REPRODUCED
    assert C.paired_greater("d", [0.5, 0.9, 0.5], [0.5, 0.5, 0.5], 0.05).verdict == C.INCONCLUSIVE
    with pytest.raises(ValueError):
        C.paired_greater("d", [0.5], [0.5, 0.5])


def test_mean_within_null_and_power():
    # null for equivalence: the true mean sits on the edge of the band
    assert rate(lambda r: C.mean_within("x", r.normal(0.6, 0.02, 3), 0.5, 0.1)) <= 0.05
    assert rate(lambda r: C.mean_within("x", r.normal(0.4, 0.05, 5), 0.5, 0.1)) <= 0.05
    assert C.mean_within("x", [0.49, 0.5, 0.51], 0.5, 0.1).verdict == C.REPRODUCED
    assert C.mean_within("x", [0.9, 0.95, 0.92], 0.5, 0.1).verdict == C.NOT_REPRODUCED


@pytest.mark.parametrize("n", [10, 50, 500])
def test_bootstrap_null_and_power(n):
    assert rate(lambda r: C.bootstrap_greater("x", r.normal(0, 1, n), 0.0), n=300) <= 0.05
    assert rate(lambda r: C.bootstrap_greater("x", r.binomial(1, 0.3, n) - 0.3, 0.0), n=300) <= 0.05
    assert rate(lambda r: C.paired_bootstrap_greater("g", r.binomial(1, 0.5, n), r.binomial(1, 0.5, n)), n=300) <= 0.05
    assert C.bootstrap_greater("x", np.linspace(0.5, 1.5, n), 0.0).verdict == C.REPRODUCED
    assert C.bootstrap_greater("x", np.linspace(0.5, 1.5, n), 0.0, less=True).verdict == C.NOT_REPRODUCED


def test_bootstrap_custom_statistic_and_small_n():
    med = lambda x: np.median(x, axis=1)  # noqa: E731
    assert rate(lambda r: C.bootstrap_greater("med", r.normal(0, 1, 60), 0.0, statistic=med), n=200) <= 0.05
    with pytest.raises(ValueError, match="t-test"):
        C.bootstrap_greater("x", [1.0, 2.0, 3.0], 0.0)


def test_permutation_null_and_power():
    assert rate(lambda r: C.permutation_greater("d", r.normal(0, 1, 5), r.normal(0, 1, 5)), n=300) <= 0.05
    assert rate(lambda r: C.permutation_greater("d", r.normal(0, 1, 40), r.normal(0, 1, 40)), n=200) <= 0.05
    assert C.permutation_greater("d", [1.0, 1.1, 1.2, 1.3, 1.4], [0.0, 0.1, 0.2, 0.1, 0.0]).verdict == C.REPRODUCED
    # 3 vs 3 has 20 splits: p ≥ 1/20 > 0.025, so it can never pass, honestly
    assert C.permutation_greater("d", [9.0, 9.0, 9.1], [0.0, 0.1, 0.2]).verdict == C.INCONCLUSIVE


def test_combinations_keep_their_level():
    # any_of over k independent nulls: Bonferroni keeps the family at ≤ 5%
    def any_null(r):
        return C.any_of(*[C.mean_greater("x", r.normal(0, 1, 3), 0.0) for _ in range(4)])
    assert rate(any_null) <= 0.05
    def all_null(r):
        return C.all_of(C.mean_greater("x", r.normal(1, 0.1, 3), 0.0), C.mean_greater("y", r.normal(0, 1, 3), 0.0))
    assert rate(all_null) <= 0.05
    r_ = C.mean_greater("x", [0.9, 0.95, 0.92], 0.5)
    n_ = C.mean_greater("x", [0.1, 0.15, 0.12], 0.5)
    i_ = C.mean_greater("x", [0.9, 0.1, 0.5], 0.5)
    assert C.all_of(r_, r_).verdict == C.REPRODUCED and C.all_of(r_, i_).verdict == C.INCONCLUSIVE
    assert C.all_of(r_, n_, i_).verdict == C.NOT_REPRODUCED
    assert C.any_of(n_, r_).verdict == C.REPRODUCED and C.any_of(n_, n_).verdict == C.NOT_REPRODUCED
    assert C.any_of(n_, i_).verdict == C.INCONCLUSIVE
    ex = C.exact("arithmetic", True, 0.86)
    assert ex.verdict == C.ILLUSTRATED and C.all_of(ex, r_).verdict == C.ILLUSTRATED
    assert C.exact("arithmetic", False).verdict == C.NOT_REPRODUCED
    assert C.illustration(r_).verdict == C.ILLUSTRATED


def test_non_finite_values_are_an_error():
    with pytest.raises(ValueError, match="non-finite"):
        C.mean_greater("x", [0.5, float("nan"), 0.6], 0.0)


def test_summary_and_writer(tmp_path):
    s = C.summary([1.0, 2.0, 3.0])
    assert s["mean"] == 2.0 and s["std"] == pytest.approx(1.0) and s["n"] == 3
    spec = C.Spec("c", "statement", "0.9", "Table 1", "mean m > 0.5 (t-test over seeds)")
    c = C.claim(spec, measured={"m": [1.0, 2.0, 1.5]}, check=C.mean_greater("m", [1.0, 2.0, 1.5], 0.5))
    C.write_claims(tmp_path / "claims.json", "paper", "title", "mini", [c])
    doc = json.loads((tmp_path / "claims.json").read_text())
    got = doc["claims"][0]
    assert got["measured"]["m"]["values"] == [1.0, 2.0, 1.5] and got["paper_source"] == "Table 1"
    assert got["test"]["n"] == 3 and got["test"]["ci95"][0] < 1.5 < got["test"]["ci95"][1]
    assert got["test"]["planned"].startswith("mean m") and got["verdict"] == got["test"]["verdict"]
    assert "[" in C.headline(got["test"])
    with pytest.raises(ValueError, match="unknown verdict"):
        C.write_claims(tmp_path / "bad.json", "p", "t", "mini", [c | {"verdict": "yes"}])


def test_forced_accuracy_after_the_first_hop_excludes_copies():
    assert forced_after_first_hop([1.0, 0.5, 0.9, 1.0], 4) == 0.9
    assert forced_after_first_hop([1.0, 0.5, 0.8, 0.6, 1.0], 5) == pytest.approx(0.7)
    assert forced_after_first_hop([1.0, 0.5, 1.0], 3) != forced_after_first_hop([1.0, 0.5, 1.0], 3)  # NaN


def metrics(arm, seed, full, forced, graph="g", path_len=4):
    return {"graph": graph, "arm": arm, "seed": seed, "path_len": path_len, "chance": 0.5,
            "full_path_accuracy": full, "forced_after_hop1": forced}


def test_ntp_claims_from_metrics():
    noise = (0.01, -0.01, 0.0)
    df = pd.DataFrame([metrics("ntp", s, 0.5 + e, 0.99) for s, e in enumerate(noise)]
                      + [metrics("reverse", s, 0.97 + e, 1.0) for s, e in enumerate(noise)]
                      + [metrics("teacherless", s, 0.9 + e / 2, 0.9) for s, e in enumerate(noise)])
    assert {c["id"]: c["verdict"] for c in make_claims(df)} == {
        "ntp_clever_hans": C.REPRODUCED, "reverse_learned": C.REPRODUCED, "teacherless_beats_ntp": C.REPRODUCED}
    off = df.copy()
    off.loc[off.arm == "ntp", "forced_after_hop1"] = 0.4  # no Clever-Hans signature: claim fails
    assert make_claims(off)[0]["verdict"] == C.NOT_REPRODUCED
    off = df.copy()
    off.loc[off.arm == "ntp", "full_path_accuracy"] += 0.25  # first hop partly solved: not ≈ 1/deg
    assert make_claims(off)[0]["verdict"] == C.NOT_REPRODUCED
    assert make_claims(df[df.arm != "reverse"])[1]["verdict"] == C.INCONCLUSIVE
    # teacherless that learned nothing (below 1/deg in every seed) cannot show the claim either way
    unfit = df.copy()
    unfit.loc[unfit.arm == "teacherless", "full_path_accuracy"] = [0.0, 0.002, 0.0]
    tl = make_claims(unfit)[2]
    assert tl["verdict"] == C.INCONCLUSIVE and "did not learn" in json.dumps(tl, ensure_ascii=False)
    # teacherless that learned (above 1/deg) but is worse than NTP is not reproduced
    worse = df.copy()
    worse.loc[worse.arm == "ntp", "full_path_accuracy"] = [0.8, 0.81, 0.79]
    worse.loc[worse.arm == "teacherless", "full_path_accuracy"] = [0.6, 0.61, 0.59]
    assert make_claims(worse)[2]["verdict"] == C.NOT_REPRODUCED
    # no effect: teacherless and NTP from the same distribution on two graphs; the OR over graphs is
    # Bonferroni-corrected, so it passes in at most 5% of draws
    def null(r):
        rows = [metrics(arm, s, 0.5 + r.normal(0, 0.03), 0.99, graph=g) for g in ("g1", "g2") for s in range(3)
                for arm in ("ntp", "teacherless")]
        return C.Check(make_claims(pd.DataFrame(rows))[2]["verdict"], "null")
    assert rate(null, n=150) <= 0.05


def test_ntp_claims_surface_the_train_test_overlap_when_measured():
    df = pd.DataFrame([metrics(arm, s, 0.5 + 0.01 * s, 0.99) for s in range(3) for arm in ("ntp", "teacherless")])
    assert not any("seen in training" in k for c in make_claims(df) for k in c["measured"])  # older metrics: no column
    seen = make_claims(df.assign(train_test_overlap=[0.0, 0.0, 0.0, 0.0, 0.25, 0.0]))
    assert "25.0%" in seen[2]["note"]
    assert seen[2]["measured"]["g teacherless: share of test graphs seen in training"]["values"] == [0.0, 0.0, 0.0]
    clean = make_claims(df.assign(train_test_overlap=0.0))
    assert "no test graph was seen in training" in clean[0]["note"]
