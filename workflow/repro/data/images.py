"""Labelled images as tensors [N, C, H, W] in [0, 1]: scikit-learn's bundled 8×8 digits offline
(mini scale), or any hub image set (full scale: MNIST, CIFAR-10/100, SVHN)."""
from __future__ import annotations

import numpy as np
import torch


def load_images(source: dict, split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """source: {name: digits} or {name, hub_id, image_column, label_column[, config]}."""
    if source["name"] == "digits":
        from sklearn.datasets import load_digits
        d = load_digits()
        return torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1), torch.tensor(d.target)
    from repro.data.hf import load_hub  # full scale only: needs the network
    ds = load_hub(source["hub_id"], split=split, **({"name": source["config"]} if "config" in source else {}))
    ds = ds.with_format("numpy")[:]
    x = np.stack(ds[source["image_column"]]).astype(np.float32) / 255.0
    x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)  # grey [N, H, W] or colour [N, H, W, C]
    return torch.tensor(x), torch.tensor(np.asarray(ds[source["label_column"]]), dtype=torch.long)


def load_task(p: dict, flatten: bool = False) -> tuple[torch.Tensor, torch.Tensor, int, torch.Tensor, torch.Tensor]:
    """A paper's images (flattened if asked), labels, number of classes, and its fixed split into a
    training pool and held-out test indices, from its params (source, n_test, split_seed)."""
    X, y = load_images(p["source"])
    pool, test = split_pool(len(y), p["n_test"], p["split_seed"])
    return (X.flatten(1) if flatten else X), y, int(y.max()) + 1, pool, test


def split_pool(n: int, n_test: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed random split of n examples into a training pool and n_test held-out ones."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return perm[n_test:], perm[:n_test]


def noisy_labels(y: torch.Tensor, share: float, classes: int, g: torch.Generator) -> torch.Tensor:
    """y with a random `share` of labels replaced by uniformly random classes (share 1: random labels)."""
    flip = torch.rand(len(y), generator=g) < share
    return torch.where(flip, torch.randint(classes, y.shape, generator=g), y)
