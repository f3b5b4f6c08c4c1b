"""The pitfalls of next-token prediction (Bachmann & Nagarajan, 2024): path-star graphs."""
from repro.papers._lazy import lazy_stages

_STAGES = {"make_data": "data", "train": "train", "evaluate": "evaluate", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
