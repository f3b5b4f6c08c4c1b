"""He et al.'s CIFAR ResNets (ResNet-20, -32, -44, -56, -110, ...): the models of the distillation,
memorisation and ResMem papers' CIFAR experiments, which torchvision does not ship.

He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, §4.2: a 3×3 convolution
with 16 filters, then three stages of n basic blocks (two 3×3 convolutions, each followed by BatchNorm)
with 16, 32 and 64 filters on 32×32, 16×16 and 8×8 maps (the first block of stages 2 and 3 has stride 2),
global average pooling and a linear classifier: 6n + 2 weighted layers. Shortcuts are identities; where the
map halves and the filters double, the shortcut subsamples and pads the new channels with zeros (the paper's
option A, parameter-free, used for all its CIFAR models). Convolutions are initialised as He et al. 2015
(normal, fan-out, gain √2), BatchNorm to the identity, the classifier as torch's nn.Linear default.
"""
from __future__ import annotations

import math
import re

import torch
import torch.nn.functional as F
from torch import Tensor, nn

_NAME = re.compile(r"cifar_resnet(\d+)(?:x(\d+))?")


def parse_cifar_resnet(arch: str) -> tuple[int, int] | None:
    """("cifar_resnet56" → (56, 1), "cifar_resnet20x4" → (20, 4): depth and width multiplier), or None if
    `arch` is not a CIFAR ResNet name. Raises ValueError for a depth that is not 6n + 2."""
    match = _NAME.fullmatch(arch)
    if match is None:
        return None
    depth, widen = int(match[1]), int(match[2] or 1)
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"{arch}: a CIFAR ResNet's depth is 6n + 2 with n ≥ 1 (8, 14, 20, 32, 44, 56, 110, ...)")
    return depth, widen


class BasicBlock(nn.Module):
    """conv3×3 → BN → ReLU → conv3×3 → BN, plus the shortcut, then ReLU. (B, c_in, H, W) → (B, c_out, H/s, W/s)."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.stride, self.pad = stride, c_out - c_in

    def forward(self, x: Tensor) -> Tensor:
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
        if self.pad:  # option A: the new channels' shortcut is zero
            shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, self.pad))
        return F.relu(out + shortcut)


class CifarResNet(nn.Module):
    """A CIFAR ResNet of `depth` = 6n + 2 layers and 16·widen, 32·widen, 64·widen filters per stage.
    forward: (B, in_channels, H, W) → (B, classes); features: → (B, 64·widen), the pooled representation the
    classifier reads (ResMem's embedding). generator: the draws of the initial weights (None: torch's global
    RNG). Raises ValueError for a depth that is not 6n + 2."""

    def __init__(self, depth: int, classes: int, in_channels: int = 3, widen: int = 1,
                 generator: torch.Generator | None = None):
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f"CifarResNet: depth {depth} is not 6n + 2 with n ≥ 1")
        n, widths = (depth - 2) // 6, [16 * widen, 32 * widen, 64 * widen]
        with torch.random.fork_rng(devices=[]):  # the default init, replaced below: its draws are undone
            self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            blocks, c_in = [], widths[0]
            for stage, c_out in enumerate(widths):
                for i in range(n):
                    blocks.append(BasicBlock(c_in, c_out, 2 if stage > 0 and i == 0 else 1))
                    c_in = c_out
            self.blocks = nn.Sequential(*blocks)
            self.fc = nn.Linear(widths[-1], classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu", generator=generator)
        bound = 1 / math.sqrt(widths[-1])  # nn.Linear's default, drawn from the generator
        nn.init.uniform_(self.fc.weight, -bound, bound, generator=generator)
        nn.init.uniform_(self.fc.bias, -bound, bound, generator=generator)

    def features(self, x: Tensor) -> Tensor:
        return self.blocks(F.relu(self.bn1(self.conv1(x)))).mean((2, 3))

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.features(x))
