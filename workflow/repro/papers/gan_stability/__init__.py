"""Gradient descent GAN optimization is locally stable (Nagarajan & Kolter, 2017)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"toy_dynamics": "toy", "train_ring": "ring", "train_images": "images", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
