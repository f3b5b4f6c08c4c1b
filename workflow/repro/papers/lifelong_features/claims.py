"""Claims of lifelong_features (Balcan, Blum & Nagarajan, ALT 2017), a theory paper with no experiments:
our task streams illustrate its statements, so a claim that clears its noise is `illustrated` (C.illustration),
and one whose data contradict it is `not reproduced`.

Unit of replication: the seed (one independent stream of tasks: dictionary, targets, examples). Each
seed's number is the mean over the second half of its task stream, when the lifelong learner has had the
first half to learn the shared structure."""
from __future__ import annotations

import pandas as pd

from repro.core import claims as C

LATE_FROM = 0.5  # the second half of the stream: tasks with index ≥ LATE_FROM × last index

# "Far fewer features than a learner from scratch" (PAPERS.md; the paper: feature cost per example close to
# that of predicting with the targets, far below n): lifelong / from-scratch features per example < 1/2. Both
# learners run the same probe-until-validation-passes protocol (learners.learn_task), so the ratio compares
# costs at matched (validation) error.
FEATURE_RATIO_MAX = 0.5
# "At comparable accuracy" (no number): lifelong − from-scratch test error < 0.05 (non-inferiority margin;
# error is MSE / Var y for polynomials, 0/1 error for decision lists, so 0.05 is five points of either).
ERROR_MARGIN = 0.05
# "The gain vanishes when tasks are unrelated" (the paper's lower bounds; no number): the saving
# (1 − lifelong / from-scratch features) must be larger on related than on unrelated tasks (threshold 0),
# and on unrelated tasks it must be near 0: below a tenth of the from-scratch cost (our reading of "vanishes").
# The mechanism the lower bound names: without shared structure the learner must read all n features of as
# many examples as learning from scratch needs, so its probe on unrelated tasks is larger than on related ones.
UNRELATED_SAVING_MAX = 0.1

SPECS = {
    "fewer_features": C.Spec(
        "fewer_features_{family}",
        "{family}: when tasks share structure, a lifelong learner evaluates far fewer features per example than a "
        "learner from scratch, at comparable accuracy.",
        "feature cost close to that of predicting with the targets (theory; no number)",
        "abstract (lifelong learners for decision lists and monomials / polynomials)",
        f"related tasks, second half of the stream: mean over seeds of lifelong / from-scratch features per example "
        f"< {FEATURE_RATIO_MAX} (t-test) AND of lifelong − from-scratch test error < {ERROR_MARGIN} (paired, "
        f"non-inferiority); illustrated when both clear."),
    "gain_vanishes_unrelated": C.Spec(
        "gain_vanishes_unrelated_{family}",
        "{family}: with unrelated tasks the lifelong learner's saving vanishes: it is smaller than on related tasks "
        "and close to 0.",
        "no gain without shared structure (lower bounds)",
        "abstract (lower bounds, tight under some conditions)",
        f"mean over seeds of saving(related) − saving(unrelated) > 0 (paired t-test) AND mean unrelated saving < "
        f"{UNRELATED_SAVING_MAX} (t-test) AND mean probe size (examples with all n features read) unrelated − "
        f"related > 0 (paired t-test); saving = 1 − lifelong / from-scratch features; illustrated when all clear."),
}


def _spec(key: str, family: str) -> C.Spec:
    s = SPECS[key]
    return C.Spec(s.id.format(family=family), s.statement.format(family=family), s.paper_value, s.source, s.test)


def make_claims(df: pd.DataFrame) -> list[dict]:
    """df: one row per (family, setting, seed, task) with n, lifelong_features, scratch_features,
    lifelong_error, scratch_error, lifelong_probe."""
    return [c for family in dict.fromkeys(df.family) for c in family_claims(df[df.family == family], family)]


def family_claims(df: pd.DataFrame, family: str) -> list[dict]:
    late = df[df.task >= LATE_FROM * df.task.max()]
    per_seed = late.groupby(["setting", "seed"]).agg(life=("lifelong_features", "mean"),
                                                    scratch=("scratch_features", "mean"),
                                                    probe=("lifelong_probe", "mean"),
                                                    life_err=("lifelong_error", "mean"),
                                                    scratch_err=("scratch_error", "mean")).reset_index()
    per_seed["ratio"] = per_seed.life / per_seed.scratch  # total feature evaluations, lifelong / from scratch
    get = lambda setting, col: per_seed[per_seed.setting == setting].sort_values("seed")[col].tolist()  # noqa: E731
    settings = set(per_seed.setting)
    if "related" not in settings:
        return [C.claim(_spec("fewer_features", family), check=C.inconclusive("the 'related' setting was not run"))]
    ratio, life_err, scratch_err = get("related", "ratio"), get("related", "life_err"), get("related", "scratch_err")
    check1 = C.all_of(
        C.mean_less("related: lifelong / from-scratch features per example", ratio, FEATURE_RATIO_MAX),
        C.mean_less("related: lifelong − from-scratch test error", [a - b for a, b in zip(life_err, scratch_err)],
                    ERROR_MARGIN))
    claims = [C.claim(_spec("fewer_features", family),
                      measured={"related: features ratio (lifelong / scratch)": ratio,
                                "related: lifelong test error": life_err, "related: from-scratch test error": scratch_err},
                      check=C.illustration(check1))]
    if "unrelated" not in settings:
        claims.append(C.claim(_spec("gain_vanishes_unrelated", family),
                              check=C.inconclusive("the 'unrelated' setting was not run")))
        return claims
    related, unrelated = per_seed[per_seed.setting == "related"], per_seed[per_seed.setting == "unrelated"]
    seeds = sorted(set(related.seed) & set(unrelated.seed))
    saving_rel = (1 - related.set_index("seed").loc[seeds, "ratio"]).tolist()
    saving_unrel = (1 - unrelated.set_index("seed").loc[seeds, "ratio"]).tolist()
    probe_rel = related.set_index("seed").loc[seeds, "probe"].tolist()
    probe_unrel = unrelated.set_index("seed").loc[seeds, "probe"].tolist()
    check2 = C.all_of(C.paired_greater("saving(related) − saving(unrelated)", saving_rel, saving_unrel, 0.0),
                      C.mean_less("unrelated: saving", saving_unrel, UNRELATED_SAVING_MAX),
                      C.paired_greater("probe examples (unrelated − related)", probe_unrel, probe_rel, 0.0))
    claims.append(C.claim(_spec("gain_vanishes_unrelated", family),
                          measured={"related: saving": saving_rel, "unrelated: saving": saving_unrel,
                                    "related: probe examples per task": probe_rel,
                                    "unrelated: probe examples per task": probe_unrel},
                          check=C.illustration(check2),
                          note="Savings are against a from-scratch learner that runs the same probe-until-validation "
                               "protocol, so they compare costs at matched validation error; the lifelong learner "
                               "also pays for reading what it has learned on its identification examples."))
    return claims
