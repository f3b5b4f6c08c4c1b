"""Learning-theoretic foundations of algorithm configuration for combinatorial partitioning
problems (Balcan, Nagarajan, Vitercik & White, 2017): a theory paper, illustrated."""
from repro.papers._lazy import lazy_stages

_STAGES = {"utilities": "stages", "merge_trees": "stages", "render": "render"}
__all__ = list(_STAGES)
__getattr__ = lazy_stages(__name__, _STAGES)
