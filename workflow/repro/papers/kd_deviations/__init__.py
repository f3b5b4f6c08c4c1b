"""On student-teacher deviations in distillation (Nagarajan, Menon, Bhojanapalli, Mobahi & Kumar, 2023)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"linear": "linear", "train_images": "images", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
