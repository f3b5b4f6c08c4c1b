"""Catch Your Breath: adaptive computation for self-paced sequence production (Galashov et al., 2025)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
