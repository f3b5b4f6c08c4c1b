"""Unstructured pruning of a GPT's block `nn.Linear` weights, without retraining (Jin et al., 2023).
Embeddings, the (tied) head, positions and LayerNorms are never pruned.

- magnitude: one global threshold on |W| over every block linear;
- Wanda (Sun et al., 2024): score |W_ij| · ‖X_j‖₂, with X_j the j-th input feature of that layer over
  a batch of calibration tokens, and the lowest scores removed within each output row.
"""
from __future__ import annotations

import copy

import torch
from torch import Tensor, nn


def block_linears(model: nn.Module) -> dict[str, nn.Linear]:
    return {name: m for name, m in model.named_modules() if isinstance(m, nn.Linear) and ".blocks." in f".{name}"}


@torch.no_grad()
def input_norms(model: nn.Module, calibration: Tensor) -> dict[str, Tensor]:
    """‖X_j‖₂ of each block linear's input features over the calibration batch (one forward pass)."""
    norms, hooks = {}, []
    for name, layer in block_linears(model).items():
        def hook(_m, args, _out, name=name):
            norms[name] = args[0].reshape(-1, args[0].shape[-1]).float().norm(dim=0)
        hooks.append(layer.register_forward_hook(hook))
    try:
        model.hidden(calibration)
    finally:
        for h in hooks:
            h.remove()
    return norms


def magnitude_masks(model: nn.Module, sparsity: float) -> dict[str, Tensor]:
    layers = block_linears(model)
    scores = torch.cat([layer.weight.abs().flatten() for layer in layers.values()])
    n_prune = int(round(sparsity * scores.numel()))
    if n_prune == 0:
        return {name: torch.ones_like(layer.weight, dtype=torch.bool) for name, layer in layers.items()}
    threshold = scores.kthvalue(n_prune).values
    return {name: layer.weight.abs() > threshold for name, layer in layers.items()}


def wanda_masks(model: nn.Module, sparsity: float, calibration: Tensor) -> dict[str, Tensor]:
    norms = input_norms(model, calibration)
    masks = {}
    for name, layer in block_linears(model).items():
        score = layer.weight.abs() * norms[name]
        n_prune = int(round(sparsity * score.shape[1]))
        keep = torch.ones_like(score, dtype=torch.bool)
        if n_prune:
            keep.scatter_(1, score.argsort(dim=1)[:, :n_prune], False)
        masks[name] = keep
    return masks


@torch.no_grad()
def pruned(model: nn.Module, method: str, sparsity: float, calibration: Tensor | None = None) -> nn.Module:
    """A copy of `model` with the given share of its block-linear weights set to zero."""
    if not 0 <= sparsity < 1:
        raise ValueError(f"sparsity must be in [0, 1), got {sparsity}")
    if method == "magnitude":
        masks = magnitude_masks(model, sparsity)
    elif method == "wanda":
        if calibration is None:
            raise ValueError("Wanda needs calibration inputs")
        masks = wanda_masks(model, sparsity, calibration)
    else:
        raise ValueError(f"unknown pruning method {method!r}")
    out = copy.deepcopy(model)
    for name, layer in block_linears(out).items():
        layer.weight.mul_(masks[name])
    return out


def sparsity_of(model: nn.Module) -> float:
    weights = [layer.weight for layer in block_linears(model).values()]
    return sum(int((w == 0).sum()) for w in weights) / sum(w.numel() for w in weights)
