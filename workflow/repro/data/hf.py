"""Save/load generated data as Hugging Face `datasets` folders, atomically."""
from __future__ import annotations

from pathlib import Path

import datasets

from repro.core.io import atomic_path, write_json


def save_dataset(ds: datasets.Dataset | datasets.DatasetDict, path: str | Path, spec: dict | None = None) -> None:
    """Write the data set folder atomically; `spec` (how it was generated) goes beside it as spec.json."""
    with atomic_path(path) as tmp:
        ds.save_to_disk(str(tmp))
        if spec is not None:
            write_json(Path(tmp) / "spec.json", spec)


def load_dataset_dir(path: str | Path) -> datasets.Dataset | datasets.DatasetDict:
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: expected a dataset folder written by save_dataset")
    return datasets.load_from_disk(str(path))


def load_hub(dataset_id: str, split: str, **kwargs) -> datasets.Dataset:
    """Paper-scale data from the hub (never used at mini scale, which must run offline)."""
    return datasets.load_dataset(dataset_id, split=split, **kwargs)
