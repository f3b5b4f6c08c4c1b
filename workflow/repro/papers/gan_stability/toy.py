"""The paper's 2-parameter system: real x ~ U[-1, 1], generator G_a(z) = a z with z ~ U[-1, 1],
discriminator D_w(x) = w x². Equilibrium: a = ±1 (generator matches the data), w = 0.

V(w, a) = E_x f(D_w(x)) + E_z f(-D_w(G_a(z))), with f(t) = -log(1 + e^{-t}) for the GAN and f(t) = t
for the WGAN (then V = w (1 - a²) / 3). Simultaneous gradient steps: the discriminator ascends V,
the generator descends V + η (∂V/∂w)² (the paper's gradient regulariser). Expectations are exact
up to Gauss-Legendre quadrature.
"""
from __future__ import annotations

import numpy as np
import torch

from repro.core.io import write_json

EQUILIBRIUM = (0.0, 1.0)  # (w, a)


def _f(kind: str, t: torch.Tensor) -> torch.Tensor:
    if kind == "wgan":
        return t
    if kind == "gan":
        return -torch.nn.functional.softplus(-t)  # -log(1 + e^{-t})
    raise ValueError(f"unknown GAN kind {kind!r}; expected 'gan' or 'wgan'")


class Toy:
    def __init__(self, kind: str, quadrature: int):
        nodes, weights = np.polynomial.legendre.leggauss(quadrature)  # on [-1, 1]; U[-1,1] density 1/2
        self.kind = kind
        self.x = torch.tensor(nodes, dtype=torch.float64)
        self.p = torch.tensor(weights / 2, dtype=torch.float64)

    def value(self, w: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        """V at each of a batch of points (w[i], a[i])."""
        real = _f(self.kind, w[:, None] * self.x ** 2) @ self.p
        fake = _f(self.kind, -w[:, None] * (a[:, None] * self.x) ** 2) @ self.p
        return real + fake

    def update(self, w: np.ndarray, a: np.ndarray, eta: float) -> tuple[np.ndarray, np.ndarray]:
        """The direction of one simultaneous step at each point:
        (dw, da) = (∂V/∂w, -∂(V + η (∂V/∂w)²)/∂a). Points are independent, so one backward pass
        of the summed objective gives every point's gradient."""
        w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        a_t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        v = self.value(w_t, a_t)
        (gw,) = torch.autograd.grad(v.sum(), w_t, create_graph=True)
        (ga,) = torch.autograd.grad((v + eta * gw ** 2).sum(), a_t)
        return gw.detach().numpy(), -ga.numpy()


def simulate(toy: Toy, starts: np.ndarray, eta: float, lr: float, steps: int, record_every: int) -> tuple[np.ndarray, np.ndarray]:
    """Simultaneous gradient steps from every start at once: (paths (T, k, 2), distances (T, k)).
    A diverging run is frozen at the point where it passed |w| + |a| > 1e3."""
    w, a = starts[:, 0].astype(float), starts[:, 1].astype(float)
    paths = []
    for step in range(steps + 1):
        if step % record_every == 0:
            paths.append(np.stack([w, a], axis=1))
        dw, da = toy.update(w, a, eta)
        alive = np.abs(w) + np.abs(a) < 1e3
        w, a = np.where(alive, w + lr * dw, w), np.where(alive, a + lr * da, a)
    paths = np.array(paths)
    return paths, np.hypot(paths[..., 0] - EQUILIBRIUM[0], paths[..., 1] - EQUILIBRIUM[1])


def toy_dynamics(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Trajectories from every start for each (kind, η), and the update field on a grid."""
    starts = np.array(params["starts"], dtype=float)
    ws = np.linspace(*params["grid"]["w"], params["grid"]["n"])
    as_ = np.linspace(*params["grid"]["a"], params["grid"]["n"])
    gw, ga = np.meshgrid(ws, as_)
    runs, fields = [], {}
    for kind in ("wgan", "gan"):
        toy = Toy(kind, params["quadrature"])
        for eta in params["etas"]:
            dw, da = toy.update(gw.ravel(), ga.ravel(), eta)
            fields[f"{kind}_eta{eta}"] = {"dw": dw.reshape(gw.shape).tolist(), "da": da.reshape(gw.shape).tolist()}
            paths, dist = simulate(toy, starts, eta, params["lr"], params["steps"], params["record_every"])
            for i, start in enumerate(params["starts"]):
                runs.append({"kind": kind, "eta": eta, "start_index": i, "start": start,
                             "path": paths[:, i].tolist(), "distance": dist[:, i].tolist()})
    write_json(outputs["toy"], {"runs": runs, "grid_w": ws.tolist(), "grid_a": as_.tolist(), "fields": fields,
                                "lr": params["lr"], "record_every": params["record_every"]})
