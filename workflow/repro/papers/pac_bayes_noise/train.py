"""Networks of several depths and widths, trained to a margin, and the noise-resilience terms the
paper's bound is built from, measured on the training set and, to see whether they generalize, on
held-out data: hidden-layer norms, layer-to-output Jacobian norms, small pre-activations, margin.

Our instantiation of the bound (constants and log factors dropped, the structure kept): Gaussian
weight noise of scale σ moves the output of layer d by about σ(√fan_in + √fan_out)·‖h_{d−1}‖·J_d,
so the largest σ that keeps the output within γ/2 is σ_out = γ / (2 Σ_d (√fan_in+√fan_out) ‖h_{d−1}‖ J_d),
and the largest that flips no ReLU is σ_pre = min_d preact_d / ‖h_{d−1}‖ (each unit's pre-activation
moves by σ‖h_{d−1}‖). With σ = min(σ_out, σ_pre), the PAC-Bayes bound on the deterministic net is
sqrt((Σ_d ‖W_d − Z_d‖²_F / (2σ²) + ln(2m/δ)) / (m − 1)): no product of spectral norms appears.

Whether the conditions generalize is a statement about most test points, so the norms are also kept
per point (point_norms): per test point, whether its hidden-layer or Jacobian norm exceeds the training
maximum of that layer in any layer, and per layer the test/train ratio of the 99th percentiles; for the
pre-activations, the share of test pre-activations below the training 1% quantile."""
from __future__ import annotations

import math

import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, MLPEnsemble, fit_ensemble, member_data, member_generators,
                               predict, predict_shared)
from repro.nn.measures import bartlett17, error, hidden_norms_and_jacobians, neyshabur18


def noise_resilience_bound(weights, init, terms: dict, margin: float, m: int, delta: float = 0.05) -> dict:
    scale = [math.sqrt(w.shape[1]) + math.sqrt(w.shape[2]) for w in weights]
    spread = sum(s * h * j for s, h, j in zip(scale, terms["hidden"], terms["jacobian"]))
    sigma_out = margin / (2 * spread)
    sigma_pre = torch.stack([p / h for p, h in zip(terms["preact"], terms["hidden"][:len(terms["preact"])])]).amin(0) \
        if terms["preact"] else torch.full_like(sigma_out, float("inf"))
    sigma = torch.minimum(sigma_out, sigma_pre)
    kl = sum(((w - z) ** 2).flatten(1).sum(1) for w, z in zip(weights, init)) / (2 * sigma**2)
    return {"bound": torch.sqrt((kl + math.log(2 * m / delta)) / (m - 1)), "sigma_out": sigma_out, "sigma_pre": sigma_pre}


def point_norms(weights: list[torch.Tensor], x: torch.Tensor) -> dict:
    """Per-point noise-resilience terms on x [K, N, d]: hidden[l] ‖h_l(x)‖ (l ≥ 1) and jacobian[l]
    ‖∂f/∂h_l‖₂, each [K, N] per layer. hidden_norms_and_jacobians reduces over its points, so it is
    called on one point at a time."""
    per = [hidden_norms_and_jacobians(weights, x[:, i:i + 1]) for i in range(x.shape[1])]
    layers = lambda key, skip=0: [torch.stack([t[key][l] for t in per], 1) for l in range(skip, len(per[0][key]))]  # noqa: E731
    return {"hidden": layers("hidden", 1), "jacobian": layers("jacobian")}


def generalization_of_conditions(train: dict, test: dict, q: float = 0.99) -> dict:
    """From point_norms on train and test: per member [K], the share of test points whose norm exceeds the
    training maximum in any layer (hidden, Jacobian, either), and the largest over layers of the test/train
    ratio of the q-quantiles."""
    out = {}
    for key in ("hidden", "jacobian"):
        if not train[key]:
            K = test["jacobian"][0].shape[0]
            out[f"exceed_{key}"], out[f"q99_ratio_{key}"] = torch.zeros(K, dtype=torch.bool), torch.ones(K)
            continue
        out[f"exceed_{key}"] = torch.stack([te > tr.amax(1, keepdim=True) for tr, te in zip(train[key], test[key])]).any(0)
        out[f"q99_ratio_{key}"] = torch.stack([torch.quantile(te, q, dim=1) / torch.quantile(tr, q, dim=1)
                                               for tr, te in zip(train[key], test[key])]).amax(0)
    shares = {f"share_test_above_train_max_{k}": out[f"exceed_{k}"].float().mean(1) for k in ("hidden", "jacobian")}
    shares["share_test_above_train_max_any"] = (out["exceed_hidden"] | out["exceed_jacobian"]).float().mean(1)
    return shares | {f"test_train_q99_ratio_{k}": out[f"q99_ratio_{k}"] for k in ("hidden", "jacobian")}


