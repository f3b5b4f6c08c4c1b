"""Plain SGD with batch size 1 for a batch of K one-hidden-layer ReLU nets with biases (an MLPEnsemble
of sizes [d, H, C]), as in the authors' hypersphere demonstration (locuslab/uniform-convergence-NeurIPS19,
uniform-convergence.ipynb): the loss is the sigmoid (one-vs-all) cross-entropy on one-hot targets,
averaged over the batch and the C outputs (TensorFlow's reduce_mean), so its gradient in the outputs is
(σ(f) − t) / C; a member stops after the first epoch at which a share ≥ 1 − τ of its training points
has margin f_y − max_{y'≠y} f_{y'} ≥ γ, and is frozen while the others go on.

Why not repro.nn.ensemble.fit_ensemble: with batch size 1 its autograd step costs about a millisecond, and
the demo takes ~10^5 steps per seed; the hand-written gradient below is the same update (a unit test
checks it against fit_ensemble with lr/C and the class-summed loss) at a small fraction of the cost.
The example order comes from the shared epoch_order, one generator per member."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from repro.nn.ensemble import MLPEnsemble, epoch_order, margins


@torch.no_grad()
def margin_share(model: MLPEnsemble, X: torch.Tensor, Y: torch.Tensor, gamma: float) -> torch.Tensor:
    """Per member, the share of its points X [K, n, d] (labels Y [K, n]) with margin ≥ gamma."""
    return (margins(model(X), Y) >= gamma).float().mean(1)


@torch.no_grad()
def sgd_batch1(model: MLPEnsemble, X: torch.Tensor, Y: torch.Tensor, lr: float, stop_margin: float,
               stop_tau: float, max_epochs: int, gens: list[torch.Generator]) -> dict:
    """Train member k on its own points X[k] [m, d] with labels Y[k] [m], in place. Returns per-member
    epochs run and whether it met the stopping criterion."""
    if model.biases is None or len(model.weights) != 2:
        raise ValueError("sgd_batch1 needs a one-hidden-layer MLPEnsemble with biases")
    (W1, W2), (b1, b2) = model.weights, model.biases
    K, m, _ = X.shape
    C = W2.shape[-1]
    T = F.one_hot(Y, C).to(X.dtype)
    rows = torch.arange(K).unsqueeze(1)
    active = torch.ones(K, dtype=torch.bool)
    epochs = torch.zeros(K, dtype=torch.long)
    for _ in range(max_epochs):
        order = epoch_order(torch.arange(m).expand(K, m), gens)
        xs, ts = X[rows, order], T[rows, order]  # [K, m, d], [K, m, C] in this epoch's order
        xts = xs.unsqueeze(-1)  # [K, m, d, 1]: each point as a column, for the rank-1 update of W1
        step = (lr / C) * active.to(X.dtype).view(K, 1, 1)  # frozen members take zero steps
        for i in range(m):
            x = xs[:, i:i + 1]  # [K, 1, d]
            pre = torch.baddbmm(b1, x, W1)  # [K, 1, H]
            h = pre.clamp_min(0)
            g = (torch.sigmoid(torch.baddbmm(b2, h, W2)) - ts[:, i:i + 1]) * step  # lr · ∂loss/∂f, [K, 1, C]
            gh = torch.bmm(g, W2.transpose(1, 2)) * (pre > 0)  # lr · ∂loss/∂pre (with W2 before its update)
            W2.baddbmm_(h.transpose(1, 2), g, alpha=-1.0)
            b2.sub_(g)
            W1.baddbmm_(xts[:, i], gh, alpha=-1.0)
            b1.sub_(gh)
        epochs += active
        active &= margin_share(model, X, Y, stop_margin) < 1 - stop_tau
        if not active.any():
            break
    return {"epochs": epochs.tolist(), "converged": (~active).tolist()}
