"""Think before you speak: training language models with pause tokens (Goyal et al., 2023)."""
from repro.papers._lazy import lazy_stages

_STAGES = {"fetch_task": "downstream", "pretrain": "train", "finetune": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
