"""Roll the dice & look before you leap (Nagarajan, Wu et al., 2025): algorithmic creativity."""
from repro.papers._lazy import lazy_stages

_STAGES = {"train": "train", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
