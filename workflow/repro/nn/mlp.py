"""Small fully connected networks shared by the non-LM papers."""
from __future__ import annotations

from torch import nn


def mlp(sizes: list[int], activation: type[nn.Module] = nn.ReLU, orthogonal_gain: float | None = None) -> nn.Sequential:
    """Linear layers of the given sizes with `activation` between them (none after the last).
    `orthogonal_gain`: orthogonal weight init with that gain and zero biases (else torch's default)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        linear = nn.Linear(n_in, n_out)
        if orthogonal_gain is not None:
            nn.init.orthogonal_(linear.weight, gain=orthogonal_gain)
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)
