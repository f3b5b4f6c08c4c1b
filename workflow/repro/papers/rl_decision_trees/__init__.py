"""A reinforcement learning approach to online learning of decision trees (Garlapati, Raghunathan,
Nagarajan & Ravindran, 2015)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"make_stream": "streams", "run": "learners", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
