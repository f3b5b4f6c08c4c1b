"""Mixture of Gaussians on a ring: a small MLP GAN trained with and without the gradient
regulariser (the generator minimises V + η‖∇_D V‖², by double backpropagation).

As in the official toy: D maximises the saturating minimax V = E log D(x) + E log(1 - D(G(z)));
a D step, then a G step with V recomputed on the updated D; Adam(β1 = 0.5) for both.

A job trains all its seeds side by side (repro.nn.seeds.stack_linear_networks): every Linear layer holds
the K seeds' weights, V is the sum of the seeds' own values, so each seed's gradients, gradient penalty and
Adam state are its own. Each seed's initial weights, batches and latent codes come from its own seed, so a
seed trains to the same numbers whichever seeds share its job, bit for bit on the CPU; trained alone it
matches them to float rounding (tests/test_gan_stability.py)."""
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
from repro.nn.seeds import job_seeds, stack_linear_networks


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
    """V = E log D(real) + E log(1 - D(fake)), with D = sigmoid(logit), the expectations over the batch
    (dim −2); for K seeds side by side ((K, B, ·) inputs), the sum of the K seeds' values."""
    return (F.logsigmoid(d(real)).mean(-2) + F.logsigmoid(-d(fake)).mean(-2)).sum()


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


def init_players(seeds: list[int], build: Callable[[], tuple[nn.Module, nn.Module]]) -> tuple[nn.Module, nn.Module]:
    """G and D of every seed, each built right after seed_everything(seed) (its initialisation, as if it
    trained alone), stacked: (G, D) taking (K, B, ·) inputs."""
    gs, ds = [], []
    for seed in seeds:
        seed_everything(seed)
        g, d = build()
        gs.append(g)
        ds.append(d)
    return stack_linear_networks(gs), stack_linear_networks(ds)


def train_gan(g: nn.Module, d: nn.Module, p: dict, seeds: list[int],
              sample_real: Callable[[int, torch.Generator], Tensor],
              measure: Callable[[Tensor], dict], device: torch.device) -> list[tuple[list[dict], dict]]:
    """The shared loop of the ring and image GANs, for K seeds side by side (g, d from `init_players`):
    Adam(β1) for both players, `gan_step` with the run's η, and every `eval_every` iterations
    `measure(samples)` on each seed's fixed latent codes; samples are kept at the `snapshots` iterations.
    Seed k's batches are a function of (seed k, iteration). Returns (history, snapshots) per seed."""
    adam = dict(lr=p["lr"], betas=(p["beta1"], 0.999), eps=1e-8)
    opt_g, opt_d = torch.optim.Adam(g.parameters(), **adam), torch.optim.Adam(d.parameters(), **adam)
    eval_z = torch.stack([torch.randn(p["eval_samples"], p["z_dim"], generator=generator(s, 10**9)) for s in seeds])
    eval_z = eval_z.to(device)
    runs: list[tuple[list[dict], dict]] = [([], {}) for _ in seeds]
    for it in tqdm(range(p["iterations"] + 1), file=sys.stderr, mininterval=10, ascii=True, desc=f"gan x{len(seeds)}"):
        if it % p["eval_every"] == 0 or it in p["snapshots"]:
            with torch.no_grad():
                samples = g(eval_z)
            for (history, snapshots), sk in zip(runs, samples):
                history.append({"iteration": it, **measure(sk)})
                if it in p["snapshots"]:
                    snapshots[str(it)] = sk[: p["snapshot_samples"]].cpu().tolist()
        if it == p["iterations"]:
            break
        real, z = [], []
        for seed in seeds:
            gen = generator(seed, it)
            real.append(sample_real(p["batch_size"], gen))
            z.append(torch.randn(p["batch_size"], p["z_dim"], generator=gen))
        gan_step(g, d, opt_g, opt_d, torch.stack(real).to(device), torch.stack(z).to(device), p["eta"])
    return runs


def train_ring(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Train the ring GAN for `seed`, or for all of `seeds` side by side (outputs `metrics`: one path per seed)."""
    seeds, (paths,) = job_seeds(params, outputs, "metrics")
    eta = params["eta"]
    dev = runtime.device()
    centres = ring_centres(params["n_modes"], params["radius"]).to(dev)
    g, d = init_players(seeds, lambda: (
        mlp([params["z_dim"], params["hidden"], params["hidden"], 2], orthogonal_gain=params["init_gain"]),
        Discriminator(params["hidden"], params["init_gain"])))

    def measure(samples: Tensor) -> dict:
        modes, quality = mode_coverage(samples, centres, params["std"])
        return {"modes": modes, "high_quality": quality}

    runs = train_gan(g.to(dev), d.to(dev), params, seeds,
                     lambda n, gen: sample_ring(n, centres.cpu(), params["std"], gen), measure, dev)
    for seed, path, (history, snapshots) in zip(seeds, paths, runs, strict=True):
        write_json(path, {"seed": seed, "eta": eta, "history": history, "snapshots": snapshots,
                          "centres": centres.cpu().tolist(), "final_modes": history[-1]["modes"],
                          "final_high_quality": history[-1]["high_quality"], "seeds_in_job": seeds})
