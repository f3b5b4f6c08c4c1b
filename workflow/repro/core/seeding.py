"""Seeding for bitwise-repeatable CPU runs."""
from __future__ import annotations

import os
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch, and ask torch for deterministic kernels."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False


def generator(*seeds: int) -> torch.Generator:
    """A CPU generator seeded from a tuple of ints (e.g. (run_seed, step)), independent of global state."""
    g = torch.Generator()
    g.manual_seed(hash_seeds(*seeds))
    return g


def hash_seeds(*seeds: int) -> int:
    """Mix several ints into one 63-bit seed (stable across processes, unlike hash())."""
    return int(np.random.SeedSequence(list(seeds)).generate_state(1, dtype=np.uint64)[0] >> 1)
