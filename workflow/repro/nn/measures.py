"""Capacity and generalisation measures of trained networks, shared by the generalisation papers.

Weights are batched ([K, fan_in, fan_out] per layer, as in MLPEnsemble) so every measure is returned
per member, [K]. The bound quantities follow the papers' numerators, divided by γ√m:
  Neyshabur et al. 2018: B·D·√H·∏‖W‖₂·sqrt(Σ‖W−Z‖²_F/‖W‖₂²)
  Bartlett et al. 2017:  B·∏‖W‖₂·(Σ(‖W−Z‖₂,₁/‖W‖₂)^(2/3))^(3/2)
with B = max‖x‖ over the training data, D layers, H hidden width, Z the initial weights.
"""
from __future__ import annotations

import math

import torch



def spectral(w: torch.Tensor) -> torch.Tensor:
    return torch.linalg.matrix_norm(w, ord=2)


def frobenius(w: torch.Tensor) -> torch.Tensor:
    return torch.linalg.matrix_norm(w)


def l21(w: torch.Tensor) -> torch.Tensor:
    """Sum over units of the ℓ2 norm of each unit's incoming weights (columns of [K, in, out])."""
    return w.norm(dim=1).sum(-1)


def distance_from_init(weights: list[torch.Tensor], init: list[torch.Tensor]) -> torch.Tensor:
    return torch.sqrt(sum(((w - z) ** 2).flatten(1).sum(1) for w, z in zip(weights, init)))


def neyshabur18(weights, init, max_input_norm: float, margin: float, m: int) -> torch.Tensor:
    D, H = len(weights), max(w.shape[-1] for w in weights[:-1]) if len(weights) > 1 else weights[0].shape[-1]
    prod = torch.stack([spectral(w) for w in weights]).prod(0)
    ratio = sum(frobenius(w - z) ** 2 / spectral(w) ** 2 for w, z in zip(weights, init))
    return max_input_norm * D * math.sqrt(H) * prod * torch.sqrt(ratio) / (margin * math.sqrt(m))


def bartlett17(weights, init, max_input_norm: float, margin: float, m: int) -> torch.Tensor:
    prod = torch.stack([spectral(w) for w in weights]).prod(0)
    s = sum((l21(w - z) / spectral(w)) ** (2 / 3) for w, z in zip(weights, init)) ** 1.5
    return max_input_norm * prod * s / (margin * math.sqrt(m))


def error(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Error rate per member: pred [K, N] class indices."""
    return (pred != y).float().mean(-1)


def disagreement(pred_a: torch.Tensor, pred_b: torch.Tensor) -> torch.Tensor:
    return (pred_a != pred_b).float().mean(-1)


def calibration_errors(votes: torch.Tensor, y: torch.Tensor, bins: int) -> dict:
    """ECE and class-aggregated calibration error (CACE) of an ensemble, as in Jiang et al. 2022.
    votes [N, C]: the ensemble's one-hot vote shares h̃_k(x). ECE bins the top-class confidence;
    CACE bins every (x, k) pair by h̃_k(x) and compares the bin's mean confidence with the share of
    its pairs where k is the label, weighted by the bin's share of all pairs (summed over classes)."""
    N, C = votes.shape
    edges = torch.linspace(0, 1, bins + 1)
    conf, top = votes.max(1)
    ece = _binned_gap(conf, (top == y).float(), edges) if N else 0.0
    is_label = torch.nn.functional.one_hot(y, C).float()
    cace = _binned_gap(votes.flatten(), is_label.flatten(), edges) * C
    reliability = _reliability(votes.flatten(), is_label.flatten(), edges)
    return {"ece": float(ece), "cace": float(cace), "reliability": reliability}


def _bin_index(p: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
    return torch.clamp(torch.bucketize(p, edges[1:-1], right=True), 0, len(edges) - 2)


def _binned_gap(p: torch.Tensor, hit: torch.Tensor, edges: torch.Tensor) -> float:
    b = _bin_index(p, edges)
    n = torch.bincount(b, minlength=len(edges) - 1).float()
    gap = (torch.bincount(b, weights=p, minlength=len(edges) - 1) - torch.bincount(b, weights=hit, minlength=len(edges) - 1)).abs()
    return float(gap.sum() / max(len(p), 1)) if n.sum() else 0.0


def _reliability(p, hit, edges) -> list[dict]:
    b = _bin_index(p, edges)
    rows = []
    for i in range(len(edges) - 1):
        sel = b == i
        if sel.any():
            rows.append({"bin": i, "confidence": float(p[sel].mean()), "accuracy": float(hit[sel].mean()),
                         "share": float(sel.float().mean())})
    return rows


def hidden_norms_and_jacobians(weights: list[torch.Tensor], x: torch.Tensor) -> dict:
    """Noise-resilience terms of a bias-free ReLU MLP on inputs x [K, N, d], each the max (or min)
    over the N points, per member and per layer:
      hidden[l]   max ‖h_l(x)‖ (h_0 = x), the input to layer l;
      jacobian[l] max ‖∂f/∂h_l‖₂ (spectral norm of the Jacobian from layer l's input to the output);
      preact[l]   min over points of the smallest |pre-activation| of hidden layer l, as a low quantile
                  (the paper's condition that pre-activations are not too small)."""
    x = x.to(weights[0].device)
    h, hs, pres, masks = x, [], [], []
    for i, w in enumerate(weights):
        hs.append(h)
        h = torch.bmm(h, w)
        if i < len(weights) - 1:
            pres.append(h)
            masks.append((h > 0).float())
            h = torch.relu(h)
    # Jacobian of the output w.r.t. layer l's input, per point: W_l D_l W_{l+1} ... (row-vector convention)
    J = weights[-1].unsqueeze(1).expand(-1, x.shape[1], -1, -1)  # [K, N, H_last, C]
    jac = [None] * len(weights)
    jac[-1] = torch.linalg.matrix_norm(J, ord=2).amax(1)
    K, N = x.shape[:2]
    for i in range(len(weights) - 2, -1, -1):
        gated = (masks[i].unsqueeze(-1) * J).permute(0, 2, 1, 3).reshape(K, weights[i].shape[2], -1)  # [K, fan_out, N·C]
        J = torch.bmm(weights[i], gated).view(K, weights[i].shape[1], N, -1).permute(0, 2, 1, 3)  # [K, N, fan_in, C]
        jac[i] = torch.linalg.matrix_norm(J, ord=2).amax(1)
    return {"hidden": [v.norm(dim=-1).amax(1) for v in hs], "jacobian": jac,
            "preact": [row_quantile(p.abs().flatten(1), 0.01) for p in pres]}


def row_quantile(x: torch.Tensor, q: float) -> torch.Tensor:
    """torch.quantile(x, q, dim=1) (linear interpolation), also for rows longer than the 2^24 elements
    torch.quantile accepts (full-scale N × width): there from the two order statistics around the position."""
    n = x.shape[1]
    if n <= 2**24:
        return torch.quantile(x, q, dim=1)
    pos = (n - 1) * q
    lo = x.kthvalue(int(pos) + 1, dim=1).values
    hi = x.kthvalue(min(int(pos) + 2, n), dim=1).values
    return torch.lerp(lo, hi, pos - int(pos))
