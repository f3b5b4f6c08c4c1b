"""Learning-theoretic foundations of algorithm configuration for combinatorial partitioning
problems (Balcan, Nagarajan, Vitercik & White, 2017): a theory paper, illustrated.

Stages are imported lazily, so compute jobs do not pay for the plotting imports."""
import importlib

_STAGES = {"utilities": "stages", "merge_trees": "stages", "render": "render"}
__all__ = list(_STAGES)


def __getattr__(name: str):
    if name in _STAGES:
        return getattr(importlib.import_module(f"{__name__}.{_STAGES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
