"""One seed of the memorisation-vs-size study. A population of n training images with a share of
symmetric label noise; K fixed random subsets (ratio r), the same for every model size. For each
width, a batched ensemble of K MLPs (one per subset) trained to fit its subset; per-example
correctness of every model on the whole population → Feldman memorisation per size. Distillation:
the largest width's model of each subset is the teacher of that subset's students (same subset, so
no held-out example leaks). The students learn the teacher's probabilities at temperature T (Hinton et al.:
teacher and student logits both divided by T, the loss scaled by T², here as the learning rate × T², which is
the same for plain momentum SGD), so the targets are not one-hot where the teacher is unsure. Proxies per size: mean loss and confidence of the example's label under
the models that trained on it, and its learning speed (share of epochs it was already fit)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator
from repro.data.images import load_task, noisy_labels
from repro.nn.ensemble import INIT, ORDER, EnsembleOptim, MLPEnsemble, fit_ensemble, member_generators, predict_shared
from repro.nn.subsample import bootstrap_se, memorisation, subset_masks


class Tempered(torch.nn.Module):
    """An ensemble whose logits are divided by T (a distilled student's training view; it predicts with
    the inner model, T = 1)."""

    def __init__(self, model: torch.nn.Module, temperature: float):
        super().__init__()
        self.model, self.temperature, self.K = model, temperature, model.K

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) / self.temperature


def soft_targets(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """The teacher's probabilities at temperature T: softmax(z / T)."""
    return torch.softmax(logits / temperature, -1)


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p, seed = params, params["seed"]
    dev = runtime.device()  # the ensembles train there; draws stay on the CPU (repro.nn.ensemble)
    X, y, classes, pool, test = load_task(p, flatten=True, images=inputs.get("images"))
    g = generator(seed, 0)
    population = pool[torch.randperm(len(pool), generator=g)[: p["n"]]]
    Xp, clean = X[population].to(dev), y[population]
    labels = noisy_labels(clean, p["label_noise"], classes, g)
    idx, mask = subset_masks(p["n"], p["runs"], p["ratio"], g)
    K = p["runs"]
    members = [{"seed": seed, "replica": k} for k in range(K)]  # model k of subset k, at every width
    Y = labels.expand(K, -1)
    opt = EnsembleOptim(**p["optim"])
    T = float(p.get("kd_temperature", 1.0))
    kd_opt = EnsembleOptim(**(p["optim"] | {"lr": p["optim"]["lr"] * T ** 2}))  # loss × T² as lr × T²
    noisy = (labels != clean).numpy()
    rng = np.random.default_rng(seed)
    sizes, teacher_soft, teacher = {}, None, {}
    for arm in ("standard", "distilled"):
        for width in p["widths"]:
            if arm == "distilled" and width == p["teacher_width"]:
                continue  # the teacher itself
            tag = (width, int(arm == "distilled"))
            model = MLPEnsemble(K, [X.shape[1], width, classes], generators=member_generators(members, INIT, *tag)).to(dev)
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
                correct = (logits.argmax(-1) == labels).numpy()
                test_acc = (predict_shared(model, X[test]).argmax(-1) == y[test]).float().mean(1)
                own = probs.gather(-1, labels.expand(K, -1).unsqueeze(-1)).squeeze(-1)
                loss = F.cross_entropy(logits.transpose(1, 2), labels.expand(K, -1), reduction="none")
            m = mask.numpy()
            inside = lambda v: np.where(m, v.numpy(), np.nan)  # noqa: E731
            with np.errstate(invalid="ignore"):
                sizes[f"{arm}/{width}"] = {
                    "arm": arm, "width": width,
                    "memorisation": memorisation(correct, m).tolist(),
                    "memorisation_se": bootstrap_se(correct, m, rng, p["bootstrap"]).tolist(),
                    "loss": np.nanmean(inside(loss), 0).tolist(),
                    "confidence": np.nanmean(inside(own), 0).tolist(),
                    "learning_speed": np.nanmean(inside(speed / max(fit["epochs"])), 0).tolist(),
                    "train_accuracy": float(np.nanmean(np.where(m, correct, np.nan))),
                    # how much of its own subset's mislabelled examples a model fits (their given label)
                    "noisy_train_accuracy": float(np.nanmean(np.where(m & noisy, correct, np.nan))),
                    "test_accuracy": float(test_acc.mean()),
                }
            print(f"{arm} width {width}: train acc {sizes[f'{arm}/{width}']['train_accuracy']:.3f} "
                  f"(mislabelled {sizes[f'{arm}/{width}']['noisy_train_accuracy']:.3f}) "
                  f"test acc {float(test_acc.mean()):.3f} epochs {max(fit['epochs'])}", flush=True)
            if arm == "standard" and width == p["teacher_width"]:
                teacher_soft = soft_targets(logits, T).detach()
                top = teacher_soft.max(-1).values.numpy()
                teacher = {"temperature": T,  # the teacher's top soft label on its own training examples
                           "top_probability": float(np.mean(top[m])),
                           "top_probability_mislabelled": float(np.mean(top[m & noisy]))}
    write_json(outputs["metrics"], {"seed": seed, "noisy": (labels != clean).tolist(), "sizes": list(sizes.values()),
                                    "teacher": teacher})
