"""(a) Real data: for each training set size m, a batched ensemble (one member per seed) of bias-free
ReLU MLPs trained until (1 − τ) of the training set has margin ≥ γ; test error and the bound
quantities (distance from init, Neyshabur et al. 2018, Bartlett et al. 2017, divided by γ√m).
(b) Hyperspheres: two concentric spheres in d dimensions (radius 1: class 0, radius R: class 1); an
overparameterised 1-hidden-layer net; test error and the error on S′, the training set projected
onto the other sphere with labels flipped.
(c) The authors' own demonstration that the bounds grow with m (their blog notebook): hyperspheres, a
width-H one-hidden-layer net from ONE initialisation per seed shared by every m, plain SGD with batch
size 1 on the sigmoid loss until 99% of S has margin ≥ γ; test error, ‖W − W0‖, per-layer spectral
norms and the two bounds (weights only, as in the notebook) per m."""
from __future__ import annotations


import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, MLPEnsemble, fit_ensemble, member_data, member_generators,
                               predict, predict_shared)
from repro.nn.measures import bartlett17, distance_from_init, error, frobenius, neyshabur18, spectral
from repro.papers.uniform_convergence.sgd import margin_share, sgd_batch1

# purposes of the demo's generators (c), after the ensemble's INIT = 1 and ORDER = 2
DEMO_INIT, DEMO_DATA, DEMO_TEST = 11, 12, 13


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




def tf_init(model: MLPEnsemble, gens: list[torch.Generator]) -> None:
    """The notebook's initialisation (TensorFlow 1 defaults): Xavier-uniform weights, U(±sqrt(6/(fan_in +
    fan_out))), and biases of shape [1, fan_out] drawn the same way (get_variable's default glorot-uniform
    initialiser, so fan_in = 1), member k from gens[k]."""
    with torch.no_grad():
        for k, g in enumerate(gens):
            for w, b in zip(model.weights, model.biases):
                fi, fo = w.shape[1:]
                w[k] = (torch.rand(fi, fo, generator=g) * 2 - 1) * (6.0 / (fi + fo)) ** 0.5
                b[k] = (torch.rand(1, fo, generator=g) * 2 - 1) * (6.0 / (1 + fo)) ** 0.5


def train_bounds(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    R, d, H, o = p["radius"], p["dim"], p["width"], p["optim"]
    gamma = o["stop_margin"]
    seeds = p["seeds"]
    K = len(seeds)
    # one initialisation per seed, shared by every m (the notebook reloads it before each m)
    model = MLPEnsemble(K, [d, H, 2], bias=True)
    tf_init(model, [generator(s, DEMO_INIT) for s in seeds])
    init = [v.detach().clone() for v in list(model.weights) + list(model.biases)]
    test = [spheres(p["n_test"], d, R, generator(s, DEMO_TEST)) for s in seeds]
    X_test, y_test = torch.stack([x for x, _ in test]), torch.stack([y for _, y in test])
    rows = []
    for m in p["sizes"]:
        with torch.no_grad():
            for v, z in zip(list(model.weights) + list(model.biases), init):
                v.copy_(z)
        data = [spheres(m, d, R, generator(s, DEMO_DATA, m)) for s in seeds]
        X, Y = torch.stack([x for x, _ in data]), torch.stack([y for _, y in data])
        fit = sgd_batch1(model, X, Y, o["lr"], gamma, o["stop_tau"], o["max_epochs"],
                         [generator(s, ORDER, m) for s in seeds])
        w, w0 = [v.detach() for v in model.weights], init[:len(model.weights)]
        B = float(X.norm(dim=-1).max())
        with torch.no_grad():
            q = {"test_error": error(model(X_test).argmax(-1), y_test),
                 "train_error": error(model(X).argmax(-1), Y),
                 "train_margin_share": margin_share(model, X, Y, gamma),
                 # ‖W − W0‖ over every trained parameter, biases included, as the notebook's distance
                 "distance": distance_from_init([v.detach() for v in list(model.weights) + list(model.biases)], init),
                 "neyshabur18": neyshabur18(w, w0, B, gamma, m), "bartlett17": bartlett17(w, w0, B, gamma, m)}
            for i, v in enumerate(w):
                q[f"spectral_{i + 1}"] = spectral(v)
                q[f"frobenius_{i + 1}"] = frobenius(v)
                q[f"distance_{i + 1}"] = frobenius(v - w0[i])
        for k, s in enumerate(seeds):
            rows.append({"m": m, "seed": s, "epochs": fit["epochs"][k], "converged": fit["converged"][k],
                         **{name: float(v[k]) for name, v in q.items()}})
        print(f"m {m}: epochs {fit['epochs']} test {q['test_error'].tolist()} distance {q['distance'].tolist()} "
              f"N18 {q['neyshabur18'].tolist()} B17 {q['bartlett17'].tolist()}", flush=True)
    write_json(outputs["metrics"], {"dim": d, "radius": R, "width": H, "margin": gamma, "rows": rows})
