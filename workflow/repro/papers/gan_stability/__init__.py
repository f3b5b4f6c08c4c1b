"""Gradient descent GAN optimization is locally stable (Nagarajan & Kolter, 2017).

Stages are imported lazily, so a training job does not pay for the plotting imports."""
import importlib

_STAGES = {"toy_dynamics": "toy", "train_ring": "ring", "render": "render"}
__all__ = list(_STAGES)


def __getattr__(name: str):
    if name in _STAGES:
        return getattr(importlib.import_module(f"{__name__}.{_STAGES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
