"""Image GANs with and without the gradient regulariser (the paper's MNIST comparison), as MLPs.
Mini scale: scikit-learn's bundled 8×8 digits; full scale: MNIST (or CIFAR-10) from the hub.
Mode coverage: a logistic-regression classifier fit on the real images labels the generated
ones; a class is covered if at least `min_share` of the samples are confidently
(p ≥ `confidence`) assigned to it."""
from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from torch import Tensor, nn

from repro.core import runtime
from repro.core.io import write_json
from repro.data import images as data_images
from repro.nn.mlp import mlp
from repro.nn.seeds import job_seeds
from repro.papers.gan_stability.ring import init_players, train_gan


def load_images(source: dict, path=None) -> tuple[Tensor, np.ndarray, int]:
    """Flattened images scaled to [-1, 1] (channel-first, so the first side² values are the first
    channel), their labels, and the image side (for display). path: the fetch_images folder of a hub set."""
    x, y = data_images.load_images(source, path)
    return (x * 2 - 1).flatten(1), y.numpy(), x.shape[-1]


def class_coverage(classifier, samples: Tensor, n_classes: int, confidence: float, min_share: float) -> tuple[int, float]:
    proba = classifier.predict_proba(samples.cpu().numpy())
    confident = proba.max(1) >= confidence
    counts = np.bincount(proba.argmax(1)[confident], minlength=n_classes)
    return int((counts >= min_share * len(samples)).sum()), float(confident.mean())


def train_images(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Train the image GAN for `seed`, or for all of `seeds` side by side (outputs `metrics`: one path per seed)."""
    p, eta = params, params["eta"]
    seeds, (paths,) = job_seeds(params, outputs, "metrics")
    dev = runtime.device()
    images, labels, side = load_images(p["source"], inputs.get("images"))
    n_classes = int(labels.max()) + 1
    classifier = LogisticRegression(max_iter=2000).fit(images.numpy(), labels)  # the judge of modes
    dim = images.shape[1]
    g, d = init_players(seeds, lambda: (nn.Sequential(mlp([p["z_dim"], p["hidden"], p["hidden"], dim]), nn.Tanh()),
                                        mlp([dim, p["hidden"], 1], activation=lambda: nn.LeakyReLU(0.2))))

    def measure(samples: Tensor) -> dict:
        covered, confident = class_coverage(classifier, samples, n_classes, p["confidence"], p["min_share"])
        return {"classes": covered, "confident": confident}

    sample_real = lambda n, gen: images[torch.randint(len(images), (n,), generator=gen)]  # noqa: E731
    runs = train_gan(g.to(dev), d.to(dev), p, seeds, sample_real, measure, dev)
    for seed, path, (history, snapshots) in zip(seeds, paths, runs, strict=True):
        write_json(path, {"seed": seed, "eta": eta, "n_classes": n_classes, "side": side,
                          "history": history, "snapshots": snapshots, "final_classes": history[-1]["classes"],
                          "final_confident": history[-1]["confident"], "seeds_in_job": seeds})
