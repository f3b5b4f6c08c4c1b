"""Lifelong learning in costly feature spaces (Balcan, Blum & Nagarajan, 2017): a theory paper,
illustrated."""
from repro.papers._lazy import lazy_stages

_STAGES = {"run_stream": "learners", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
