import json

import pandas as pd
import pytest

from repro.core import claims as C
from repro.papers.ntp_pitfalls.render import forced_after_first_hop, make_claims


def test_per_seed_verdicts():
    assert C.all_above("x", [0.9, 0.95], 0.8).verdict == C.REPRODUCED
    assert C.all_above("x", [0.5, 0.6], 0.8).verdict == C.NOT_REPRODUCED
    assert C.all_above("x", [0.9, 0.6], 0.8).verdict == C.INCONCLUSIVE  # flips with the seed
    assert C.all_within("x", [0.52, 0.45], 0.5, 0.1).verdict == C.REPRODUCED
    assert C.all_within("x", [0.9, 0.95], 0.5, 0.1).verdict == C.NOT_REPRODUCED
    assert C.paired_gain("d", [0.9, 0.8], [0.5, 0.5], 0.05).verdict == C.REPRODUCED
    assert C.paired_gain("d", [0.5, 0.9], [0.5, 0.5], 0.05).verdict == C.INCONCLUSIVE
    with pytest.raises(ValueError):
        C.paired_gain("d", [0.5], [0.5, 0.5], 0.05)


def test_combinations():
    r, n, i = (C.Check(v, "t") for v in (C.REPRODUCED, C.NOT_REPRODUCED, C.INCONCLUSIVE))
    assert C.all_of(r, r).verdict == C.REPRODUCED and C.all_of(r, i).verdict == C.INCONCLUSIVE
    assert C.all_of(r, n, i).verdict == C.NOT_REPRODUCED
    assert C.any_of(n, r).verdict == C.REPRODUCED and C.any_of(n, n).verdict == C.NOT_REPRODUCED
    assert C.any_of(n, i).verdict == C.INCONCLUSIVE


def test_summary_and_writer(tmp_path):
    s = C.summary([1.0, 2.0, 3.0])
    assert s["mean"] == 2.0 and s["std"] == pytest.approx(1.0) and s["n"] == 3
    c = C.claim("c", "s", "p", {"m": [1.0, 2.0]}, C.Check(C.REPRODUCED, "t"))
    C.write_claims(tmp_path / "claims.json", "paper", "title", "mini", [c])
    doc = json.loads((tmp_path / "claims.json").read_text())
    assert doc["claims"][0]["measured"]["m"]["values"] == [1.0, 2.0]
    with pytest.raises(ValueError, match="unknown verdict"):
        C.write_claims(tmp_path / "bad.json", "p", "t", "mini", [c | {"verdict": "yes"}])


def test_forced_accuracy_after_the_first_hop_excludes_copies():
    assert forced_after_first_hop([1.0, 0.5, 0.9, 1.0], 4) == 0.9
    assert forced_after_first_hop([1.0, 0.5, 0.8, 0.6, 1.0], 5) == pytest.approx(0.7)
    assert forced_after_first_hop([1.0, 0.5, 1.0], 3) != forced_after_first_hop([1.0, 0.5, 1.0], 3)  # NaN


def metrics(arm, seed, full, forced):
    return {"graph": "g", "arm": arm, "seed": seed, "path_len": 4, "chance": 0.5,
            "full_path_accuracy": full, "forced_after_hop1": forced}


def test_ntp_claims_from_metrics():
    df = pd.DataFrame([metrics("ntp", s, 0.5 + 0.01 * s, 0.99) for s in range(3)]
                      + [metrics("reverse", s, 0.97, 1.0) for s in range(3)]
                      + [metrics("teacherless", s, 0.5, 0.5) for s in range(3)])
    verdicts = {c["id"]: c["verdict"] for c in make_claims(df)}
    assert verdicts == {"ntp_clever_hans": C.REPRODUCED, "reverse_learned": C.REPRODUCED,
                        "teacherless_beats_ntp": C.NOT_REPRODUCED}
    df.loc[df.arm == "ntp", "forced_after_hop1"] = 0.4  # no Clever-Hans signature: claim fails
    assert make_claims(df)[0]["verdict"] == C.NOT_REPRODUCED
    no_reverse = df[df.arm != "reverse"]
    assert make_claims(no_reverse)[1]["verdict"] == C.INCONCLUSIVE
