"""What do larger image classifiers memorise? (Lukasik, Nagarajan, Rawat, Menon & Kumar, 2023)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train": "train", "merge": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
