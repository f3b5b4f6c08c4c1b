"""The pitfalls of next-token prediction (Bachmann & Nagarajan, 2024): path-star graphs.

Stages are imported lazily, so a training job does not pay for the plotting imports."""
import importlib

_STAGES = {"make_data": "data", "train": "train", "evaluate": "evaluate", "render": "render"}
__all__ = list(_STAGES)


def __getattr__(name: str):
    if name in _STAGES:
        return getattr(importlib.import_module(f"{__name__}.{_STAGES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
