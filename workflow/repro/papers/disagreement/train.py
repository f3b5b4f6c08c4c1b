"""Pairs of runs and an ensemble of small CNNs (batched as grouped convolutions).

train_pairs: one hyperparameter configuration (channels, lr, augmentation); for each seed s three
members: two on the same training set S_s with different init and data order (replicas 0 and 1 of
seed s), and one (replica 2) on an independent training set. Records test error and, on unlabelled
test data, the disagreement of the same-data pair and of the different-data pair.
train_ensemble: K members on one training set (replicas 0..K−1 of the seed: different init and
order); the ensemble's vote shares on test data give its class-aggregated calibration error (CACE)
and ECE."""
from __future__ import annotations

import itertools

import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import hash_seeds
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, fit_ensemble, image_ensemble, member_data,
                               member_generators, predict_shared)
from repro.nn.measures import calibration_errors, disagreement, error


def _train(p: dict, members: list[dict], stage: int, images=None):
    """Members' init and order streams from their (seed, replica), the stage and the grid point."""
    tag = (stage, p["channels"], round(p["lr"] * 1e6), p["augment_shift"], p["m"])
    X, y, classes, pool, test = load_task(p, images=images)
    if len({m["data_seed"] for m in members}) > 1 and p["m"] >= len(pool):
        raise ValueError(f"disagreement: different-data pairs need m < the pool ({len(pool)} images), got m = "
                         f"{p['m']}: both members would train on the whole pool")
    idx, Y = member_data(pool, y, classes, members, p["m"])
    model = image_ensemble(len(members), p, tuple(X.shape[1:]), classes,
                           generators=member_generators(members, INIT, *tag)).to(runtime.device())
    print(f"network: {type(model).__name__} ({p.get('arch', 'cnn')}), {len(members)} members", flush=True)
    opt = EnsembleOptim(**(p["optim"] | {"lr": p["lr"], "augment_shift": p["augment_shift"]}))
    fit = fit_ensemble(model, X, Y, idx, opt, member_generators(members, ORDER, *tag))
    return predict_shared(model, X[test]).argmax(-1), y[test], fit, classes


def train_pairs(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Every (lr, augmentation, m) of the grid for this job's channel count."""
    p = params
    # per seed: A and B share data (seed s), C has its own (a stream of s tagged by the offset, so it
    # is no other seed's data)
    members = [{"seed": s, "replica": r, "data_seed": d} for s in p["seeds"]
               for r, d in enumerate((s, s, hash_seeds(s, p["other_data_offset"])))]
    rows = []
    for lr, shift, m in itertools.product(p["lr"], p["augment_shift"], p["m"]):
        config = {"channels": p["channels"], "lr": lr, "augment_shift": shift, "m": m}
        pred, y_test, fit, _ = _train(p | config, members, 0, inputs.get("images"))
        err = error(pred, y_test)
        for i, s in enumerate(p["seeds"]):
            a, b, c = 3 * i, 3 * i + 1, 3 * i + 2
            for kind, (u, v) in {"same_data": (a, b), "different_data": (a, c)}.items():
                rows.append({**config, "seed": s, "pair": kind, "test_error": float((err[u] + err[v]) / 2),
                             "disagreement": float(disagreement(pred[u], pred[v])),
                             "converged": bool(fit["converged"][u] and fit["converged"][v])})
        print(config, "epochs", fit["epochs"], flush=True)
    write_json(outputs["metrics"], {"rows": rows})


def train_ensemble(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    members = [{"seed": p["seed"], "replica": k, "data_seed": p["seed"]} for k in range(p["members"])]
    pred, y_test, fit, classes = _train(p, members, 1, inputs.get("images"))
    votes = torch.nn.functional.one_hot(pred, classes).float().mean(0)  # [N, C]: h̃_k(x)
    cal = calibration_errors(votes, y_test, p["bins"])
    pairs = list(itertools.combinations(range(len(members)), 2))
    dis = torch.stack([disagreement(pred[i], pred[j]) for i, j in pairs]).mean()
    write_json(outputs["metrics"], {"seed": p["seed"], "members": p["members"], "bins": p["bins"],
                                    "test_error": float(error(pred, y_test).mean()), "disagreement": float(dis),
                                    "ece": cal["ece"], "cace": cal["cace"], "reliability": cal["reliability"],
                                    "converged": sum(fit["converged"])})
