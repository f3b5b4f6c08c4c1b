"""(a) Real data: for each training set size m, a batched ensemble (one member per seed) of bias-free
ReLU MLPs trained until (1 − τ) of the training set has margin ≥ γ; test error and the bound
quantities (distance from init, Neyshabur et al. 2018, Bartlett et al. 2017, divided by γ√m).
(b) Hyperspheres: two concentric spheres in d dimensions (radius 1: class 0, radius R: class 1); an
overparameterised 1-hidden-layer net; test error and the error on S′, the training set projected
onto the other sphere with labels flipped."""
from __future__ import annotations


import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, MLPEnsemble, fit_ensemble, member_data, member_generators,
                               predict, predict_shared)
from repro.nn.measures import bartlett17, distance_from_init, error, neyshabur18


def train_images(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    X, y, classes, pool, test = load_task(p, flatten=True, images=inputs.get("images"))
    B = float(X[pool].norm(dim=1).max())
    X = X.to(dev)
    members = [{"seed": s, "data_seed": s} for s in p["seeds"]]
    rows = []
    for m in p["sizes"]:
        idx, Y = member_data(pool, y, classes, members, m)
        model = MLPEnsemble(len(members), [X.shape[1]] + [p["width"]] * p["depth"] + [classes],
                            generators=member_generators(members, INIT, m)).to(dev)
        init = [w.detach().clone() for w in model.weights]
        fit = fit_ensemble(model, X, Y, idx, EnsembleOptim(**p["optim"]), member_generators(members, ORDER, m))
        w = [v.detach() for v in model.weights]
        gamma = p["optim"]["stop_margin"]
        with runtime.fp32(dev):
            bounds = {"distance": distance_from_init(w, init), "neyshabur18": neyshabur18(w, init, B, gamma, m),
                      "bartlett17": bartlett17(w, init, B, gamma, m)}
        quantities = {**{q: v.cpu() for q, v in bounds.items()},
                      "test_error": error(predict_shared(model, X[test]).argmax(-1), y[test]),
                      "train_error": error(predict(model, X[idx.to(dev)]).argmax(-1), Y.gather(1, idx))}
        for k, mem in enumerate(members):
            rows.append({"m": m, "seed": mem["seed"], "epochs": fit["epochs"][k], "converged": fit["converged"][k],
                         **{q: float(v[k]) for q, v in quantities.items()}})
        print(f"m {m}: epochs {fit['epochs']} test error {quantities['test_error'].tolist()}", flush=True)
    write_json(outputs["metrics"], {"rows": rows})


def spheres(n: int, d: int, radius: float, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n points, half on each sphere (uniform directions); label 1 on the outer sphere."""
    u = torch.randn(n, d, generator=g)
    u = u / u.norm(dim=1, keepdim=True)
    y = torch.arange(n) % 2
    return u * torch.where(y == 1, radius, 1.0).unsqueeze(1), y


def train_spheres(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    R, d = p["radius"], p["dim"]
    dev = runtime.device()
    members = [{"seed": s} for s in p["seeds"]]
    rows = []
    for m in p["sizes"]:
        K = len(members)
        data = [spheres(m, d, R, generator(s, m)) for s in p["seeds"]]
        Xtr, Ytr = torch.stack([x for x, _ in data]), torch.stack([y for _, y in data])
        # S′: each training point moved onto the other sphere, its label flipped (the true label there)
        scale = torch.where(Ytr == 1, 1.0 / R, R).unsqueeze(-1)
        Xp, Yp = Xtr * scale, 1 - Ytr
        X_test, y_test = spheres(p["n_test"], d, R, generator(10**6, m))  # one test set for all seeds
        # with biases: a bias-free ReLU net is positively homogeneous, f(Ru) = R f(u), so it could not
        # tell the spheres apart
        model = MLPEnsemble(K, [d, p["width"], 2], bias=True, generators=member_generators(members, INIT, m)).to(dev)
        init = [w.detach().clone() for w in model.weights]
        # members train on their own points: index a flat [K·m] table
        flat = Xtr.reshape(K * m, d)
        idx = torch.arange(K * m).view(K, m)
        fit = fit_ensemble(model, flat, Ytr.reshape(1, -1).expand(K, -1), idx, EnsembleOptim(**p["optim"]),
                           member_generators(members, ORDER, m))
        test_err = error(predict_shared(model, X_test).argmax(-1), y_test)
        proj_err = error(predict(model, Xp).argmax(-1), Yp)
        dist = distance_from_init([w.detach() for w in model.weights], init).cpu()
        for k, s in enumerate(p["seeds"]):
            rows.append({"m": m, "seed": s, "test_error": float(test_err[k]), "projected_error": float(proj_err[k]),
                         "distance": float(dist[k]), "epochs": fit["epochs"][k], "converged": fit["converged"][k]})
        print(f"m {m}: test {test_err.tolist()} S' {proj_err.tolist()} epochs {fit['epochs']}", flush=True)
    write_json(outputs["metrics"], {"dim": d, "radius": R, "width": p["width"], "rows": rows})


