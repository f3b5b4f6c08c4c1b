"""Atomic output writing: a killed job never leaves a file a rerun would trust."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling path; rename it onto `path` only if the block succeeds.

    Works for files and directories (e.g. a `datasets` save_to_disk folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    target = tmp / path.name
    try:
        yield target
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        os.replace(target, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_json(path: str | Path, obj: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=_jsonable) + "\n")


def read_json(path: str | Path) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: expected a JSON file produced by an earlier stage") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e})") from None


def write_npz(path: str | Path, arrays: dict) -> None:
    """NumPy arrays by name, compressed (np.savez_compressed), written atomically; read with np.load."""
    import numpy as np

    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:  # a file object: savez would append ".npz" to a path
            np.savez_compressed(f, **arrays)


def save_torch(path: str | Path, obj: Any) -> None:
    import torch  # lazily: render and claims jobs import this module for JSON only (torch costs ~1.5 s)

    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def load_weights(path: str | Path) -> dict:
    """Load what `save_torch` wrote (weights, checkpoints): tensors and plain values only."""
    import torch

    return torch.load(path, map_location="cpu", weights_only=True)


def checkpoint_base(output: Path) -> Path:
    """results/<paper>/<rest> → results/<paper>/ckpt/<rest> (the layout of DESIGN.md: checkpoints are
    not declared outputs, so Snakemake keeps them when a job fails); any other path: itself."""
    parts = output.parts
    return Path(*parts[:2], "ckpt", *parts[2:]) if len(parts) > 2 and parts[0] == "results" else output


def _jsonable(x: Any) -> Any:
    if isinstance(x, Path):
        return str(x)
    if hasattr(x, "item"):
        return x.item()
    if hasattr(x, "tolist"):
        return x.tolist()
    raise TypeError(f"not JSON serialisable: {type(x)}")
