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
    """Mix several non-negative ints (< 2**64) into one 63-bit seed, stable across processes (unlike
    hash()) and one-to-one on tuples: the length comes first and every int takes two 32-bit words, so
    (s,), (s, 0) and (s, 0, 0) are different streams, as are (3, 2**32) and (3, 0, 1).
    Raises ValueError for a negative or too large int."""
    words = [len(seeds)]
    for s in seeds:
        s = int(s)
        if not 0 <= s < 2**64:
            raise ValueError(f"hash_seeds: {s} is not in [0, 2**64)")
        words += [s & 0xFFFFFFFF, s >> 32]
    return int(np.random.SeedSequence(words).generate_state(1, dtype=np.uint64)[0] >> 1)
