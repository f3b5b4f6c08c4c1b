"""One seed of the memorisation-vs-size study. A population of n training images with a share of
symmetric label noise; K fixed random subsets (ratio r), the same for every model size. For each
size (an MLP's width at mini scale, a CIFAR ResNet's depth at full scale), a batched ensemble of K models (one
per subset, trained in blocks of runs: `train`, one job per block; `merge` per seed) trained to fit its subset; per-example
correctness of every model on the whole population → Feldman memorisation per size. Distillation:
the largest model of each subset is the teacher of that subset's students (same subset, so
no held-out example leaks). The students learn the teacher's probabilities at temperature T (Hinton et al.:
teacher and student logits both divided by T, the loss scaled by T², here as the learning rate × T², which is
the same for plain momentum SGD), so the targets are not one-hot where the teacher is unsure. Proxies per size: mean loss and confidence of the example's label under
the models that trained on it, and its learning speed (share of epochs it was already fit)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from repro.core import runtime
from repro.core.io import write_json, write_npz
from repro.core.seeding import generator
from repro.data.images import load_task, noisy_labels
from repro.nn.ensemble import (INIT, ORDER, EnsembleOptim, fit_ensemble, member_generators, network_grid, network_names,
                               parameters_per_member, predict_shared, sized_network)
from repro.nn.subsample import bootstrap_se, memorisation, subset_masks


class Tempered(torch.nn.Module):
    """An ensemble whose logits are divided by T (a distilled student's training view; it predicts with
    the inner model, T = 1)."""

    def __init__(self, model: torch.nn.Module, temperature: float):
        super().__init__()
        self.model, self.temperature, self.K = model, temperature, model.K
        if hasattr(model, "parameter_members"):  # per-member modules (ResNets): fit_ensemble masks by owner
            self.members, self.parameter_members = model.members, model.parameter_members

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) / self.temperature


def soft_targets(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """The teacher's probabilities at temperature T: softmax(z / T)."""
    return torch.softmax(logits / temperature, -1)


def teacher_network(p: dict) -> str:
    """The network whose model of each subset teaches that subset's students: `teacher_arch` with `archs`, else
    mlp<teacher_width>. Raises ValueError unless it is the largest (last) network of the sweep."""
    names = network_names(p)
    teacher = p.get("teacher_arch") if "archs" in p else f"mlp{p['teacher_width']}"
    if teacher != names[-1]:
        raise ValueError(f"memorisation_scaling: the teacher ({teacher}) must be the largest, last network of "
                         f"{names}")
    return teacher


