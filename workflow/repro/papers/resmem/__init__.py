"""ResMem: learn what you can and memorize the rest (Yang, Lukasik, Nagarajan et al., 2023)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train_images": "images", "regression": "regression", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
