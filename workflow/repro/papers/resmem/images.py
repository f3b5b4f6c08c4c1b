"""Base networks of several sizes (each a batched ensemble, one member per seed) on a training set of images:
MLPs of several widths (mini scale) or He et al.'s CIFAR ResNets of several depths (full scale, `archs`).
ResMem adds a soft kNN over the training residuals r_i = e(y_i) − softmax f(x_i), searched in the base's
penultimate-layer embedding; kNN alone searches raw pixels with one-hot values. k and σ are
tuned on a validation split; accuracy is measured on the held-out test set, and each test point's
correctness under the base and under ResMem is kept (per seed × base) for a paired bootstrap. Each base's
size is its number of parameters (the x axis of the paper's accuracy-vs-size figure)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from repro.core import runtime
from repro.core.io import write_json
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, evaluating, fit_ensemble, member_data, member_generators,
                               model_device, network_grid, network_names, parameters_per_member, sized_network)
from repro.papers.resmem.knn import SoftKNN, tune


def embed_and_predict(model: torch.nn.Module, x: torch.Tensor, chunk: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every member's penultimate-layer embedding [K, N, F] and probabilities [K, N, C] of x [N, ...],
    as NumPy arrays; computed on the model's device (in chunks of `chunk` points if given) in fp32, in eval
    mode (a ResNet's BatchNorm uses its running statistics, as in repro.nn.ensemble.predict)."""
    dev = model_device(model)
    parts = []
    for i in range(0, len(x), chunk or max(len(x), 1)):
        hidden: list = []
        xs = x[i:i + chunk] if chunk else x
        with torch.no_grad(), runtime.fp32(dev), evaluating(model):
            xs = xs.to(dev)
            logits = model(xs.unsqueeze(0).expand(model.K, *xs.shape), hidden=hidden)
        parts.append((F.relu(hidden[-1]).cpu(), torch.softmax(logits, -1).cpu()))
    return torch.cat([z for z, _ in parts], 1).numpy(), torch.cat([q for _, q in parts], 1).numpy()


def train_images(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    names = network_names(p)
    images = not names[0].startswith("mlp")  # ResNets read images, MLPs flat vectors
    X, y, classes, pool, test = load_task(p, flatten=not images, images=inputs.get("images"))
    pixels = X.flatten(1)  # kNN alone searches raw pixels
    members = [{"seed": s, "data_seed": s} for s in p["seeds"]]
    idx, Y = member_data(pool, y, classes, members, p["m"])
    val = [pool[~torch.isin(pool, idx[k])] for k in range(len(members))]  # the rest of the pool
    if min(map(len, val)) < max(p["ks"]):
        raise ValueError(f"resmem: m = {p['m']} leaves {min(map(len, val))} of the pool's {len(pool)} images to "
                         f"tune k and σ on (need ≥ {max(p['ks'])}): lower m")
    acc = lambda prob, labels: float((prob.argmax(-1) == labels).mean())  # noqa: E731
    rows, correct = [], []
    for k, mem in enumerate(members):  # kNN alone on raw pixels
        tr = idx[k].numpy()
        knn = SoftKNN(pixels[tr].numpy(), np.eye(classes)[y[tr].numpy()])
        yv = y[val[k]].numpy()
        best = tune(knn, lambda v: v, pixels[val[k]].numpy(), lambda prob: acc(prob, yv), p["ks"], p["sigmas"])
        rows.append({"seed": mem["seed"], "network": None, "size": None, "model": "kNN alone",
                     "test_accuracy": acc(knn(pixels[test].numpy(), *best), y[test].numpy()),
                     "k": best[0], "sigma": best[1]})
    for name in names:
        grid = network_grid(name)
        model = sized_network(name, len(members), tuple(X.shape[1:]), classes, member_generators(members, INIT, *grid),
                              mlp_depth=p.get("depth", 1), mlp_bias=True)
        size = parameters_per_member(model)
        model = model.to(dev)
        fit_ensemble(model, X, Y, idx, EnsembleOptim(**p["optim"]), member_generators(members, ORDER, *grid))
        z_all, prob_all = embed_and_predict(model, X, chunk=None if dev.type == "cpu" else 4096)
        for k, mem in enumerate(members):
            tr, va, te = idx[k].numpy(), val[k].numpy(), test.numpy()
            yt = y.numpy()
            residual = np.eye(classes)[yt[tr]] - prob_all[k, tr]
            knn = SoftKNN(z_all[k, tr], residual)
            best = tune(knn, lambda r, va=va, k=k: prob_all[k, va] + r, z_all[k, va],
                        lambda prob, va=va: acc(prob, yt[va]), p["ks"], p["sigmas"])
            base_prob, resmem_prob = prob_all[k, te], prob_all[k, te] + knn(z_all[k, te], *best)
            base_acc, resmem_acc = acc(base_prob, yt[te]), acc(resmem_prob, yt[te])
            at = {"seed": mem["seed"], "network": name, "size": size}
            correct.append(at | {"base": (base_prob.argmax(-1) == yt[te]).astype(int).tolist(),
                                 "resmem": (resmem_prob.argmax(-1) == yt[te]).astype(int).tolist()})
            train_acc = acc(prob_all[k, tr], yt[tr])
            rows += [at | {"model": "base", "test_accuracy": base_acc, "train_accuracy": train_acc},
                     at | {"model": "ResMem", "test_accuracy": resmem_acc,
                      "k": best[0], "sigma": best[1]}]
        print(f"{name} ({size:,} parameters): base {[r['test_accuracy'] for r in rows[-2 * len(members)::2]]}", flush=True)
    write_json(outputs["metrics"], {"rows": rows, "test_correct": correct})