def run_chunk(p: dict, chunk: int) -> range:
    """The runs (subsets) that job `chunk` of `run_chunks` trains: a contiguous block of range(runs)."""
    K, chunks = p["runs"], p.get("run_chunks", 1)
    if not 0 <= chunk < chunks or chunks > K:
        raise ValueError(f"chunk {chunk} of {chunks}: needs 0 <= chunk < run_chunks <= runs ({K})")
    return range(chunk * K // chunks, (chunk + 1) * K // chunks)


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """One block of runs (`chunk` of `run_chunks`) of one seed, every model size and both arms: per run and
    population example, correctness, loss and confidence of its label, and epochs already fit, in an .npz
    (`merge` turns the blocks into the seed's scores). The population, label noise and K subsets are drawn
    from the seed alone, and run k's initialisation and order from (seed, k), so a run is the same whichever
    block trains it; its teacher (the largest model of the same subset) is trained in the same block."""
    p, seed = params, params["seed"]
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    names, teacher_name = network_names(p), teacher_network(p)
    images = not names[0].startswith("mlp")  # ResNets read images, MLPs flat vectors
    X, y, classes, pool, test = load_task(p, flatten=not images, images=inputs.get("images"))
    g = generator(seed, 0)
    population = pool[torch.randperm(len(pool), generator=g)[: p["n"]]]
    Xp, clean = X[population].to(dev), y[population]
    labels = noisy_labels(clean, p["label_noise"], classes, g)
    idx, mask = subset_masks(p["n"], p["runs"], p["ratio"], g)
    runs = run_chunk(p, int(p["chunk"]))
    idx, mask = idx[runs.start:runs.stop], mask[runs.start:runs.stop]
    K = len(runs)
    members = [{"seed": seed, "replica": k} for k in runs]  # model k of subset k, at every size
    Y = labels.expand(K, -1)
    opt = EnsembleOptim(**p["optim"])
    T = float(p.get("kd_temperature", 1.0))
    kd_opt = EnsembleOptim(**(p["optim"] | {"lr": p["optim"]["lr"] * T ** 2}))  # loss × T² as lr × T²
    arrays, teacher_soft = {"noisy": (labels != clean).numpy(), "mask": mask.numpy()}, None
    for arm in ("standard", "distilled"):
        for name in names:
            if arm == "distilled" and name == teacher_name:
                continue  # the teacher itself
            tag = (*network_grid(name), int(arm == "distilled"))
            model = sized_network(name, K, tuple(X.shape[1:]), classes, member_generators(members, INIT, *tag)).to(dev)
            speed = torch.zeros(K, p["n"])

            def track(epoch, model=model, speed=speed):
                speed.add_((predict_shared(model, Xp).argmax(-1) == labels).float())

            targets = Y if arm == "standard" else teacher_soft
            trained = model if arm == "standard" else Tempered(model, T)
            fit = fit_ensemble(trained, Xp, targets, idx, opt if arm == "standard" else kd_opt,
                               member_generators(members, ORDER, *tag), on_epoch=track)
            with torch.no_grad():
                logits = predict_shared(model, Xp)
                probs = torch.softmax(logits, -1)
                test_acc = (predict_shared(model, X[test]).argmax(-1) == y[test]).float().mean(1)
                own = probs.gather(-1, labels.expand(K, -1).unsqueeze(-1)).squeeze(-1)
                loss = F.cross_entropy(logits.transpose(1, 2), labels.expand(K, -1), reduction="none")
            key = f"{arm}/{name}"
            arrays |= {f"{key}/correct": (logits.argmax(-1) == labels).numpy(), f"{key}/loss": loss.numpy(),
                       f"{key}/confidence": own.numpy(), f"{key}/speed": speed.numpy(),
                       f"{key}/epochs": np.array(fit["epochs"]), f"{key}/test_accuracy": test_acc.numpy(),
                       f"{key}/size": np.array(parameters_per_member(model))}
            correct = arrays[f"{key}/correct"]
            print(f"{arm} {name}: train acc {correct[mask.numpy()].mean():.3f} test acc {float(test_acc.mean()):.3f} "
                  f"epochs {max(fit['epochs'])}", flush=True)
            if arm == "standard" and name == teacher_name:
                teacher_soft = soft_targets(logits, T).detach()
                arrays["teacher_top"] = teacher_soft.max(-1).values.numpy()
    write_npz(outputs["runs"], arrays)


def merge(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """One seed's blocks of runs (inputs["runs"], in chunk order) → its metrics: per model size and arm, Feldman
    memorisation of every population example with bootstrap SEs over runs, the proxies (mean loss and
    confidence of the example's label under the runs that trained on it, learning speed = share of epochs it
    was already fit), accuracies, and the teacher's top soft label."""
    p, seed = params, params["seed"]
    blocks = [dict(np.load(path)) for path in inputs["runs"]]
    cat = lambda key: np.concatenate([b[key] for b in blocks])  # noqa: E731
    m, noisy = cat("mask"), blocks[0]["noisy"]
    inside = lambda v: np.where(m, v, np.nan)  # noqa: E731
    rng = np.random.default_rng(seed)
    names, teacher_name = network_names(p), teacher_network(p)
    sizes = []
    for arm in ("standard", "distilled"):
        for name in names:
            key = f"{arm}/{name}"
            if f"{key}/correct" not in blocks[0]:
                continue  # the teacher has no distilled arm
            correct = cat(f"{key}/correct")
            # learning speed as one job over all runs would count it: a block's loop (speed counted at each
            # epoch) runs until its last run stops, one job's until the last run of all blocks stops, and a
            # stopped (frozen) run adds its final correctness at each extra epoch
            loops = np.concatenate([np.full(len(b[f"{key}/epochs"]), b[f"{key}/epochs"].max()) for b in blocks])
            speed = cat(f"{key}/speed") + (loops.max() - loops)[:, None] * correct
            with np.errstate(invalid="ignore"):
                sizes.append({
                    "arm": arm, "network": name, "size": int(blocks[0][f"{key}/size"]),
                    "memorisation": memorisation(correct, m).tolist(),
                    "memorisation_se": bootstrap_se(correct, m, rng, p["bootstrap"]).tolist(),
                    "loss": np.nanmean(inside(cat(f"{key}/loss")), 0).tolist(),
                    "confidence": np.nanmean(inside(cat(f"{key}/confidence")), 0).tolist(),
                    "learning_speed": np.nanmean(inside(speed / loops.max()), 0).tolist(),
                    "train_accuracy": float(np.nanmean(np.where(m, correct, np.nan))),
                    # how much of its own subset's mislabelled examples a model fits (their given label)
                    "noisy_train_accuracy": float(np.nanmean(np.where(m & noisy, correct, np.nan))),
                    "test_accuracy": float(cat(f"{key}/test_accuracy").mean()),
                })
    top = cat("teacher_top")
    teacher = {"network": teacher_name, "temperature": float(p.get("kd_temperature", 1.0)),
               "top_probability": float(np.mean(top[m])),  # the teacher's top soft label on its own training examples
               "top_probability_mislabelled": float(np.mean(top[m & noisy]))}
    write_json(outputs["metrics"], {"seed": seed, "noisy": noisy.tolist(), "sizes": sizes, "teacher": teacher})
