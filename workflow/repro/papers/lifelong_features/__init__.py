"""Lifelong learning in costly feature spaces (Balcan, Blum & Nagarajan, 2017): a theory paper,
illustrated. Stages are imported lazily."""
import importlib

_STAGES = {"run_stream": "learners", "render": "render"}
__all__ = list(_STAGES)


def __getattr__(name: str):
    if name in _STAGES:
        return getattr(importlib.import_module(f"{__name__}.{_STAGES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
