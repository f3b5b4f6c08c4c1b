"""Generalization in deep networks: the role of distance from initialization (Nagarajan & Kolter, 2017)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
