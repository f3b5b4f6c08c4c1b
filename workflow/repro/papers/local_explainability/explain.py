"""Local linear explanations fit on finite training data, and mirrored neighbourhood fidelity:

MNF(P) = E_{x∈P} E_{x'~N(x, σ²I)} (g_{x'}(x) − f(x))², where g_{x'} is the weighted least-squares
linear fit of f on the *training* points with weights N(x_i; x', σ²I) — the explanation is fit at
the neighbour x' and judged at the real point x. ρ_S = ∫ sqrt(mean_{x∈S} p_{N_x}(x')²) dx' measures
how disjoint the neighbourhoods of S are; its growth exponent in |S| falls from 1/2 towards 0 as
σ grows (the paper's Theorems 1 and 2)."""
from __future__ import annotations

import warnings

import numpy as np
from scipy.special import logsumexp
from scipy.stats import spearmanr
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from repro.core.io import write_json


def standardised_diabetes() -> tuple[np.ndarray, np.ndarray]:
    d = load_diabetes()
    X = (d.data - d.data.mean(0)) / d.data.std(0)
    return X, (d.target - d.target.mean()) / d.target.std()


def mnf(f_train: np.ndarray, X_train: np.ndarray, X: np.ndarray, f_X: np.ndarray, sigma: float, samples: int,
        ridge: float, rng: np.random.Generator) -> float:
    """Mirrored neighbourhood fidelity of the local linear explainer at the points X."""
    src = np.repeat(X, samples, axis=0) + sigma * rng.standard_normal((len(X) * samples, X.shape[1]))
    logw = -((src[:, None, :] - X_train[None]) ** 2).sum(-1) / (2 * sigma ** 2)
    w = np.exp(logw - logw.max(1, keepdims=True))                       # (sources, train)
    A = np.column_stack([X_train, np.ones(len(X_train))])
    AtWA = np.einsum("si,ij,ik->sjk", w, A, A) + ridge * np.eye(A.shape[1])
    AtWf = np.einsum("si,ij,i->sj", w, A, f_train)
    coef = np.linalg.solve(AtWA, AtWf[..., None])[..., 0]               # g_{x'} for each source x'
    targets = np.column_stack([np.repeat(X, samples, axis=0), np.ones(len(src))])
    return float(np.mean(((targets * coef).sum(1) - np.repeat(f_X, samples)) ** 2))


def rho(S: np.ndarray, sigma: float, samples: int, rng: np.random.Generator) -> float:
    """ρ_S by importance sampling from the mixture q = mean_x N(x, σ²I) (all in log space)."""
    d = S.shape[1]
    z = S[rng.integers(len(S), size=samples)] + sigma * rng.standard_normal((samples, d))
    log_p = -((z[:, None, :] - S[None]) ** 2).sum(-1) / (2 * sigma ** 2) - d / 2 * np.log(2 * np.pi * sigma ** 2)
    log_q = logsumexp(log_p, axis=1) - np.log(len(S))
    log_root_mean_sq = 0.5 * (logsumexp(2 * log_p, axis=1) - np.log(len(S)))
    return float(np.mean(np.exp(log_root_mean_sq - log_q)))


def explain(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    rng = np.random.default_rng(p["seed"])
    X, y = standardised_diabetes()
    order = rng.permutation(len(y))
    n_train = int(p["train_share"] * len(y))
    tr, te = order[:n_train], order[n_train:]
    models = []
    for hidden in p["hidden_sizes"]:
        for alpha in p["weight_decays"]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                net = MLPRegressor(hidden_layer_sizes=(hidden, hidden), alpha=alpha, max_iter=p["max_iter"], random_state=p["seed"]).fit(X[tr], y[tr])
            f_tr, f_te = net.predict(X[tr]), net.predict(X[te])
            row = {"hidden": hidden, "weight_decay": alpha, "train_mse": float(np.mean((f_tr - y[tr]) ** 2)),
                   "test_mse": float(np.mean((f_te - y[te]) ** 2))}
            row["gap"] = row["test_mse"] - row["train_mse"]
            row["mnf"] = {str(s): {"train": mnf(f_tr, X[tr], X[tr], f_tr, s, p["neighbours"], p["ridge"], rng),
                                   "test": mnf(f_tr, X[tr], X[te], f_te, s, p["neighbours"], p["ridge"], rng)}
                          for s in p["sigmas"]}
            models.append(row)
    rho_rows = [{"sigma": s, "n": n, "rho": rho(X[tr][:n], s, p["rho_samples"], rng)}
                for s in p["sigmas"] for n in p["rho_sizes"]]
    gaps = [m["gap"] for m in models]
    focus = str(p["sigma_focus"])
    corr = spearmanr([m["mnf"][focus]["train"] for m in models], gaps).statistic
    write_json(outputs["result"], {"seed": p["seed"], "models": models, "rho": rho_rows, "sigma_focus": p["sigma_focus"],
                                   "spearman_gap_vs_train_mnf": float(corr)})
