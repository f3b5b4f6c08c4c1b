import numpy as np
import pandas as pd
import torch

from repro.core import claims as C
from repro.papers.adversarial_risk.render import make_claims, most_robust
from repro.papers.adversarial_risk.toy import bayes_1d, bayes_2d, errors, pgd, threshold_1d

ISLAND = (-0.55, 0.05)


def test_bayes_classifier_has_zero_error_only_under_the_modified_definition():
    x = np.linspace(-1, 1, 4001)
    f_star = lambda z: bayes_1d(z, ISLAND)  # noqa: E731
    std, adv_std, adv_mod = errors(f_star, f_star, x, np.linspace(-0.1, 0.1, 81))
    assert std == 0 and adv_mod == 0
    # standard definition: points within ε of the boundary at 0 and of the island are "vulnerable"
    assert abs(adv_std - (0.2 + 0.05 + 0.2) / 2) < 0.01


def test_giving_up_the_island_trades_accuracy_for_standard_robustness():
    x = np.linspace(-1, 1, 4001)
    f_star = lambda z: bayes_1d(z, ISLAND)  # noqa: E731
    offsets = np.linspace(-0.1, 0.1, 81)
    keep = errors(lambda z: threshold_1d(z, 0.0, True, ISLAND), f_star, x, offsets)
    drop = errors(lambda z: threshold_1d(z, 0.0, False, ISLAND), f_star, x, offsets)
    assert drop[0] > keep[0] and drop[1] < keep[1]


def test_pgd_stays_in_the_ball_and_increases_the_loss():
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    x = torch.rand(64, 2) * 2 - 1
    y = bayes_2d(x, [-0.5, 0.0], 0.1)
    moved = pgd(model, x, lambda z: y, 0.1, 5, 0.04)
    assert ((moved - x).norm(dim=-1) <= 0.1 + 1e-6).all()
    loss = lambda z: torch.nn.functional.softplus(-y * model(z).squeeze(-1)).mean()  # noqa: E731
    assert loss(moved) > loss(x)


def test_most_robust_prefers_the_accurate_among_ties():
    g = pd.DataFrame({"adv_error_standard": [0.1, 0.1005, 0.3], "std_error": [0.05, 0.01, 0.0]})
    assert most_robust(g, "adv_error_standard").std_error == 0.01


def test_claims():
    fam = pd.DataFrame([{"seed": 0, "eps": 0.1, "bayes": True, "std_error": 0.0, "adv_error_standard": 0.22},
                        {"seed": 0, "eps": 0.1, "bayes": False, "std_error": 0.03, "adv_error_standard": 0.12}])
    regimes = lambda s, a, m: {"standard": {"std_error": s, "adv_error_modified": 0.05},  # noqa: E731
                               "adversarial_standard": {"std_error": a, "adv_error_modified": 0.1},
                               "adversarial_modified": {"std_error": m, "adv_error_modified": 0.03}}
    runs = [{"seed": 0, "regimes": regimes(0.003, 0.013, 0.002)}]
    assert [c["verdict"] for c in make_claims(fam, runs, 0.1)] == [C.REPRODUCED] * 3
    runs = [{"seed": 0, "regimes": regimes(0.003, 0.004, 0.05)}]
    assert [c["verdict"] for c in make_claims(fam, runs, 0.1)][1:] == [C.NOT_REPRODUCED] * 2