def preact_share_below(train_q01: list[torch.Tensor], test_preacts: list[torch.Tensor]) -> torch.Tensor:
    """Per member: the share of test pre-activations (all points, units and hidden layers) whose magnitude
    is below the training 1% quantile of their layer (train_q01[l]: [K]); 0.01 if the distributions match."""
    below = [(p.abs() < t.view(-1, 1, 1)).flatten(1) for t, p in zip(train_q01, test_preacts)]
    return torch.cat(below, 1).float().mean(1)


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    X, y, classes, pool, test = load_task(p, flatten=True, images=inputs.get("images"))
    members = [{"seed": s, "data_seed": s} for s in p["seeds"]]
    m, gamma = p["m"], p["optim"]["stop_margin"]
    idx, Y = member_data(pool, y, classes, members, m)
    B = float(X[pool].norm(dim=1).max())
    X = X.to(dev)
    rows = []
    for depth, width in [(p["depth"], p["width"])]:  # one architecture per job
        model = MLPEnsemble(len(members), [X.shape[1]] + [width] * depth + [classes],
                            generators=member_generators(members, INIT, depth, width)).to(dev)
        init = [w.detach().clone() for w in model.weights]
        fit = fit_ensemble(model, X, Y, idx, EnsembleOptim(**p["optim"]),
                           member_generators(members, ORDER, depth, width))
        w = [v.detach() for v in model.weights]
        with torch.no_grad(), runtime.fp32(dev):
            on_train = hidden_norms_and_jacobians(w, X[idx.to(dev)])
            on_test = hidden_norms_and_jacobians(w, X[test].unsqueeze(0).expand(len(members), -1, -1))
            ours = noise_resilience_bound(w, init, on_train, gamma, m)
            on_train, on_test, ours = _cpu(on_train), _cpu(on_test), _cpu(ours)
            x_test = X[test].unsqueeze(0).expand(len(members), -1, -1)
            spread = generalization_of_conditions(_cpu(point_norms(w, X[idx.to(dev)])), _cpu(point_norms(w, x_test)))
            pre_test: list = []
            model(x_test, hidden=pre_test)
            spread["share_test_preact_below_train_q01"] = preact_share_below(on_train["preact"],
                                                                             [t.cpu() for t in pre_test])
            bounds = {"neyshabur18": neyshabur18(w, init, B, gamma, m), "bartlett17": bartlett17(w, init, B, gamma, m),
                      "spectral_product": torch.stack([torch.linalg.matrix_norm(v, ord=2) for v in w]).prod(0)}
        q = {"ours": ours["bound"], "sigma_out": ours["sigma_out"], "sigma_pre": ours["sigma_pre"],
             **{name: v.cpu() for name, v in bounds.items()},
             "test_error": error(predict_shared(model, X[test]).argmax(-1), y[test]),
             "train_error": error(predict(model, X[idx.to(dev)]).argmax(-1), Y.gather(1, idx)),
             "max_hidden_norm_train": torch.stack(on_train["hidden"][1:] or [torch.zeros(len(members))]).amax(0),
             "max_hidden_norm_test": torch.stack(on_test["hidden"][1:] or [torch.zeros(len(members))]).amax(0),
             "max_jacobian_train": torch.stack(on_train["jacobian"]).amax(0),
             "max_jacobian_test": torch.stack(on_test["jacobian"]).amax(0),
             "min_preact_train": torch.stack(on_train["preact"]).amin(0),
             "min_preact_test": torch.stack(on_test["preact"]).amin(0), **spread}
        for k, mem in enumerate(members):
            rows.append({"depth": depth, "width": width, "seed": mem["seed"], "epochs": fit["epochs"][k],
                         "converged": fit["converged"][k], **{name: float(v[k]) for name, v in q.items()}})
        print(f"depth {depth} width {width}: epochs {fit['epochs']} ours {q['ours'].tolist()} "
              f"neyshabur {q['neyshabur18'].tolist()}", flush=True)
    write_json(outputs["metrics"], {"m": m, "depth": p["depth"], "width": p["width"], "rows": rows})


def _cpu(terms: dict) -> dict:
    """A dict of tensors and lists of tensors, on the CPU."""
    return {k: [t.cpu() for t in v] if isinstance(v, list) else v.cpu() for k, v in terms.items()}
