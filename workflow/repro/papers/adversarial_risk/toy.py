"""Toy distributions with a known Bayes classifier f* (labels are noiseless: y = f*(x)) and
adversarial error under two definitions of an adversarial perturbation δ (‖δ‖ ≤ ε):

- standard: f(x + δ) ≠ y — a perturbation may cross the true boundary, so even f* has error;
- modified (the paper's): f(x + δ) ≠ f*(x + δ) — δ must not change the true label to count.

Both toys are a half-space plus a small "island" of the positive class, narrower than 2ε, inside
the negative half: robust-under-the-standard-definition classifiers give the island up (a
trade-off with standard accuracy); under the modified definition f* is optimal for both."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, seed_everything
from repro.nn.mlp import mlp


# ---- 1-D: x ~ U[-1, 1]; f*(x) = +1 on [0, 1] and on the island [a, a + w], else -1 ----------------
def bayes_1d(x: np.ndarray, island: tuple[float, float]) -> np.ndarray:
    a, w = island
    return np.where((x >= 0) | ((x >= a) & (x <= a + w)), 1, -1)


def threshold_1d(x: np.ndarray, t: float, keep_island: bool, island: tuple[float, float]) -> np.ndarray:
    """sign(x − t), with the island labelled +1 (as f* does) or given up."""
    a, w = island
    out = np.where(x >= t, 1, -1)
    return np.where(keep_island & (x >= a) & (x <= a + w), 1, out)


def errors(f, f_star, x: np.ndarray, offsets: np.ndarray) -> tuple[float, float, float]:
    """(standard error, adversarial error under the standard / the modified definition), the
    adversary searching the given offsets (an exhaustive grid of the ε-ball in 1-D)."""
    y = f_star(x)
    moved = x[:, None] + offsets[None, :]
    fm = f(moved)
    return (float(np.mean(f(x) != y)), float(np.mean((fm != y[:, None]).any(1))),
            float(np.mean((fm != f_star(moved)).any(1))))


def family_1d(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    rng = np.random.default_rng(params["seed"])
    island = tuple(params["island"])
    x = rng.uniform(-1, 1, params["n"])
    f_star = lambda z: bayes_1d(z, island)  # noqa: E731
    rows = []
    for eps in params["eps"]:
        offsets = np.linspace(-eps, eps, params["adversary_grid"])
        for t in np.linspace(*params["thresholds"]):
            for keep in (True, False):
                std, adv_std, adv_mod = errors(lambda z: threshold_1d(z, t, keep, island), f_star, x, offsets)
                rows.append({"eps": eps, "t": float(t), "keep_island": keep, "bayes": bool(keep and abs(t) < 1e-12),
                             "std_error": std, "adv_error_standard": adv_std, "adv_error_modified": adv_mod})
    write_json(outputs["family"], {"seed": params["seed"], "island": island, "rows": rows})


# ---- 2-D: x ~ U[-1, 1]²; f*(x) = +1 if x₁ ≥ 0 or x is in a disk island, else -1; MLPs -----------
def bayes_2d(x: Tensor, centre: list[float], radius: float) -> Tensor:
    island = (x - torch.tensor(centre, device=x.device)).norm(dim=-1) <= radius
    return torch.where((x[..., 0] >= 0) | island, 1.0, -1.0)


def pgd(model, x: Tensor, label_fn, eps: float, steps: int, step_size: float) -> Tensor:
    """ℓ2 PGD on the logistic loss of the labels label_fn(x + δ) (re-read at every step)."""
    delta = torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        z = x + delta
        loss = F.softplus(-label_fn(z.detach()) * model(z).squeeze(-1)).sum()
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            delta = delta + step_size * grad / grad.norm(dim=-1, keepdim=True).clamp_min(1e-12)
            delta = delta * (eps / delta.norm(dim=-1, keepdim=True).clamp_min(eps))  # project on the ball
    return (x + delta).detach()


def evaluate_2d(model, f_star, x: Tensor, p: dict, gen: torch.Generator) -> dict:
    """Errors with an adversary that tries PGD (for each definition) and random points of the ball.
    Runs on x's device; the random points are drawn on the CPU (gen) and moved there."""
    y = f_star(x)
    sign = lambda z: torch.where(model(z).squeeze(-1) >= 0, 1.0, -1.0)  # noqa: E731
    directions = torch.randn(p["attack_samples"], 2, generator=gen)
    radii = p["eps"] * torch.rand(p["attack_samples"], 1, generator=gen).sqrt()
    ball = (directions / directions.norm(dim=-1, keepdim=True) * radii).to(x.device)
    candidates = [x[:, None] + ball[None]]
    for label_fn in (lambda z: y, f_star):
        candidates.append(pgd(model, x, label_fn, p["eps"], p["attack_steps"], p["step_size"])[:, None])
    moved = torch.cat(candidates, dim=1)
    with torch.no_grad():
        fm = sign(moved)
        return {"std_error": (sign(x) != y).float().mean().item(),
                "adv_error_standard": (fm != y[:, None]).any(1).float().mean().item(),
                "adv_error_modified": (fm != f_star(moved)).any(1).float().mean().item()}


def train_2d(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """One MLP per training regime: standard; PGD under the standard definition (labels y); PGD
    under the modified definition (labels f*(x + δ)). Trains on the job's device (fp32: a toy whose
    boundary details matter); inits and batches are drawn on the CPU and moved there."""
    p, seed = params, params["seed"]
    dev = runtime.device()
    f_star = lambda z: bayes_2d(z, p["island_centre"], p["island_radius"])  # noqa: E731
    test = (torch.rand(p["n_test"], 2, generator=generator(seed, 10**9)) * 2 - 1).to(dev)
    grid = torch.stack(torch.meshgrid(torch.linspace(-1, 1, p["grid"]), torch.linspace(-1, 1, p["grid"]),
                                      indexing="xy"), -1).reshape(-1, 2).to(dev)
    results = {}
    for regime in ("standard", "adversarial_standard", "adversarial_modified"):
        seed_everything(seed)
        model = mlp([2, p["hidden"], p["hidden"], 1]).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
        for step in range(p["steps"]):
            x = (torch.rand(p["batch_size"], 2, generator=generator(seed, step)) * 2 - 1).to(dev)
            if regime == "adversarial_standard":
                y = f_star(x)
                x = pgd(model, x, lambda z: y, p["eps"], p["attack_steps"], p["step_size"])
            elif regime == "adversarial_modified":
                x = pgd(model, x, f_star, p["eps"], p["attack_steps"], p["step_size"])
                y = f_star(x)
            else:
                y = f_star(x)
            loss = F.softplus(-y * model(x).squeeze(-1)).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        results[regime] = evaluate_2d(model, f_star, test, p, generator(seed, 10**9 + 1))
        with torch.no_grad():
            results[regime]["grid_sign"] = (model(grid).squeeze(-1) >= 0).int().tolist()
    write_json(outputs["metrics"], {"seed": seed, "eps": p["eps"], "grid": p["grid"], "island_centre": p["island_centre"],
                                    "island_radius": p["island_radius"], "regimes": results})
