"""Deterministic PAC-Bayesian generalization bounds via generalizing noise-resilience (Nagarajan & Kolter, 2019)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
