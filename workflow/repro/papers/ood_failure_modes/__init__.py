"""Understanding the failure modes of out-of-distribution generalization (Nagarajan, Andreassen &
Neyshabur, 2021)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"toy": "toy", "max_margin_norms": "digits", "spurious_digits": "digits", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
