"""Assessing generalization of SGD via disagreement (Jiang, Nagarajan, Baek & Kolter, 2022)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train_pairs": "train", "train_ensemble": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
