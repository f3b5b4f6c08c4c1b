"""Claims of creativity (Nagarajan, Wu et al., 2025): the paper's statements, our tests and their
thresholds (top), and `make_claims` over the per-(task, arm, temperature, seed) score rows render builds.

Unit of replication: the training seed (each arm is trained once per seed on the same data), so every
test is a paired t-test over seeds."""
from __future__ import annotations

import pandas as pd

from repro.core import claims as C

# ---- thresholds, each with where it comes from ---------------------------------------------------
# "teacherless and diffusion give higher creativity than NTP": plain A > B, margin 0.
CREATIVITY_MARGIN = 0.0
# "seed-conditioning works as well as temperature sampling (and in some conditions better)": a
# non-inferiority test, hash-greedy ≥ best no-hash temperature − 0.02. 0.02 is about one binomial
# standard error of one run's creativity on the 500 test prompts (√(0.3 · 0.7 / 500) ≈ 0.02): a deficit
# below that is below the resolution of a single run. The reference is the best of the temperatures per
# seed, a maximum over noisy runs that favours temperature sampling (so the test is, if anything, strict).
AS_GOOD_TOL = 0.02
# An arm whose validity (share of answers that satisfy the task) is below NTP's / 2 has not learned the
# task; its creativity comparison is then inconclusive. Set with the check, before any run was judged by it.
LEARNED_VALIDITY = 2.0

SPECS = {s.id: s for s in [
    C.Spec("multi_token_more_creative",
           "Teacherless training and masked diffusion give higher creativity than next-token prediction, on every "
           "task.",
           "higher creativity and lower memorisation for teacherless and diffusion on all four tasks (figures)",
           "the creativity figures for sibling, triangle, circle and line discovery (per-task bars)",
           "per task and per multi-token arm: mean (arm − NTP) creativity > 0, paired by seed (paired t-test); all of "
           "them"),
    C.Spec("seed_conditioning_creative",
           "Seed-conditioning (a random hash prefix, greedy decoding) is as creative as temperature sampling without a "
           f"hash (at its best temperature), or more (non-inferiority margin {AS_GOOD_TOL}).",
           "hash-conditioning with greedy decoding ≥ temperature sampling (figures); 'as well as (and in some "
           "conditions, better than) temperature sampling'",
           "abstract; the seed-conditioning figures (hash × decoding)",
           f"per task: mean (hash greedy − best no-hash temperature) creativity > −{AS_GOOD_TOL}, paired by seed "
           "(paired t-test); all tasks"),
]}


def make_claims(rows: pd.DataFrame) -> list[dict]:
    """rows: task, arm (ntp, teacherless, diffusion, ntp_nohash), temperature, seed, creativity,
    memorisation, validity."""
    hashed = rows[(rows.arm != "ntp_nohash") & (rows.temperature == 0)]  # each hash arm's greedy (or sampled diffusion) run
    pivot = hashed.pivot_table(index=["task", "seed"], columns="arm", values="creativity").sort_index()
    validity = hashed.pivot_table(index=["task", "seed"], columns="arm", values="validity").sort_index()
    best_temp = rows[rows.arm == "ntp_nohash"].groupby(["task", "seed"]).creativity.max().sort_index()
    hash_temp = rows[(rows.arm == "ntp") & (rows.temperature > 0)].groupby(["task", "seed"]).creativity.max().sort_index()
    tasks = sorted(set(rows.task))
    arms = [a for a in ("teacherless", "diffusion") if a in pivot.columns]

    measured, checks, low_validity = {}, [], []
    for task in tasks:
        p, v = pivot.loc[task], validity.loc[task]
        measured[f"{task}: NTP creativity"] = p["ntp"].tolist()
        for arm in arms:
            measured[f"{task}: {arm} creativity"] = p[arm].tolist()
            measured[f"{task}: {arm} validity"] = v[arm].tolist()
            name = f"{task}: {arm} − NTP creativity"
            if v[arm].mean() < v["ntp"].mean() / LEARNED_VALIDITY:
                # creativity counts only valid answers, so an arm that has not learned the task scores low
                # whatever its objective: no evidence either way (as ntp_pitfalls' teacherless guard)
                low_validity.append(f"{task} {arm} ({v[arm].mean():.2f} vs NTP {v['ntp'].mean():.2f})")
                checks.append(C.inconclusive(f"{name}: the arm has not learned the task (validity "
                                             f"{v[arm].mean():.2f} < NTP's {v['ntp'].mean():.2f} / {LEARNED_VALIDITY:g})"))
            else:
                checks.append(C.paired_greater(name, p[arm].tolist(), p["ntp"].tolist(), CREATIVITY_MARGIN))
    check1 = C.all_of(*checks) if checks else C.inconclusive("no teacherless or diffusion arm was run")
    note1 = (f"Validity below half of NTP's: {', '.join(low_validity)}. Such an arm has not learned the task's "
             "relations, so its low creativity reflects under-training rather than the objective: its comparison is "
             "inconclusive, not evidence against the claim." if low_validity else "")

    seed_measured, seed_checks = {}, []
    for task in tasks:
        ntp, best = pivot.loc[task]["ntp"].tolist(), best_temp.loc[task].tolist()
        seed_measured[f"{task}: NTP + hash greedy creativity"] = ntp
        seed_measured[f"{task}: best temperature, no hash"] = best
        if task in hash_temp.index.get_level_values("task"):
            seed_measured[f"{task}: best temperature, NTP + hash"] = hash_temp.loc[task].tolist()
        seed_checks.append(C.paired_greater(f"{task}: hash greedy − best no-hash temperature creativity", ntp, best,
                                            -AS_GOOD_TOL))
    check2 = C.all_of(*seed_checks) if seed_checks else C.inconclusive("no task was run")

    return [
        C.claim(SPECS["multi_token_more_creative"], measured=measured, check=check1, note=note1),
        C.claim(SPECS["seed_conditioning_creative"], measured=seed_measured, check=check2,
                note="The test compares hash + greedy with no-hash temperature sampling (the claim). The NTP + hash "
                     "model decoded at the same temperatures (the rest of the paper's hash × decoding grid) is "
                     "reported beside it." if not hash_temp.empty else
                     "The paper contrasts hash × decoding; this run has no hash + temperature decoding, so the "
                     "comparison is hash-greedy against no-hash temperature sampling only."),
    ]
