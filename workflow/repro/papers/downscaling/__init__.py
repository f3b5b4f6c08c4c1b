"""The cost of down-scaling language models (Jin et al., 2023): fact recall vs in-context learning."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train": "train", "prune": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
