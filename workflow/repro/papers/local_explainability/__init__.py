"""A learning theoretic perspective on local explainability (Li, Nagarajan, Plumb & Talwalkar, 2021)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"explain": "explain", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
