"""Mixture of Gaussians on a ring: a small MLP GAN trained with and without the gradient
regulariser (the generator minimises V + η‖∇_D V‖², by double backpropagation).

As in the official toy: D maximises the saturating minimax V = E log D(x) + E log(1 - D(G(z)));
a D step, then a G step with V recomputed on the updated D; Adam(β1 = 0.5) for both."""
from __future__ import annotations

import math
import sys
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm import tqdm

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, seed_everything
from repro.nn.mlp import mlp


def ring_centres(n_modes: int, radius: float) -> Tensor:
    angles = torch.arange(n_modes, dtype=torch.float32) * (2 * math.pi / n_modes)
    return radius * torch.stack([angles.cos(), angles.sin()], dim=1)


def sample_ring(n: int, centres: Tensor, std: float, gen: torch.Generator) -> Tensor:
    idx = torch.randint(len(centres), (n,), generator=gen)
    return centres[idx] + std * torch.randn(n, 2, generator=gen)


def mode_coverage(samples: Tensor, centres: Tensor, std: float, min_share: float = 0.01) -> tuple[int, float]:
    """(modes covered, high-quality fraction): a sample is high quality if it lies within 3σ of a
    centre; a mode is covered if at least `min_share` of the samples are high quality near it."""
    dist = torch.cdist(samples, centres)
    nearest, which = dist.min(dim=1)
    good = nearest < 3 * std
    counts = torch.bincount(which[good], minlength=len(centres))
    return int((counts >= min_share * len(samples)).sum()), good.float().mean().item()


class Discriminator(nn.Module):
    def __init__(self, hidden: int, gain: float):
        super().__init__()
        self.net = mlp([2, hidden, 1], orthogonal_gain=gain)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x / 4)  # the official toy scales inputs by 1/4


def value(d: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
    """V = E log D(real) + E log(1 - D(fake)), with D = sigmoid(logit)."""
    return F.logsigmoid(d(real)).mean() + F.logsigmoid(-d(fake)).mean()


def gan_step(g: nn.Module, d: nn.Module, opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer,
             real: Tensor, z: Tensor, eta: float) -> None:
    """One discriminator step (ascend V), then one generator step on V + η‖∇_D V‖² with V
    recomputed on the updated D; the gradient norm goes through a second backward pass."""
    loss_d = -value(d, real, g(z).detach())
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    v = value(d, real, g(z))
    loss_g = v
    if eta > 0:
        grads = torch.autograd.grad(v, list(d.parameters()), create_graph=True)
        loss_g = v + eta * sum((gr ** 2).sum() for gr in grads)
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()  # D's gradients from this pass are discarded by its zero_grad next step


def train_gan(g: nn.Module, d: nn.Module, p: dict, sample_real: Callable[[int, torch.Generator], Tensor],
              measure: Callable[[Tensor], dict], device: torch.device) -> tuple[list[dict], dict]:
    """The shared loop of the ring and image GANs: Adam(β1) for both players, `gan_step` with the
    run's η, and every `eval_every` iterations `measure(samples)` on fixed latent codes; samples
    are kept at the `snapshots` iterations. Batches are a function of (seed, iteration)."""
    seed = p["seed"]
    adam = dict(lr=p["lr"], betas=(p["beta1"], 0.999), eps=1e-8)
    opt_g, opt_d = torch.optim.Adam(g.parameters(), **adam), torch.optim.Adam(d.parameters(), **adam)
    eval_z = torch.randn(p["eval_samples"], p["z_dim"], generator=generator(seed, 10**9)).to(device)
    history, snapshots = [], {}
    for it in tqdm(range(p["iterations"] + 1), file=sys.stderr, mininterval=10, ascii=True, desc="gan"):
        if it % p["eval_every"] == 0 or it in p["snapshots"]:
            with torch.no_grad():
                samples = g(eval_z)
            history.append({"iteration": it, **measure(samples)})
            if it in p["snapshots"]:
                snapshots[str(it)] = samples[: p["snapshot_samples"]].cpu().tolist()
        if it == p["iterations"]:
            break
        gen = generator(seed, it)
        real = sample_real(p["batch_size"], gen).to(device)
        z = torch.randn(p["batch_size"], p["z_dim"], generator=gen).to(device)
        gan_step(g, d, opt_g, opt_d, real, z, p["eta"])
    return history, snapshots


def train_ring(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    seed, eta = params["seed"], params["eta"]
    seed_everything(seed)
    dev = runtime.device()
    centres = ring_centres(params["n_modes"], params["radius"]).to(dev)
    g = mlp([params["z_dim"], params["hidden"], params["hidden"], 2], orthogonal_gain=params["init_gain"]).to(dev)
    d = Discriminator(params["hidden"], params["init_gain"]).to(dev)

    def measure(samples: Tensor) -> dict:
        modes, quality = mode_coverage(samples, centres, params["std"])
        return {"modes": modes, "high_quality": quality}

    history, snapshots = train_gan(g, d, params, lambda n, gen: sample_ring(n, centres.cpu(), params["std"], gen),
                                   measure, dev)
    write_json(outputs["metrics"], {"seed": seed, "eta": eta, "history": history, "snapshots": snapshots,
                                    "centres": centres.cpu().tolist(), "final_modes": history[-1]["modes"],
                                    "final_high_quality": history[-1]["high_quality"]})
