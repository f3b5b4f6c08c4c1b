"""Teacher vs student confidence on images (self-distillation, as in the paper's ResNet-56 → ResNet-56
settings): a batched ensemble of CNN teachers (one per seed) trained on one-hot labels, then CNN
students of the same size trained on the teachers' probabilities (temperature 1) with the same
optimiser and the same number of epochs. As in the paper's image recipes, every model trains with
weight decay and random-shift augmentation, and the teacher's targets are computed online on the
student's augmented batch (a teacher queried on un-augmented images would give targets for inputs the
student never sees).

Confidence: for each point the teacher's top class c, and for a model with logits z,
φ = log(p(c) / (1 − p(c))) = z_c − logsumexp_{j≠c} z_j, computed from the logits (no saturation of
the softmax in float32, no clipping). The slope of φ_S on φ_T (least squares), on training and test
points, with a bootstrap interval: > 1 means the student exaggerates the teacher's confidence.

Control (regression dilution): a second one-hot model per seed (same data and recipe, its own
initialisation and example order) regressed on the teacher the same way. Least squares of one model's
φ on another's is attenuated by whatever in φ_T the other model does not share (seed noise), so a
retrained model's slope is typically < 1: the control measures how far below 1 "no exaggeration"
sits. The control and the student train side by side in one ensemble (members 0..K−1 students,
K..2K−1 controls); each draws from its own generators, so neither affects the other.

Every random draw of a seed's teacher, student and control (data, noise, inits, orders, augmentation,
bootstrap, plotted points) derives from that seed."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, hash_seeds
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, fit_ensemble, image_ensemble, member_data,
                               member_generators, predict)

TEACHER, STUDENT = 0, 1  # grid tags of the generators (the control is the teacher's recipe with replica 1)


def top_class_confidence(z_teacher: torch.Tensor, *z_others: torch.Tensor) -> list[torch.Tensor]:
    """φ = z_c − logsumexp_{j≠c} z_j (= logit of the softmax probability of c, without saturation) for the
    teacher's top class c, for the teacher and for every other model's logits (same shape [..., C])."""
    c = z_teacher.argmax(-1, keepdim=True)

    def phi(z: torch.Tensor) -> torch.Tensor:
        top = z.gather(-1, c).squeeze(-1)
        rest = torch.logsumexp(z.scatter(-1, c, float("-inf")), -1)
        return top - rest

    return [phi(z) for z in (z_teacher, *z_others)]


def slope_with_interval(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, resamples: int) -> dict:
    """Least-squares slope of y on x with a 95% percentile-bootstrap interval over points."""
    slope = float(np.polyfit(x, y, 1)[0])
    boot = [np.polyfit(x[i], y[i], 1)[0] for i in (rng.integers(0, len(x), len(x)) for _ in range(resamples))]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {"slope": slope, "ci_low": float(lo), "ci_high": float(hi)}


def train_images(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    X, y, classes, pool, test = load_task(p, images=inputs.get("images"))
    members = [{"seed": s, "data_seed": s, "noise": p["label_noise"]} for s in p["seeds"]]
    controls = [m | {"replica": 1} for m in members]  # same data and labels, own init and order
    K = len(members)
    idx, Y = member_data(pool, y, classes, members, p["m"])
    opt = EnsembleOptim(**p["optim"])
    shape = tuple(X.shape[1:])  # (C, H, W); the network: p["arch"], the small CNN unless a ResNet is named
    X = X.to(dev)
    teacher = image_ensemble(K, p, shape, classes, generators=member_generators(members, INIT, TEACHER)).to(dev)
    fit_ensemble(teacher, X, Y, idx, opt, member_generators(members, ORDER, TEACHER))
    teacher.requires_grad_(False)
    teacher.eval()  # its soft targets come from the trained network (BatchNorm: running statistics)

    # students (distilled online from their seed's teacher) and controls (one-hot, the teacher's recipe)
    both = members + controls
    pair = image_ensemble(2 * K, p, shape, classes, generators=member_generators(members, INIT, STUDENT)
                          + member_generators(controls, INIT, TEACHER)).to(dev)
    Y2, idx2 = torch.cat([Y, Y]), torch.cat([idx, idx])
    dev_Y = Y2.to(dev)
    rows_k = torch.arange(2 * K, device=dev).unsqueeze(1)

    def targets(xb: torch.Tensor, bi: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            soft = torch.softmax(teacher(xb[:K]), -1)  # the teacher on the student's augmented batch
        onehot = F.one_hot(dev_Y[rows_k[K:], bi[K:]], classes).to(soft.dtype)
        return torch.cat([soft, onehot])

    fit_ensemble(pair, X, Y2, idx2, opt, member_generators(members, ORDER, STUDENT)
                 + member_generators(controls, ORDER, TEACHER), targets=targets)

    rows, points = [], []
    splits = [("train", X[idx.to(dev)], Y[torch.arange(K).unsqueeze(1), idx]),
              ("test", X[test].unsqueeze(0).expand(K, *X[test].shape), y[test].expand(K, -1))]
    with torch.no_grad():
        for j, (split, xs, labels) in enumerate(splits):
            zt = predict(teacher, xs)
            zp = predict(pair, torch.cat([xs, xs]))
            zs, zc = zp[:K], zp[K:]
            phi_t, phi_s, phi_c = top_class_confidence(zt, zs, zc)
            for k, mem in enumerate(members):
                rng = np.random.default_rng(hash_seeds(mem["seed"], 5, j))  # this seed's bootstrap
                fit = slope_with_interval(phi_t[k].numpy(), phi_s[k].numpy(), rng, p["bootstrap"])
                ctl = slope_with_interval(phi_t[k].numpy(), phi_c[k].numpy(), rng, p["bootstrap"])
                acc = lambda z: float((z[k].argmax(-1) == labels[k]).float().mean())  # noqa: E731
                rows.append({"seed": mem["seed"], "split": split, **fit,
                             "control_slope": ctl["slope"], "control_ci_low": ctl["ci_low"],
                             "control_ci_high": ctl["ci_high"],
                             "teacher_accuracy": acc(zt), "student_accuracy": acc(zs), "control_accuracy": acc(zc),
                             "teacher_mean_phi": float(phi_t[k].mean()), "student_mean_phi": float(phi_s[k].mean())})
                keep = torch.randperm(len(phi_t[k]), generator=generator(mem["seed"], 7, j))[: p["plot_points"]]
                points += [{"seed": mem["seed"], "split": split, "teacher": float(a), "student": float(b),
                            "control": float(c)}
                           for a, b, c in zip(phi_t[k][keep], phi_s[k][keep], phi_c[k][keep])]
    write_json(outputs["metrics"], {"rows": rows, "points": points, "label_noise": p["label_noise"]})
