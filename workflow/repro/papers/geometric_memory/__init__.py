"""Deep sequence models tend to memorize geometrically (Noroozizadeh, Nagarajan et al., 2025)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"tiny": "tiny", "train_star": "star", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
