"""Where a stage runs: threads from the rule, CUDA only when the job asked for a GPU and one exists."""
from __future__ import annotations

import contextlib

import torch

_gpus_requested = 0


def configure(threads: int, gpus: int = 0) -> None:
    """Called once per job by the stage adapter with the rule's `threads` and `gpu` resource."""
    global _gpus_requested
    _gpus_requested = int(gpus or 0)
    torch.set_num_threads(max(1, int(threads)))


def device() -> torch.device:
    """cuda if this job requested a GPU and one is visible, else cpu (mini scale, tests)."""
    if _gpus_requested > 0 and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA (training, and decoding at full scale); a no-op on the CPU, so that
    mini-scale numbers stay fp32 and deterministic."""
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()
