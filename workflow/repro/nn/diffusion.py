"""Absorbing-state masked diffusion on top of the shared GPT (built with `causal=False`): a stand-in
for SEDD-absorb (Lou et al., 2024), in the simplified MDLM form (Sahoo et al., 2024) without a
time embedding. Only the answer positions are ever masked; the prompt is always visible.

Training: draw t ~ U(t_min, 1) per sequence, mask each answer token with probability t, and score
the masked tokens with cross-entropy, weighted by 1/t for the ELBO under a linear schedule or flat
(the default: lower variance, and it learned faster in short runs).
Decoding: start from an all-mask answer and unmask one position per step in a random order, sampling
its token (the absorbing process run backwards; greedy confidence-ordered unmasking collapsed onto a
few repeated tokens in our runs).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from repro.nn.gpt import GPT, IGNORE


def weight(t: Tensor, elbo: bool) -> Tensor:
    return 1.0 / t if elbo else torch.ones_like(t)


def mask_answers(x: Tensor, start: int, mask_id: int, gen: torch.Generator, t_min: float = 0.05,
                 elbo: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """(noisy inputs, targets at masked answer positions else IGNORE, per-sequence loss weight:
    1/t for the ELBO, else 1 — the flat weighting trained faster in our short runs)."""
    B, T = x.shape
    t = t_min + (1 - t_min) * torch.rand(B, 1, generator=gen)
    masked = torch.rand(B, T, generator=gen) < t
    masked[:, :start] = False
    noisy = torch.where(masked, torch.full_like(x, mask_id), x)
    return noisy, torch.where(masked, x, torch.full_like(x, IGNORE)), weight(t.squeeze(1), elbo)


class MaskedDiffusion(nn.Module):
    def __init__(self, gpt: GPT):
        super().__init__()
        if gpt.cfg.causal:
            raise ValueError("masked diffusion needs a bidirectional GPT (GPTConfig(causal=False))")
        self.gpt = gpt

    def forward(self, noisy: Tensor, targets: Tensor, weight: Tensor) -> tuple[None, Tensor]:
        h = self.gpt.hidden(noisy)
        scored = targets != IGNORE
        ce = F.cross_entropy(self.gpt.logits(h[scored]).float(), targets[scored], reduction="none")
        per_seq = torch.zeros(len(noisy), device=ce.device).index_add_(0, scored.nonzero()[:, 0], ce)
        return None, (weight * per_seq).sum() / scored.sum().clamp(min=1)  # per masked token

    @torch.no_grad()
    def sample(self, prompt: Tensor, answer_len: int, mask_id: int, generator: torch.Generator) -> Tensor:
        """Ancestral sampling of the absorbing process: unmask one answer position per step, in a
        random order, drawing its token from the model's conditional given everything unmasked."""
        B, P = prompt.shape
        dev = self.gpt.device  # the model runs there; draws are made on the CPU (the same on any device)
        seq = torch.cat([prompt, torch.full((B, answer_len), mask_id, dtype=prompt.dtype)], dim=1).to(dev)
        rows = torch.arange(B, device=dev)
        order = torch.rand(B, answer_len, generator=generator).argsort(-1)
        for step in range(answer_len):
            pos = P + order[:, step].to(dev)
            probs = self.gpt.logits(self.gpt.hidden(seq)[rows, pos]).float().softmax(-1).cpu()
            seq[rows, pos] = torch.multinomial(probs, 1, generator=generator).squeeze(1).to(dev)
        return seq[:, P:].to(prompt.device)
