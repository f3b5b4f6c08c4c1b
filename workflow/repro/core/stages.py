"""Resolve and run a stage from a Snakemake job (used by workflow/scripts/stage.py)."""
from __future__ import annotations

import importlib
import inspect
import time
from pathlib import Path
from typing import Any, Callable

from repro.core import runtime
from repro.nn.trainer import checkpoint_base


def resolve(stage: str) -> Callable[..., None]:
    """'<slug>.<fn>' → repro.papers.<slug>.<fn>; '<pkg>.<module>.<fn>' → repro.<pkg>.<module>.<fn>."""
    module_name, _, fn_name = stage.rpartition(".")
    candidates = [f"repro.papers.{module_name}", f"repro.{module_name}"]
    for name in candidates:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is not None and name.startswith(e.name):
                continue  # this candidate does not exist; try the next
            raise
        fn = getattr(module, fn_name, None)
        if inspect.ismodule(fn):  # e.g. papers/x/train.py shadows the lazily exported x.train
            fn = getattr(fn, fn_name, None)
        if callable(fn):
            return fn
    raise LookupError(f"stage {stage!r}: no function {fn_name!r} in {' or '.join(candidates)}")


def _paths(io: Any) -> dict[str, Path | list[Path]]:
    return {name: [Path(p) for p in value] if isinstance(value, list) else Path(value)
            for name, value in io.items()}


def run_stage(smk: Any) -> None:
    stage = smk.params.stage
    fn = resolve(stage)
    runtime.configure(smk.threads, smk.resources.get("gpu", 0))
    start = time.perf_counter()
    print(f"stage {stage}: threads={smk.threads} device={runtime.device()}", flush=True)
    outputs = _paths(smk.output)
    fn(dict(smk.params.cfg), _paths(smk.input), outputs, smk.threads)
    remove_checkpoints(outputs)
    print(f"stage {stage}: done in {time.perf_counter() - start:.1f}s", flush=True)


def remove_checkpoints(outputs: dict[str, Path | list[Path]]) -> None:
    """Delete the resumable checkpoints of a job that succeeded (repro.nn.trainer.resumable): its
    outputs supersede them, and a later run must not resume them."""
    for out in outputs.values():
        for path in out if isinstance(out, list) else [out]:
            base = checkpoint_base(path)
            for ckpt in base.parent.glob(f"{base.name}*.ckpt"):
                ckpt.unlink()
