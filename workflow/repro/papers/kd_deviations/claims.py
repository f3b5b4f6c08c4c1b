"""Claims of kd_deviations (Nagarajan, Menon, Bhojanapalli, Mobahi & Kumar, NeurIPS 2023), tested on
the linear experiment's matched-progress records and the image experiment's slopes (one row per seed ×
split: the least-squares slope of the student's top-class logit on the teacher's, with a bootstrap
interval over points, and both models' accuracies).

Units: the image claim is about what distillation does in training, so its unit is the seed (t-test
over seeds of the per-seed slope). The linear claim is exact gradient-descent arithmetic: the fraction
of each eigendirection learned depends only on the eigenvalues, the step size and the step counts,
not on the seed's w* or basis, so it is the same number in every seed, an illustration of the theorem
rather than a measurement."""
from __future__ import annotations

import numpy as np
import pandas as pd

from repro.core import claims as C

# ---- thresholds ---------------------------------------------------------------------------------
# "Exaggerates the teacher's confidence": slope of φ_S on φ_T above 1 (1 = the student copies the
# teacher's confidence); the paper's finding is slope > 1 on test points in all 18 image settings.
SLOPE = 1.0
# Matched progress is read between 5% and 95% mean fraction learned (at the ends both models have
# learned nothing or everything, and the ratio is 0/0 or 1).
PROGRESS = (0.05, 0.95)

CONFIDENCE_NOTE = (
    "φ = z_c − logsumexp_{j≠c} z_j for the teacher's top class c (the logit of p(c), from the logits, no "
    "clipping). Self-distillation of a small CNN on digits with clean labels, weight decay and shift "
    "augmentation, the teacher queried on the student's augmented batch, matched epochs. The control is a "
    "one-hot model of another seed regressed on the teacher the same way: its slope is where 'no "
    "exaggeration' sits once regression dilution is accounted for. The paper's settings are CIFAR/ImageNet "
    "ResNets whose teachers are far from saturated; digits teachers are near-certain on most points.")

SPECS = {
    "student_exaggerates_confidence": C.Spec(
        "student_exaggerates_confidence",
        "The student exaggerates the teacher's confidence on test points: the slope of the student's "
        "top-class logit on the teacher's exceeds 1. (On training points the paper finds it in 13/18 "
        "settings only; we report the train slope without testing it.)",
        "slope > 1 on test data in all 18 image settings (13/18 on train)",
        "abstract; the image experiments (scatter plots of teacher vs student top-class logit, counted over "
        "18 image settings)",
        f"mean over seeds of the test-point slope > {SLOPE} (t-test over seeds) AND test-point slope of the "
        "student − that of the control (a one-hot model of another seed regressed on the teacher the same way) "
        "> 0 (paired t-test over seeds): exaggeration beyond what an independent retrain shows"),
    "exaggerated_implicit_bias": C.Spec(
        "exaggerated_implicit_bias",
        "In linear regression by gradient descent, distillation converges faster along the top "
        "eigendirections than training on the labels: at matched overall progress, its top/bottom ratio "
        "of fraction learned is larger.",
        "theorem (no number): KD exaggerates GD's bias to top eigendirections",
        "abstract; the theory of distillation in linear regression by gradient descent",
        "exact GD arithmetic: median over matched steps of log(top/bottom) distilled − log(top/bottom) "
        "one-hot > 0 (an illustration of the theorem: no noise to clear)"),
}


def _compression(test: pd.DataFrame) -> str:
    """Where the slope is below 1: how the student's confidence compares with the teacher's, in numbers."""
    if "student_mean_phi" not in test or test.slope.mean() >= SLOPE:
        return ""
    return (f" Why below 1: the student compresses the teacher's confidence rather than exaggerating it (mean test "
            f"φ teacher {test.teacher_mean_phi.mean():.2f}, student {test.student_mean_phi.mean():.2f}; slope "
            f"{test.slope.mean():.2f} against the control's {test.control_slope.mean():.2f}), with the teacher "
            "near-certain on most digits (φ ≈ 10, p ≈ 0.99995), unlike the paper's CIFAR/ImageNet teachers.")


def make_claims(matched: pd.DataFrame, slopes: pd.DataFrame) -> list[dict]:
    mid = matched[(matched.progress > PROGRESS[0]) & (matched.progress < PROGRESS[1])]
    bias = lambda top, bottom: np.log(top / bottom)  # noqa: E731
    gain = [float(np.median(bias(g.student_top, g.student_bottom) - bias(g.ordinary_top, g.ordinary_bottom)))
            for _, g in mid.sort_values("seed").groupby("seed")]
    test, train = (slopes[slopes.split == s].sort_values("seed") for s in ("test", "train"))
    if gain:
        spread = max(gain) - min(gain)
        bias_check = C.exact("median log-ratio gain of (top/bottom) > 0", all(g > 0 for g in gain), float(np.mean(gain)))
        bias_note = (f"Exact arithmetic: identical in every seed (spread {spread:.1e}), so the seeds are not "
                     "replications.")
    else:
        bias_check, bias_note = C.inconclusive("no step with matched progress between 5% and 95%"), ""
    return [
        C.claim(SPECS["student_exaggerates_confidence"],
                measured={"test slope": test.slope.tolist(), "test slope 95% low": test.ci_low.tolist(),
                          "control test slope (one-hot retrain on the teacher)": test.control_slope.tolist(),
                          "train slope (reported, not tested)": train.slope.tolist(),
                          "train slope 95% low": train.ci_low.tolist(),
                          "control train slope": train.control_slope.tolist(),
                          "teacher test accuracy": test.teacher_accuracy.tolist(),
                          "student test accuracy": test.student_accuracy.tolist(),
                          "control test accuracy": test.control_accuracy.tolist()},
                check=C.all_of(
                    C.mean_greater("test-point slope of φ_S on φ_T", test.slope.tolist(), SLOPE),
                    C.paired_greater("test-point slope, student − control", test.slope.tolist(),
                                     test.control_slope.tolist(), 0.0)),
                note=CONFIDENCE_NOTE + _compression(test)),
        C.claim(SPECS["exaggerated_implicit_bias"],
                measured={"median log-ratio gain of (top/bottom) for the distilled model": gain} if gain else {},
                check=bias_check, note=bias_note),
    ]
