"""Pause tokens: extra input positions before an answer (Goyal et al., 2023) and the `<don't know>`
mechanism built on them (Galashov et al., 2025). Data-side helpers for the shared GPT: the pause is an
ordinary learnable input token of the vocabulary, `<don't know>` an output-only class
(`GPTConfig(n_extra_outputs=1)`), and loss masking uses IGNORE targets.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from repro.nn.gpt import IGNORE


def insert_random_pauses(x: Tensor, n_pauses: int, pause_id: int, gen: torch.Generator) -> tuple[Tensor, Tensor]:
    """Pause pretraining: insert n_pauses pauses at uniformly random positions of each row of x (B, T),
    keep the first T tokens, and return (inputs, targets) for next-token training where no loss is
    taken on predicting a pause (targets IGNORE wherever the next token is a pause)."""
    B, T = x.shape
    total = T + n_pauses
    is_pause = torch.zeros(B, total, dtype=torch.bool)
    is_pause.scatter_(1, torch.rand(B, total, generator=gen).argsort(1)[:, :n_pauses], True)
    seq = torch.full((B, total), pause_id, dtype=x.dtype)
    seq[~is_pause] = x.reshape(-1)  # each row has exactly T free slots, filled in order
    seq = seq[:, :T]
    targets = seq[:, 1:].masked_fill(seq[:, 1:] == pause_id, IGNORE)
    return seq[:, :-1], targets


def append_pauses(prompt: Tensor, n_pauses: int, pause_id: int) -> Tensor:
    """Pause finetuning/inference: n_pauses pauses after the prompt; the answer is read after the last."""
    pauses = torch.full((len(prompt), n_pauses), pause_id, dtype=prompt.dtype, device=prompt.device)
    return torch.cat([prompt, pauses], dim=1)


def interleave_pauses(x: Tensor, k: int, pause_id: int) -> Tensor:
    """Catch-your-breath layout: every token is followed by k pause slots, (B, T·(k+1)). Slot j of
    token t (j = 0 is the token itself) is the model's (j+1)-th try at predicting token t+1."""
    B, T = x.shape
    slots = torch.full((B, T, k + 1), pause_id, dtype=x.dtype, device=x.device)
    slots[:, :, 0] = x
    return slots.reshape(B, T * (k + 1))


def stopping_distribution(dont_know: Tensor) -> Tensor:
    """π_j = (1 − h_j) ∏_{i<j} h_i over the k+1 tries, with h_j = P(<don't know>) at try j and the last
    try forced to answer (h_k = 0). dont_know: (..., k+1) → π (..., k+1), summing to 1."""
    h = torch.cat([dont_know[..., :-1], torch.zeros_like(dont_know[..., -1:])], dim=-1)
    survive = torch.cumprod(torch.cat([torch.ones_like(h[..., :1]), h[..., :-1]], dim=-1), dim=-1)
    return (1 - h) * survive


def cyb_loss(logits: Tensor, targets: Tensor, method: str, *, dont_know: int, gamma: float = 0.9,
             budget: float = 0.01, prior: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """Losses over the k+1 tries of each scored token. logits (N, k+1, V+1) with `<don't know>` at
    index dont_know; targets (N,). Returns (loss, π (N, k+1)).

    - "pause_ce": pauses with plain cross-entropy at the last try (the pause baseline);
    - "anytime" (CYB-AP): −log E_π[γ^j p̃_j(y)], the log of the discounted chance that the answer given
      at the stopping try is right (an answer may be demanded at any try; later ones are worth less);
    - "budget" (CYB-DP): E_π[CE of the answer at the stopping try] + budget · E_π[tries];
    - "variational" (CYB-VA): the same expectation + KL(π ‖ prior).
    The answer distribution at try j renormalises away `<don't know>`: p̃_j(y) = p_j(y) / (1 − h_j)."""
    logp = logits.float().log_softmax(-1)
    h = logp[..., dont_know].exp()
    answer_logp = torch.cat([logp[..., :dont_know], logp[..., dont_know + 1:]], dim=-1)
    answer_logp = answer_logp - torch.log1p(-h.clamp(max=1 - 1e-6)).unsqueeze(-1)
    k1 = logits.shape[1]
    ce = -answer_logp.gather(-1, targets.view(-1, 1, 1).expand(-1, k1, 1)).squeeze(-1)  # (N, k+1)
    pi = stopping_distribution(h)
    if method == "pause_ce":
        return F.cross_entropy(logits[:, -1].float(), targets), pi
    if method == "anytime":  # −log E_π[γ^j p̃_j(y)]: discounted probability of a correct answer
        log_discount = torch.arange(k1, dtype=ce.dtype, device=ce.device) * math.log(gamma)
        return -torch.logsumexp(pi.clamp(min=1e-12).log() + log_discount - ce, dim=-1).mean(), pi
    expected = (pi * ce).sum(-1)
    if method == "budget":
        tries = torch.arange(k1, dtype=ce.dtype, device=ce.device)
        return (expected + budget * (pi * tries).sum(-1)).mean(), pi
    if method == "variational":
        prior = (prior if prior is not None else torch.full((k1,), 1 / k1)).to(ce.device)
        kl = (pi * (pi.clamp(min=1e-8).log() - prior.log())).sum(-1)
        return (expected + kl).mean(), pi
    raise ValueError(f"unknown catch-your-breath loss {method!r}")
