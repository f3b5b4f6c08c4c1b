"""Explaining generalization in deep learning: progress and fundamental limits (Nagarajan, 2021)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
