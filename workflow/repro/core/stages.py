"""Resolve and run a stage from a Snakemake job (used by workflow/scripts/stage.py)."""
from __future__ import annotations

import importlib
import inspect
import os
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, Callable

from repro.core import runtime
from repro.core.io import checkpoint_base

CODE_VERSION_ENV = "REPRO_CODE_VERSION"  # the job's `params.code`; part of its checkpoints' run key
# The download stages: they run as localrules on the submitting host (compute nodes often have no network).
# Every other job reads only the disk, so it runs with the Hugging Face hub offline: a stray hub call fails at
# once with an error naming it, instead of hanging on a node without network.
NETWORK_STAGES = frozenset({"data.text.fetch_corpus", "pause_tokens.fetch_task", "data.images.fetch_images",
                            "nn.hf.fetch_checkpoint"})


def main(smk: Any) -> None:
    """Run the job's stage with stdout and stderr in its log (the traceback too, if it fails)."""
    log = Path(smk.log[0]) if smk.log else None
    if log is None:
        run_stage(smk)
    else:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w") as fh, redirect_stdout(fh), redirect_stderr(fh):
            try:
                run_stage(smk)
            except BaseException:
                import traceback
                traceback.print_exc()
                raise
    sys.exit(0)


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
    if stage not in NETWORK_STAGES:
        os.environ["HF_HUB_OFFLINE"] = os.environ["HF_DATASETS_OFFLINE"] = "1"  # before `datasets` is imported
    fn = resolve(stage)
    code = os.environ[CODE_VERSION_ENV] = str(getattr(smk.params, "code", ""))
    runtime.configure(smk.threads, runtime.gpus_requested(smk.resources))  # fails at once if a GPU is missing
    start = time.perf_counter()
    print(f"stage {stage}: code={code} threads={smk.threads} device={runtime.device()}", flush=True)
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
