"""Subsampled training, shared by the memorisation and distillation papers: K models, each trained on
a fixed random subset (ratio r) of a population of n examples; the masks are kept so every model's
per-example correctness can be split into "example in my training set" and "held out".

Feldman's memorisation estimate of example i:
    mem(i) = mean over runs with i ∈ S_k of 1[h_k(x_i) = y_i] − mean over runs with i ∉ S_k of the same.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch


def subset_masks(n: int, K: int, ratio: float, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """K random subsets of round(ratio·n) of range(n): indices [K, m] and membership masks [K, n]."""
    m = round(ratio * n)
    idx = torch.stack([torch.randperm(n, generator=g)[:m] for _ in range(K)])
    mask = torch.zeros(K, n, dtype=torch.bool)
    mask[torch.arange(K).unsqueeze(1), idx] = True
    return idx, mask


def memorisation(correct: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """correct, mask: [K, n] booleans. Examples never (or always) held out get NaN."""
    correct, mask = correct.astype(float), mask.astype(bool)
    inside = np.where(mask, correct, np.nan)
    outside = np.where(~mask, correct, np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice" → NaN, as documented
        return np.nanmean(inside, 0) - np.nanmean(outside, 0)


def bootstrap_se(correct: np.ndarray, mask: np.ndarray, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """Per-example standard error of the memorisation estimate, resampling the K runs."""
    K = len(mask)
    draws = np.stack([memorisation(correct[i], mask[i]) for i in (rng.integers(0, K, K) for _ in range(resamples))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(draws, 0)
