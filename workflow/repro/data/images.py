"""Labelled images as tensors [N, C, H, W] in [0, 1]: scikit-learn's bundled 8×8 digits offline
(mini scale), or a hub image set (full scale: MNIST, CIFAR-10/100, SVHN) that the localrule
`fetch_images` (workflow/rules/images.smk) downloaded once to results/data/images/<name>: cluster jobs
read only that folder, never the network (compute nodes often have none)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def fetch_images(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Stage of the localrule fetch_images: the train split of the hub image set `params` (an image
    source: hub_id, image_column, label_column[, config]) decoded once and saved as a `datasets` folder
    with columns image (uint8 [C, H, W]) and label (int64), the source beside it in spec.json."""
    import datasets

    from repro.data.hf import load_hub, save_dataset
    source = params
    ds = load_hub(source["hub_id"], split="train", **({"name": source["config"]} if "config" in source else {}))
    ds = ds.with_format("numpy")[:]
    x = np.stack(ds[source["image_column"]])
    x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)  # grey [N, H, W] or colour [N, H, W, C]
    if x.dtype != np.uint8:
        raise ValueError(f"{source['hub_id']}: column {source['image_column']!r} holds {x.dtype} pixels, expected "
                         "8-bit images")
    y = np.asarray(ds[source["label_column"]], dtype=np.int64)
    features = datasets.Features({"image": datasets.Array3D(x.shape[1:], "uint8"), "label": datasets.Value("int64")})
    out = datasets.Dataset.from_dict({"image": x, "label": y}, features=features)
    save_dataset(out, outputs["images"], spec=dict(source))
    print(f"{source['hub_id']}: {len(y)} images {tuple(x.shape[1:])}, {int(y.max()) + 1} classes", flush=True)


def load_images(source: dict, path: str | Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """source: {name: digits} (bundled), or an image source whose fetch_images folder is `path`."""
    if source["name"] == "digits":
        from sklearn.datasets import load_digits
        d = load_digits()
        return torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1), torch.tensor(d.target)
    if path is None:
        raise FileNotFoundError(f"image set {source['name']!r} ({source.get('hub_id')}): no folder given; full-scale "
                                f"jobs read results/data/images/{source['name']}, written by the localrule "
                                "fetch_images (the rule's input `images`)")
    from repro.core.io import read_json
    from repro.data.hf import load_dataset_dir
    spec = read_json(Path(path) / "spec.json")
    if spec.get("hub_id") != source.get("hub_id") or spec.get("config") != source.get("config"):
        raise ValueError(f"{path}: holds {spec.get('hub_id')} ({spec.get('config')}), but the config asks for "
                         f"{source.get('hub_id')} ({source.get('config')}); rerun fetch_images")
    ds = load_dataset_dir(path).with_format("numpy")
    x = ds["image"][:].astype(np.float32) / 255.0
    return torch.tensor(x), torch.tensor(np.asarray(ds["label"][:]), dtype=torch.long)


def load_task(p: dict, flatten: bool = False, images: str | Path | None = None
              ) -> tuple[torch.Tensor, torch.Tensor, int, torch.Tensor, torch.Tensor]:
    """A paper's images (flattened if asked), labels, number of classes, and its fixed split into a
    training pool and held-out test indices, from its params (source, n_test, split_seed); `images`: the
    fetch_images folder of a hub source (the job's input `images`)."""
    X, y = load_images(p["source"], images)
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
