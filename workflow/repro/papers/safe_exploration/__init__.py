"""Provably safe PAC-MDP exploration using analogies (Roderick, Nagarajan & Kolter, 2021)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"run": "run", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
