"""Teacher vs student confidence on images: a batched ensemble of CNN teachers (one per seed) on
training labels with a share of label noise, then CNN students of the same size distilled on the
teachers' probabilities (temperature 1) with the same budget of epochs. For each point, the teacher's
top class c: φ_T = logit p_T(c), φ_S = logit p_S(c); the slope of φ_S on φ_T, on training and on
test points, with a bootstrap interval. A slope > 1 means the student exaggerates the teacher's
confidence (less confident where the teacher is unsure, more where it is sure). Every random draw of
a seed's teacher and student (data, noise, inits, order, bootstrap, plotted points) derives from it."""
from __future__ import annotations

import numpy as np
import torch

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, hash_seeds
from repro.data.images import load_task
from repro.nn.ensemble import (INIT, ORDER, CNNEnsemble, EnsembleOptim, fit_ensemble, member_data, member_generators,
                               predict, predict_shared)


def top_class_logits(p_teacher: torch.Tensor, p_student: torch.Tensor, clip: float = 1e-6):
    """φ = log(p / (1 − p)) of the teacher's top class, for teacher and student."""
    c = p_teacher.argmax(-1, keepdim=True)
    phi = lambda p: torch.logit(p.gather(-1, c).squeeze(-1).clamp(clip, 1 - clip))  # noqa: E731
    return phi(p_teacher), phi(p_student)


def slope_with_interval(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, resamples: int) -> dict:
    slope = float(np.polyfit(x, y, 1)[0])
    boot = [np.polyfit(x[i], y[i], 1)[0] for i in (rng.integers(0, len(x), len(x)) for _ in range(resamples))]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {"slope": slope, "ci_low": float(lo), "ci_high": float(hi)}


def train_images(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    X, y, classes, pool, test = load_task(p, images=inputs.get("images"))
    members = [{"seed": s, "data_seed": s, "noise": p["label_noise"]} for s in p["seeds"]]
    idx, Y = member_data(pool, y, classes, members, p["m"])
    opt = EnsembleOptim(**p["optim"])
    TEACHER, STUDENT = 0, 1
    shape = (len(members), p["channels"], X.shape[-1], classes, X.shape[1])
    X = X.to(dev)
    teacher = CNNEnsemble(*shape, generators=member_generators(members, INIT, TEACHER)).to(dev)
    fit_ensemble(teacher, X, Y, idx, opt, member_generators(members, ORDER, TEACHER))
    soft = torch.softmax(predict_shared(teacher, X), -1)  # [K, N, C]: the teacher's probabilities everywhere
    student = CNNEnsemble(*shape, generators=member_generators(members, INIT, STUDENT)).to(dev)
    fit_ensemble(student, X, soft, idx, opt, member_generators(members, ORDER, STUDENT))
    rows, points = [], []
    splits = [("train", X[idx.to(dev)], Y[torch.arange(len(idx)).unsqueeze(1), idx]),
              ("test", X[test].unsqueeze(0).expand(len(members), *X[test].shape), y[test].expand(len(members), -1))]
    with torch.no_grad():
        for j, (split, xs, labels) in enumerate(splits):
            pt, ps = torch.softmax(predict(teacher, xs), -1), torch.softmax(predict(student, xs), -1)
            phi_t, phi_s = top_class_logits(pt, ps)
            for k, mem in enumerate(members):
                rng = np.random.default_rng(hash_seeds(mem["seed"], 5, j))  # this seed's bootstrap
                fit = slope_with_interval(phi_t[k].numpy(), phi_s[k].numpy(), rng, p["bootstrap"])
                rows.append({"seed": mem["seed"], "split": split, **fit,
                             "teacher_accuracy": float((pt[k].argmax(-1) == labels[k]).float().mean()),
                             "student_accuracy": float((ps[k].argmax(-1) == labels[k]).float().mean())})
                keep = torch.randperm(len(phi_t[k]), generator=generator(mem["seed"], 7, j))[: p["plot_points"]]
                points += [{"seed": mem["seed"], "split": split, "teacher": float(a), "student": float(b)}
                           for a, b in zip(phi_t[k][keep], phi_s[k][keep])]
    write_json(outputs["metrics"], {"rows": rows, "points": points, "label_noise": p["label_noise"]})
