"""Revisiting adversarial risk (Suggala, Prasad, Nagarajan & Ravikumar, 2019)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"family_1d": "toy", "train_2d": "toy", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
