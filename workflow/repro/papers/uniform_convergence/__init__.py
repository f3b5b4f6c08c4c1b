"""Uniform convergence may be unable to explain generalization in deep learning (Nagarajan & Kolter, 2019)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train_images": "train", "train_spheres": "train", "train_bounds": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
