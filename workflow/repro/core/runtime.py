"""Where a stage runs: threads from the rule, CUDA when the job asked for a GPU.

A job whose rule asked for a GPU (`resources: gpu=N`, full scale) and that sees none fails at once
(`configure` raises NoGPUError), rather than training for days on the CPU threads of a GPU node. The
opt-in `REPRO_ALLOW_CPU_FOR_GPU_JOBS=1` lets such a job run on the CPU instead: for test clusters whose
GPU is fake (tests/test_slurm.py) and for full-scale code paths run on stand-ins (tests).

Precision: on the CPU everything is fp32 with TF32 irrelevant, so mini-scale numbers stay deterministic.
On CUDA, `autocast` gives bf16 mixed precision (the GPT trainer), `tf32` allows TF32 matrix products
and convolutions inside a block (the batched-ensemble training steps), and `fp32` forbids them
(measurements: margins, norms, predictions)."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import torch

ALLOW_CPU_ENV = "REPRO_ALLOW_CPU_FOR_GPU_JOBS"
_gpus_requested = 0


class NoGPUError(RuntimeError):
    """A job that asked for a GPU sees none."""


def allow_cpu_for_gpu_jobs() -> bool:
    """True if $REPRO_ALLOW_CPU_FOR_GPU_JOBS is set to 1/true/yes (the documented opt-in)."""
    return os.environ.get(ALLOW_CPU_ENV, "").strip().lower() in ("1", "true", "yes")


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed blocks for reuse instead of returning them to the OS: by default a
    block ≥ 128 KiB (a training step's activations and gradients) is mmap-ed and munmap-ed every step, and
    each reuse page-faults it in again. Thresholds of 32 MiB (mmap) and 512 MiB (trim) keep them in the heap;
    `make bench` measures the effect on the ntp_pitfalls mini step. No effect on any number computed.
    Returns False where there is no glibc (then nothing changes)."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
        return bool(libc.mallopt(m_mmap_threshold, 32 << 20) and libc.mallopt(m_trim_threshold, 512 << 20))
    except (OSError, AttributeError, TypeError):
        return False


def configure(threads: int, gpus: int = 0) -> None:
    """Called once per job by the stage adapter with the rule's `threads` and `gpu` resource. Raises
    NoGPUError if the job asked for a GPU and none is visible, unless the opt-in is set."""
    global _gpus_requested
    _gpus_requested = int(gpus or 0)
    keep_freed_memory()
    torch.set_num_threads(max(1, int(threads)))
    if _gpus_requested > 0 and not torch.cuda.is_available() and not allow_cpu_for_gpu_jobs():
        raise NoGPUError(_no_gpu_message(_gpus_requested))


def gpus_requested(resources) -> int:
    """The GPUs a job's resources ask for: `gpu` (SLURM --gpus), or a `gres` "gpu:N" / "gpu:model:N"
    (--gres, with `--config gpu_request=gres`)."""
    n = int(resources.get("gpu", 0) or 0)
    for part in str(resources.get("gres", "") or "").split(","):
        bits = part.strip().split(":")
        if bits[0] == "gpu":
            n = max(n, int(bits[-1]) if len(bits) > 1 and bits[-1].isdigit() else 1)
    return n


def _no_gpu_message(gpus: int) -> str:
    build = (f"this torch {torch.__version__} is a CPU-only build" if torch.version.cuda is None
             else f"torch {torch.__version__} (CUDA {torch.version.cuda}) finds no usable device")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    return (f"this job asked for {gpus} GPU(s) (rule resource gpu or gres, from the config's "
            f"resources.train.gpu) but sees none: {build}; CUDA_VISIBLE_DEVICES="
            f"{visible if visible is not None else '(unset)'}. Check that the cluster gave the job a GPU "
            f"(profiles/slurm: --gpus or --gres) and that the job's environment has a CUDA build of torch. "
            f"To run GPU-tagged jobs on the CPU on purpose (a test cluster with a fake GPU; stand-in data), "
            f"set {ALLOW_CPU_ENV}=1; to run the whole workflow without GPUs, use the mini scale "
            f"(config/config.yaml) or set resources.train.gpu: 0 for the paper.")


def device() -> torch.device:
    """cuda if this job requested a GPU and one is visible, else cpu (mini scale, tests, the opt-in)."""
    if _gpus_requested > 0 and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA (training, and decoding at full scale); a no-op on the CPU, so that
    mini-scale numbers stay fp32 and deterministic."""
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()


@contextlib.contextmanager
def _matmul_precision(device: torch.device, allow_tf32: bool) -> Iterator[None]:
    if device.type != "cuda":
        yield  # the CPU: fp32 whatever the flags say
        return
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = allow_tf32
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def tf32(device: torch.device) -> contextlib.AbstractContextManager:
    """TF32 matrix products and convolutions on CUDA inside the block (SGD steps, where the gradient
    noise dwarfs TF32's 10-bit mantissa); a no-op on the CPU."""
    return _matmul_precision(device, True)


def fp32(device: torch.device) -> contextlib.AbstractContextManager:
    """Full fp32 on CUDA inside the block (cuDNN allows TF32 convolutions by default): measurements such as
    margins, stopping criteria, predictions and norms; a no-op on the CPU."""
    return _matmul_precision(device, False)
