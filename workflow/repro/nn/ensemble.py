"""Batched ensembles: K small networks trained at once, each on its own examples and labels.

Member k's weights are slice k of every parameter ([K, ...]), so a forward pass is one batched matrix
product (MLP) or one grouped convolution (CNN) for all K, which on a CPU is many times faster than K
separate trainings (the per-step Python overhead is paid once). Members stop on their own criterion
(a margin or a loss threshold); a stopped member is frozen while the others go on.

Replications are independent: member k draws its initial weights, its example order and its
augmentation from its own generators (member_generators: its run seed, replica id, purpose and grid
point), so a member trains exactly as it would in any other ensemble, and seed sets never share draws.

Devices: an ensemble trains on the device its parameters are on (move the model with `.to(device)`; full
scale: repro.core.runtime.device()). The members' generators stay on the CPU, so every draw (initial
weights, example orders, augmentation, data subsets, label noise) is made there and the drawn tensors are
moved: a member's draws are the same on every device, and CPU results stay bitwise what they were.
fit_ensemble moves the data it is given to the model's device; predict returns logits on the CPU (where
the measures run). On CUDA the SGD steps use TF32 matrix products and convolutions, and the stopping
criterion and predictions run in full fp32 (repro.core.runtime.tf32 / fp32); on the CPU all is fp32.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from repro.core import runtime
from repro.core.seeding import generator
from repro.nn.resnet import CifarResNet, parse_cifar_resnet

INIT, ORDER = 1, 2  # the purposes of a member's generators: initial weights; example order and augmentation
# (non-zero: hash_seeds pads short tuples with zeros, so (s, 0, 0) would alias generator(s))


def member_generators(members: Sequence[dict], purpose: int, *grid: int) -> list[torch.Generator]:
    """One generator per member, seeded by (its `seed`, its `replica` (default 0), purpose, *grid).
    Members that share a seed but must differ (two inits on the same data) get distinct replicas; the
    grid point (e.g. width, m) keeps different configurations of one seed apart."""
    return [generator(m["seed"], m.get("replica", 0), purpose, *grid) for m in members]


def _gens(K: int, generators: list[torch.Generator] | None) -> list:
    if generators is None:
        return [None] * K  # torch's global generator
    if len(generators) != K:
        raise ValueError(f"need one generator per member: {K} members, {len(generators)} generators")
    return list(generators)


class MLPEnsemble(nn.Module):
    """K ReLU MLPs of the same sizes, Xavier-normal init, no biases by default (as in the bounds'
    papers). generators: one per member (member k's weights, layer by layer, from generators[k]).
    forward: [K, B, d] → [K, B, classes]."""

    def __init__(self, K: int, sizes: list[int], bias: bool = False, generators: list[torch.Generator] | None = None):
        super().__init__()
        self.K, self.sizes = K, sizes
        gens = _gens(K, generators)
        layers = [[torch.randn(fi, fo, generator=g) * math.sqrt(2.0 / (fi + fo)) for fi, fo in zip(sizes, sizes[1:])]
                  for g in gens]
        self.weights = nn.ParameterList(nn.Parameter(torch.stack(ws)) for ws in zip(*layers))
        self.biases = nn.ParameterList(nn.Parameter(torch.zeros(K, 1, fo)) for fo in sizes[1:]) if bias else None

    def forward(self, x: torch.Tensor, hidden: list | None = None) -> torch.Tensor:
        """hidden: if a list, the pre-activations of every hidden layer are appended to it."""
        h = x.reshape(*x.shape[:2], -1)
        for i, w in enumerate(self.weights):
            h = torch.bmm(h, w)
            if self.biases is not None:
                h = h + self.biases[i]
            if i < len(self.weights) - 1:
                if hidden is not None:
                    hidden.append(h)
                h = F.relu(h)
        return h


class CNNEnsemble(nn.Module):
    """K small CNNs (two 3×3 conv layers with `channels` filters, ReLU, 2×2 pooling after the second,
    then a linear head) as grouped convolutions; Kaiming-normal (fan-in) convs, normal head with
    std sqrt(1/features). generators: one per member (member k's group slices and head from
    generators[k]). forward: [K, B, C_in, H, W] → [K, B, classes]."""

    def __init__(self, K: int, channels: int, image: int, classes: int, in_channels: int = 1,
                 generators: list[torch.Generator] | None = None):
        super().__init__()
        self.K, self.c = K, channels
        self.conv1 = nn.Conv2d(K * in_channels, K * channels, 3, padding=1, groups=K)
        self.conv2 = nn.Conv2d(K * channels, K * channels, 3, padding=1, groups=K)
        features = channels * (image // 2) ** 2
        self.head = nn.Parameter(torch.empty(K, features, classes))
        for k, g in enumerate(_gens(K, generators)):
            for conv in (self.conv1, self.conv2):  # member k's filters: output channels k·c … (k+1)·c − 1
                nn.init.kaiming_normal_(conv.weight[k * channels:(k + 1) * channels], nonlinearity="relu", generator=g)
            nn.init.normal_(self.head[k], std=math.sqrt(1.0 / features), generator=g)
        for conv in (self.conv1, self.conv2):
            nn.init.zeros_(conv.bias)

    def forward(self, x: torch.Tensor, hidden: list | None = None) -> torch.Tensor:
        K, B = x.shape[:2]
        h = x.transpose(0, 1).reshape(B, K * x.shape[2], *x.shape[3:])  # members as channel groups
        h = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(h)))), 2)
        h = h.reshape(B, K, -1).transpose(0, 1)  # [K, B, features]
        return torch.bmm(h, self.head)


class ResNetEnsemble(nn.Module):
    """K ResNets (full scale: the papers' models), one module per member, run one after another in forward:
    [K, B, C_in, H, W] → [K, B, classes]. `arch` is a CIFAR ResNet of He et al. (repro.nn.resnet:
    "cifar_resnet20", "cifar_resnet56", "cifar_resnet110", "cifar_resnet20x4" for 4× the filters) or names a
    torchvision.models builder ("resnet18", "resnet50", ...; imported lazily: mini scale and the tests never
    need torchvision). For small images (side < 64, e.g. CIFAR's 32) a torchvision ResNet gets the usual CIFAR
    stem: a 3×3 stride-1 first convolution and no max-pooling, as in the CIFAR ResNet18 the papers train.
    Member k's initial weights are drawn from generators[k] (torchvision's initialisation: from a seed taken
    from generators[k], the global RNG left as it was). BatchNorm: fit_ensemble trains in train mode and
    predicts in eval mode (running statistics). Raises ValueError for another architecture name."""

    def __init__(self, K: int, arch: str, image: int, classes: int, in_channels: int = 3,
                 generators: list[torch.Generator] | None = None):
        super().__init__()
        self.K, self.arch = K, arch
        cifar = parse_cifar_resnet(arch)
        members = [CifarResNet(cifar[0], classes, in_channels, widen=cifar[1], generator=g) if cifar
                   else _torchvision_resnet(arch, image, classes, in_channels, g) for g in _gens(K, generators)]
        self.members = nn.ModuleList(members)
        # fit_ensemble's per-member masks: the member that owns each parameter, in parameters() order
        self.parameter_members = [k for k, net in enumerate(members) for _ in net.parameters()]

    def forward(self, x: torch.Tensor, hidden: list | None = None) -> torch.Tensor:
        """hidden: if a list, the members' pooled features [K, B, F] (what the classifier reads) are appended."""
        if hidden is None:
            return torch.stack([net(x[k]) for k, net in enumerate(self.members)])
        features = []
        hooks = [net.fc.register_forward_pre_hook(lambda _, args: features.append(args[0])) for net in self.members]
        try:
            logits = torch.stack([net(x[k]) for k, net in enumerate(self.members)])
        finally:
            for h in hooks:
                h.remove()
        hidden.append(torch.stack(features))
        return logits


def _torchvision_resnet(arch: str, image: int, classes: int, in_channels: int, g: torch.Generator | None) -> nn.Module:
    """torchvision.models.<arch>(num_classes=classes), with the CIFAR stem for images of side < 64, its
    initial weights drawn from a seed taken from g (None: torch's global RNG)."""
    from torchvision import models  # lazily: full scale only

    build = getattr(models, arch, None)
    if build is None or not arch.startswith(("resnet", "wide_resnet", "resnext")):
        raise ValueError(f"ResNetEnsemble: {arch!r} is neither a CIFAR ResNet (cifar_resnet<6n+2>) nor a "
                         f"torchvision ResNet builder")
    with torch.random.fork_rng(devices=[], enabled=g is not None):  # no generator: torch's global one
        if g is not None:
            torch.manual_seed(int(torch.randint(2**62, (1,), generator=g)))
        net = build(num_classes=classes)
        if image < 64:  # the CIFAR stem
            net.conv1 = nn.Conv2d(in_channels, net.conv1.out_channels, 3, 1, 1, bias=False)
            nn.init.kaiming_normal_(net.conv1.weight, mode="fan_out", nonlinearity="relu")
            net.maxpool = nn.Identity()
        elif in_channels != 3:
            net.conv1 = nn.Conv2d(in_channels, net.conv1.out_channels, 7, 2, 3, bias=False)
    return net


def image_ensemble(K: int, p: dict, image_shape: tuple[int, ...], classes: int,
                   generators: list[torch.Generator] | None = None) -> nn.Module:
    """The members' network for an image task: `p["arch"]` "cnn" (default: CNNEnsemble of `p["channels"]`
    filters, mini scale) or a ResNet name (ResNetEnsemble: "cifar_resnet56", "resnet18", ...; full scale).
    image_shape: (C, H, W)."""
    arch = p.get("arch", "cnn")
    if arch == "cnn":
        return CNNEnsemble(K, p["channels"], image_shape[-1], classes, in_channels=image_shape[0], generators=generators)
    return ResNetEnsemble(K, arch, image_shape[-1], classes, in_channels=image_shape[0], generators=generators)


def network_names(p: dict) -> list[str]:
    """The networks of a model-size sweep, in config order: `archs` (CIFAR ResNet names, full scale) if given,
    else "mlp<width>" for each of `widths` (mini scale)."""
    return list(p["archs"]) if "archs" in p else [f"mlp{w}" for w in p["widths"]]


def network_grid(name: str) -> tuple[int, ...]:
    """The grid point of a sweep's network for its members' generators: (width,) for mlp<width>, (depth,
    widen) for a CIFAR ResNet. Raises ValueError for another name."""
    if name.startswith("mlp") and name[3:].isdigit():
        return (int(name[3:]),)
    cifar = parse_cifar_resnet(name)
    if cifar is None:
        raise ValueError(f"network {name!r} is neither mlp<width> nor cifar_resnet<depth>[x<widen>]")
    return cifar


def sized_network(name: str, K: int, shape: tuple[int, ...], classes: int, generators: list[torch.Generator],
                  mlp_depth: int = 1, mlp_bias: bool = False) -> nn.Module:
    """K members of a sweep's network: mlp<width> (MLPEnsemble of mlp_depth hidden layers of that width on
    flat inputs, shape (d,)) or a CIFAR ResNet (ResNetEnsemble on images, shape (C, H, W)).
    Raises ValueError for another name."""
    grid = network_grid(name)
    if name.startswith("mlp"):
        sizes = [math.prod(shape)] + [grid[0]] * mlp_depth + [classes]
        return MLPEnsemble(K, sizes, bias=mlp_bias, generators=generators)
    return ResNetEnsemble(K, name, shape[-1], classes, in_channels=shape[0], generators=generators)


def parameters_per_member(model: nn.Module) -> int:
    """The number of parameters of one member of an ensemble (all members share one architecture)."""
    return sum(t.numel() for t in model.parameters()) // model.K


@dataclass
class EnsembleOptim:
    lr: float = 0.1
    momentum: float = 0.9
    batch_size: int = 64
    max_epochs: int = 200
    loss: str = "ce"  # ce | sigmoid (one-vs-all BCE on one-hot targets) | mse (on one-hot targets)
    weight_decay: float = 0.0
    stop_margin: float | None = None  # stop a member once (1 − stop_tau) of its examples have margin ≥ this
    stop_tau: float = 0.0
    stop_loss: float | None = None  # ... or once its training loss ≤ this
    augment_shift: int = 0  # random translations of up to this many pixels (images only)


def margins(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """f(x)[y] − max_{y'≠y} f(x)[y'], elementwise over leading dims."""
    true = logits.gather(-1, y.unsqueeze(-1)).squeeze(-1)
    other = logits.scatter(-1, y.unsqueeze(-1), float("-inf")).amax(-1)
    return true - other


def member_loss(logits: torch.Tensor, y: torch.Tensor, kind: str) -> torch.Tensor:
    """Per-member mean loss, [K]. y: class indices [K, B], or soft targets [K, B, C] (distillation:
    cross-entropy to the teacher's probabilities, whatever `kind` says)."""
    if y.dim() == logits.dim():
        return -(y * F.log_softmax(logits, -1)).sum(-1).mean(1)
    if kind == "ce":
        return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none").view(y.shape).mean(1)
    onehot = F.one_hot(y, logits.shape[-1]).float()
    if kind == "sigmoid":
        return F.binary_cross_entropy_with_logits(logits, onehot, reduction="none").sum(-1).mean(1)
    if kind == "mse":
        return ((logits - onehot) ** 2).sum(-1).mean(1)
    raise ValueError(f"unknown loss {kind!r}")


def _shift(x: torch.Tensor, s: int, gens: list[torch.Generator]) -> torch.Tensor:
    """Random translation by up to s pixels per member and batch (zero padding); member k's from gens[k]."""
    K, B, C, H, W = x.shape
    padded = F.pad(x, (s, s, s, s))
    d = [torch.randint(0, 2 * s + 1, (2,), generator=g).tolist() for g in gens]
    return torch.stack([padded[k, :, :, dy:dy + H, dx:dx + W] for k, (dx, dy) in enumerate(d)])


def epoch_order(idx: torch.Tensor, gens: list[torch.Generator]) -> torch.Tensor:
    """A fresh order of each member's training examples idx [K, m], member k's from gens[k]."""
    return torch.stack([row[torch.argsort(torch.rand(len(row), generator=g))] for row, g in zip(idx, gens)])


def model_device(model: nn.Module) -> torch.device:
    """The device an ensemble's parameters are on (where it trains and predicts)."""
    return next(model.parameters()).device


def fit_ensemble(model: nn.Module, X: torch.Tensor, Y: torch.Tensor, idx: torch.Tensor, opt: EnsembleOptim,
                 gens: list[torch.Generator], on_epoch=None, targets=None) -> dict:
    """Momentum SGD for every member at once. X: [N, ...] shared inputs; Y: [K, N] labels per member
    (so members may see different label noise) or [K, N, C] soft targets (distillation); idx: [K, m]
    the training examples of each member (its own order is reshuffled every epoch); gens: one
    generator per member (member_generators(..., ORDER, ...)), for its order and augmentation.
    Trains on the model's device: X, Y and idx are moved there (a no-op if they are already), the
    orders are drawn on the CPU. on_epoch(epoch), if given, runs after every epoch (to record a
    learning curve). targets(xb, bi), if given, replaces the batch's targets Y[bi]: it receives the batch
    as trained on (after augmentation) and its indices [K, B], and returns [K, B] labels or [K, B, C]
    soft targets (online distillation: a teacher's probabilities on the augmented batch); Y is then
    used only by the stopping criterion. Returns per-member epochs run and whether it met its
    stopping criterion."""
    K, m = idx.shape
    gens = _gens(K, gens)
    params = list(model.parameters())
    owners = getattr(model, "parameter_members", None)  # per-member modules (ResNetEnsemble), else stacked
    dev = params[0].device
    model.train()
    X, Y, idx_dev, idx = X.to(dev), Y.to(dev), idx.to(dev), idx.cpu()
    bufs = [torch.zeros_like(p) for p in params]
    active = torch.ones(K, dtype=torch.bool, device=dev)
    epochs = torch.zeros(K, dtype=torch.long)
    for epoch in range(opt.max_epochs):
        order = epoch_order(idx, gens).to(dev)
        for b in range(0, m, opt.batch_size):
            bi = order[:, b:b + opt.batch_size]
            xb = X[bi]
            if opt.augment_shift:
                xb = _shift(xb, opt.augment_shift, gens)
            with runtime.tf32(dev):
                yb = _rows(Y, bi) if targets is None else targets(xb, bi)
                loss = member_loss(model(xb), yb, opt.loss)
                grads = torch.autograd.grad(loss.sum(), params)
            with torch.no_grad():
                for i, (p, gr, buf) in enumerate(zip(params, grads, bufs)):
                    if opt.weight_decay:
                        gr = gr + opt.weight_decay * p
                    buf.mul_(opt.momentum).add_(gr)
                    mask = active[owners[i]].to(p.dtype) if owners is not None else _per_member(active, p, K)
                    p.sub_(opt.lr * mask * buf)
        epochs += active.cpu()
        if on_epoch is not None:
            with torch.no_grad():
                on_epoch(epoch)
        with torch.no_grad():
            active &= ~_stopped(model, X, Y, idx_dev, opt)
        if owners is not None:  # a stopped member's BatchNorm statistics stop moving too
            for k in (~active).nonzero().flatten().tolist():
                model.members[k].eval()
        if not active.any():
            break
    return {"epochs": epochs.tolist(), "converged": (~active).tolist()}


def _rows(Y: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Member k's targets at its indices idx[k]: Y [K, N] or [K, N, C] → [K, B] or [K, B, C]."""
    return Y[torch.arange(len(idx), device=idx.device).unsqueeze(1), idx]


def _per_member(active: torch.Tensor, p: torch.Tensor, K: int) -> torch.Tensor:
    """The active mask shaped to broadcast over a parameter ([K, ...] or grouped-conv [K·c, ...])."""
    a = active.to(p.dtype)
    if p.shape[0] != K:
        a = a.repeat_interleave(p.shape[0] // K)
    return a.view(-1, *([1] * (p.dim() - 1)))


def _stopped(model, X, Y, idx, opt) -> torch.Tensor:
    logits = logits_on_device(model, X[idx])
    y = _rows(Y, idx)
    if y.dim() == logits.dim():  # soft targets: margins against the teacher's top class
        y = y.argmax(-1)
    if opt.stop_margin is not None:
        return (margins(logits, y) >= opt.stop_margin).float().mean(1) >= 1 - opt.stop_tau
    if opt.stop_loss is not None:
        return member_loss(logits, y, opt.loss) <= opt.stop_loss
    return torch.zeros(idx.shape[0], dtype=torch.bool, device=idx.device)


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """Eval mode for the block (BatchNorm, in ResNetEnsemble, predicts with its running statistics), then the
    mode the model was in."""
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


@torch.no_grad()
def logits_on_device(model: nn.Module, x: torch.Tensor, chunk: int = 2048) -> torch.Tensor:
    """Logits [K, B, classes] for per-member inputs x [K, B, ...], on the model's device (x is moved
    there chunk by chunk), in full fp32 and eval mode."""
    dev = model_device(model)
    with evaluating(model), runtime.fp32(dev):
        return torch.cat([model(x[:, i:i + chunk].to(dev)) for i in range(0, x.shape[1], chunk)], 1)


def predict(model: nn.Module, x: torch.Tensor, chunk: int = 2048) -> torch.Tensor:
    """Logits [K, B, classes] on the CPU for per-member inputs x [K, B, ...] (on any device)."""
    return logits_on_device(model, x, chunk).cpu()


def predict_shared(model: nn.Module, x: torch.Tensor, chunk: int = 2048) -> torch.Tensor:
    """Logits [K, B, classes] on the CPU of every member on the same inputs x [B, ...] (moved to the
    model's device once, then shared by the members without copies)."""
    x = x.to(model_device(model))
    return predict(model, x.unsqueeze(0).expand(model.K, *x.shape), chunk)


def member_data(pool: torch.Tensor, y: torch.Tensor, classes: int, members: list[dict], m: int,
                device: torch.device | str = "cpu"):
    """Each member's training examples (m drawn from the pool with its `data_seed`) and its labels
    (a `noise` share of its training labels replaced by random classes; 1 = random labels).
    Returns idx [K, m] and Y [K, N]; labels outside a member's training set stay true. The draws are
    made on the CPU (pool and y are read there) and the results moved to `device`. Raises ValueError if m
    exceeds the pool (every member would silently train on the whole pool)."""
    from repro.data.images import noisy_labels

    if m > len(pool):
        raise ValueError(f"m = {m} training examples per member, but the pool (the data set minus its test "
                         f"split) holds {len(pool)}: lower m in the config")
    pool, y = pool.cpu(), y.cpu()
    idx, Y = [], []
    for mem in members:
        g = generator(mem["data_seed"], m)
        chosen = pool[torch.randperm(len(pool), generator=g)[:m]]
        labels = y.clone()
        labels[chosen] = noisy_labels(y[chosen], mem.get("noise", 0.0), classes, g)
        idx.append(chosen)
        Y.append(labels)
    return torch.stack(idx).to(device), torch.stack(Y).to(device)
