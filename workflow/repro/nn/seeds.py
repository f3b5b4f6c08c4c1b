"""Train K seeds of one model side by side: `StackedGPT`, and fit's loop run once on the stack.

`fit_seeds(models, batch_fns, cfg)` trains models[k] on batch_fns[k] exactly as `fit(models[k], batch_fns[k],
cfg)` would, for every k at once: the K models become one `StackedGPT` (every parameter with a leading seed
dimension), a step stacks the K seeds' batches, and each seed keeps its own initialisation (its model, built
from its own seed), data order (its own batch_fn), AdamW state (AdamW is elementwise, so seed k's state is
slice k of the stacked state) and gradient-norm clipping (one norm per seed). On the CPU each seed's weights
and history are bitwise those of training it alone (tests/test_seeds.py at 1 thread; `make bench` compares
the weights at 1 and 2 threads); per step the K seeds share every operator call.

What it buys is the per-call overhead of a step, not its arithmetic: on the ntp_pitfalls mini model (2 x 64,
batch 32 x 24 tokens) about two thirds of a single seed's step is arithmetic (matrix products, GELU,
attention, LayerNorm: the same kernels on the same numbers here), so K = 3 side by side gives 1.06-1.11x the
aggregate tokens/s of three runs one after another at 1 thread (`make bench`, on a loaded 2-core machine),
plus one job start-up instead of three.

Checkpoints are fit's: one file holding the stacked weights, the stacked AdamW state, the step, and the
history with K losses per log point, resumed when its run key matches (`repro.nn.trainer.resumable`).
"""
from __future__ import annotations

import copy
import sys
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm import tqdm

from repro.core import runtime
from repro.nn.gpt import GPT, IGNORE
from repro.nn.trainer import BatchFn, OptimConfig, TrainState, _resume, _save, plain

# on_step(step, stack) → None, or one record (a dict, or None for none) per seed, kept in that seed's evals
SeedsOnStep = Callable[[int, nn.Module], Sequence[dict | None] | None]


class StackedGPT(nn.Module):
    """K independent GPTs of one configuration as one batched computation (seeds trained side by side).

    Each parameter is the GPT parameter of the same name with a leading seed dimension K
    (`tok_emb.weight`: (K, V, d_model), `blocks.0.attn.qkv.weight`: (K, 3 d_model, d_model), ...), so
    that slice k of `state_dict()` is a GPT state dict. Linear layers are batched matrix products, attention
    folds K into its batch dimension, each LayerNorm runs once per seed with that seed's weights, and the loss
    is per seed: on the CPU every seed's outputs and gradients come from the same kernels, summed in the same
    order, as its own GPT's, so they are bitwise equal to training that GPT alone (tests/test_seeds.py).
    It mirrors GPT.hidden and GPT.forward step by step: a change to the GPT needs the same change here
    (the equality tests fail until it has one). Training only: decode with the per-seed GPTs."""

    def __init__(self, models: Sequence[GPT]):
        super().__init__()
        if not models:
            raise ValueError("StackedGPT needs at least one GPT")
        cfg = models[0].cfg
        if any(m.cfg != cfg for m in models):
            raise ValueError(f"StackedGPT: all GPTs must share one config, got {sorted({str(m.cfg) for m in models})}")
        self.cfg, self.k = cfg, len(models)
        with torch.device("meta"):  # names and shapes only: no memory, and no draws from the RNG
            skeleton = GPT(cfg)
        for name, _ in skeleton.named_parameters():
            owner, _, attr = name.rpartition(".")
            stacked = torch.stack([m.get_parameter(name).detach() for m in models])
            skeleton.get_submodule(owner).register_parameter(attr, nn.Parameter(stacked))
        self.tok_emb, self.pos_emb = skeleton.tok_emb, skeleton.pos_emb
        self.blocks, self.ln_f = skeleton.blocks, skeleton.ln_f

    def state_dicts(self) -> list[dict[str, Tensor]]:
        """One GPT state dict per seed (views into the stacked parameters)."""
        full = self.state_dict()
        return [{name: t[k] for name, t in full.items()} for k in range(self.k)]

    @torch.no_grad()
    def copy_to(self, models: Sequence[GPT]) -> None:
        """Write seed k's parameters into models[k] (in place, on that model's device)."""
        for model, state in zip(models, self.state_dicts(), strict=True):
            for name, p in model.named_parameters():
                p.copy_(state[name])

    @staticmethod
    def _linear(x: Tensor, weight: Tensor) -> Tensor:
        """(K, ..., in) × (K, out, in) → (K, ..., out): per seed, F.linear's matrix product."""
        K, n_in = x.shape[0], x.shape[-1]
        y = torch.bmm(x.reshape(K, -1, n_in), weight.transpose(1, 2))
        return y.view(*x.shape[:-1], weight.shape[1])

    @staticmethod
    def _layer_norm(x: Tensor, ln: nn.LayerNorm) -> Tensor:
        """(K, ..., C) with ln's stacked (K, C) weight and bias, one F.layer_norm per seed (a fused affine
        LayerNorm has no batched-weight form; unbind, not indexing, keeps the backward to one stack)."""
        return torch.stack([F.layer_norm(xk, ln.normalized_shape, w, b, ln.eps)
                            for xk, w, b in zip(x.unbind(0), ln.weight.unbind(0), ln.bias.unbind(0))])

    def hidden(self, idx: Tensor) -> Tensor:
        """Final-layer hidden states of every seed: idx (K, B, T) → (K, B, T, d_model)."""
        K, B, T = idx.shape
        if K != self.k:
            raise ValueError(f"idx has {K} seeds along dim 0, the stack has {self.k}")
        if T > self.cfg.block_size:
            raise ValueError(f"sequence length {T} > block_size {self.cfg.block_size}")
        emb = self.tok_emb.weight                                   # (K, V, C): seed k's rows at k·V
        offsets = torch.arange(K, device=idx.device).view(K, 1, 1) * emb.shape[1]
        x = F.embedding(idx + offsets, emb.reshape(-1, emb.shape[2])) + self.pos_emb.weight[:, None, :T]
        C, H = self.cfg.d_model, self.cfg.n_head
        for block in self.blocks:
            h = self._layer_norm(x, block.ln1)
            q, k, v = self._linear(h, block.attn.qkv.weight).view(K * B, T, 3, H, C // H).permute(2, 0, 3, 1, 4)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=self.cfg.causal)      # (K·B, H, T, C/H)
            x = x + self._linear(y.transpose(1, 2).reshape(K, B, T, C), block.attn.proj.weight)
            h = F.gelu(self._linear(self._layer_norm(x, block.ln2), block.fc.weight))
            x = x + self._linear(h, block.fc_out.weight)
        return self._layer_norm(x, self.ln_f)

    def forward(self, idx: Tensor, targets: Tensor | None = None) -> tuple[Tensor | list[Tensor], Tensor | None]:
        """GPT.forward for every seed. With targets (K, B, T), IGNORE where no loss: a list of K logits at
        seed k's scored positions, (n_scored_k, V), and the K mean cross-entropies, (K,). Without: logits
        at every position, (K, B, T, V)."""
        h = self.hidden(idx)
        emb = self.tok_emb.weight
        if targets is None:
            return torch.matmul(h.flatten(1, 2), emb.transpose(1, 2)).view(*h.shape[:3], -1), None
        logits, losses = [], []
        for hk, ek, tk in zip(h.unbind(0), emb.unbind(0), targets.unbind(0)):
            scored = tk != IGNORE
            logits.append(hk[scored] @ ek.T)
            losses.append(F.cross_entropy(logits[-1].float(), tk[scored]))
        return logits, torch.stack(losses)


class StackedLinear(nn.Module):
    """K nn.Linear layers of one shape applied side by side: (K, B, in) → (K, B, out), seed k's rows through
    layer k as one batched matrix product. The layers' own parameters stay the leaves (stacked afresh at each
    call), so an optimizer over `parameters()` updates each seed's tensors exactly as it would alone, and the
    bias is added seed by seed: an elementwise update, or a batch reduction, of one stacked tensor can round
    a seed's elements differently depending on its neighbours (vectorised loop vs scalar tail), which a GAN's
    dynamics then amplify. On the CPU a seed's numbers are therefore bitwise the same whichever seeds share
    its job (K ≥ 2); a seed alone (K = 1) matches them to float rounding only (bmm of one matrix runs as mm,
    which rounds matrix-vector products differently)."""

    def __init__(self, layers: Sequence[nn.Linear]):
        super().__init__()
        if len({(tuple(layer.weight.shape), layer.bias is None) for layer in layers}) != 1:
            raise ValueError("StackedLinear: the layers must share one shape and all have a bias or none")
        self.layers = nn.ModuleList(layers)

    def forward(self, x: Tensor) -> Tensor:
        y = torch.bmm(x, torch.stack([layer.weight for layer in self.layers]).transpose(1, 2))
        if self.layers[0].bias is None:
            return y
        # the bias seed by seed: its gradient (a sum over the batch) then reduces each seed's rows as alone
        return torch.stack([yk + layer.bias for yk, layer in zip(y.unbind(0), self.layers)])


def stack_linear_networks(models: Sequence[nn.Module]) -> nn.Module:
    """K copies of one network whose parameters all sit in nn.Linear layers (MLPs with any parameter-free
    activations or input scaling), as one network on (K, B, ...) inputs: a copy of models[0] with each
    Linear replaced by the StackedLinear of the K models' layers, so forward runs all K seeds at once.
    Its parameters are the K models' own (training the stack trains them), and the gradients of a sum of
    per-seed losses are each seed's own. Raises ValueError for models of different structure or with
    parameters outside Linear layers."""
    names = [[n for n, _ in m.named_modules()] for m in models]
    if any(n != names[0] for n in names):
        raise ValueError("stack_linear_networks: the models differ in structure")
    stack = copy.deepcopy(models[0])
    for name, module in models[0].named_modules():
        if isinstance(module, nn.Linear):
            owner, _, attr = name.rpartition(".")
            stack.get_submodule(owner).register_module(attr, StackedLinear([m.get_submodule(name) for m in models]))
        elif any(True for _ in module.parameters(recurse=False)):
            raise ValueError(f"stack_linear_networks: {name} ({type(module).__name__}) has parameters; only Linear layers can be stacked")
    return stack


def job_seeds(params: dict, outputs: dict, *keys: str) -> tuple[list[int], list[list]]:
    """The seeds of a job, `params["seeds"]` (trained side by side) or the one `params["seed"]`, and for
    each output key one path per seed, in the order of the seeds (a single path for a single seed).
    Raises ValueError if an output has another number of paths than there are seeds."""
    seeds = [int(s) for s in params["seeds"]] if "seeds" in params else [int(params["seed"])]
    paths = [outputs[k] if isinstance(outputs[k], list) else [outputs[k]] for k in keys]
    for key, per_seed in zip(keys, paths):
        if len(per_seed) != len(seeds):
            raise ValueError(f"{len(seeds)} seeds {seeds} but {len(per_seed)} {key!r} outputs")
    return seeds, paths


def stack_models(models: Sequence[nn.Module]) -> nn.Module:
    """The batched module of K models of one architecture: every parameter stacked along a new dim 0, and
    forward(*stacked_batch) → (_, per-seed losses (K,)). Implemented for the shared GPT."""
    if all(isinstance(m, GPT) for m in models):
        return StackedGPT(models)
    raise TypeError(f"fit_seeds: no stacked version of {sorted({type(m).__name__ for m in models})} (only GPT)")


def make_stacked_optimizer(stack: nn.Module, cfg: OptimConfig, device: torch.device) -> torch.optim.AdamW:
    """repro.nn.trainer.make_optimizer for stacked parameters: weight decay on what is a matrix or an
    embedding in each seed's model (dim ≥ 2 after the seed dimension), none on LayerNorm gains and biases."""
    decay = [p for p in stack.parameters() if p.dim() - 1 >= 2]
    no_decay = [p for p in stack.parameters() if p.dim() - 1 < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    fast = {"fused": True} if device.type == "cuda" else {"foreach": True}
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=cfg.betas, **fast)


@torch.no_grad()
def clip_grad_norm_per_seed_(params: Sequence[Tensor], max_norm: float) -> Tensor:
    """Gradient-norm clipping of each seed on its own: seed k's gradients (slice k of every stacked
    parameter's .grad, (K, ...)) are scaled by min(1, max_norm / (‖g_k‖ + 1e-6)), with ‖g_k‖ the 2-norm over
    all of seed k's gradients, computed as torch.nn.utils.clip_grad_norm_(foreach=True) computes it for one
    model. Returns the K norms before clipping, (K,)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(0)
    K = grads[0].shape[0]
    per_seed = zip(*(g.unbind(0) for g in grads))  # seed k: slice k of every gradient
    norms = torch.stack([nn.utils.get_total_norm(list(gk), 2.0, foreach=True) for gk in per_seed])
    coef = torch.clamp(max_norm / (norms + 1e-6), max=1.0)
    torch._foreach_mul_(grads, [coef.view(K, *[1] * (g.dim() - 1)) for g in grads])
    return norms


def fit_seeds(models: Sequence[nn.Module], batch_fns: Sequence[BatchFn], cfg: OptimConfig, *,
              device: torch.device, ckpt_path=None, run_key: str = "",
              on_step: SeedsOnStep | None = None) -> list[TrainState]:
    """Train models[k] on batch_fns[k] for cfg.steps steps, all K as one batched computation; return one
    TrainState per seed, as `fit` returns for one model. The trained weights are written back into each
    model (on `device`, in eval mode), as fit leaves them.

    Every batch_fns[k](step) must return tensors of the same shapes for every k (they are stacked along a
    new dim 0: inputs (K, B, T), targets (K, B, T)). Checkpointing and resuming are fit's (`ckpt_path`,
    `run_key`: see repro.nn.trainer.resumable); the checkpoint holds the stacked state. `on_step(step,
    stack)` is called after each step with the stacked model (a StackedGPT); a list of K records it returns
    is appended, seed by seed, to each seed's evals (None: nothing for that seed)."""
    if len(models) != len(batch_fns):
        raise ValueError(f"fit_seeds: {len(models)} models but {len(batch_fns)} batch functions")
    if cfg.ema:
        raise ValueError("fit_seeds: EMA weights (OptimConfig.ema) are not supported when seeds train side by side; "
                         "train them one per job")
    for model in models:
        model.to(device)
    stack = stack_models(models).to(device)
    K = len(models)
    opt = make_stacked_optimizer(stack, cfg, device)
    state = _resume(stack, opt, ckpt_path, run_key)  # history: K losses per log point; evals: K records per entry
    autocast = runtime.autocast(device)
    running, n_running = torch.zeros(K, device=device), 0
    bar = tqdm(total=cfg.steps, initial=state.step, file=sys.stderr, mininterval=10, ascii=True, desc=f"train x{K}")
    stack.train()
    while state.step < cfg.steps:
        step = state.step
        for group in opt.param_groups:
            group["lr"] = cfg.lr_at(step)
        per_seed = [fn(step) for fn in batch_fns]
        batch = [torch.stack(parts).to(device, non_blocking=True) for parts in zip(*per_seed, strict=True)]
        with autocast:
            _, losses = stack(*batch)
        opt.zero_grad(set_to_none=True)
        losses.sum().backward()  # d(sum)/d(loss_k) = 1: each seed's gradient is its own loss's
        if cfg.grad_clip:
            clip_grad_norm_per_seed_(list(stack.parameters()), cfg.grad_clip)
        opt.step()
        running += losses.detach()
        n_running += 1
        state.step += 1
        if state.step % cfg.log_every == 0 or state.step == cfg.steps:  # the only host sync
            state.history.append({"step": state.step, "loss": [v / n_running for v in running.tolist()],
                                  "lr": cfg.lr_at(step)})
            bar.set_postfix(loss=" ".join(f"{v:.4f}" for v in state.history[-1]["loss"]), refresh=False)
            running.zero_()
            n_running = 0
        if on_step is not None and (records := on_step(state.step, stack)) is not None:
            if len(records) != K:
                raise ValueError(f"on_step({state.step}) returned {len(records)} records for {K} seeds")
            state.evals.append(plain(list(records), f"on_step({state.step})"))
        bar.update(1)
        if ckpt_path is not None and cfg.ckpt_every and (state.step % cfg.ckpt_every == 0 or state.step == cfg.steps):
            _save(ckpt_path, stack, opt, state, run_key)
    bar.close()
    stack.copy_to(models)
    for model in models:
        model.eval()
    return split_state(state, K)


def split_state(state: TrainState, k: int) -> list[TrainState]:
    """The per-seed TrainStates of a stacked one (history losses and evals records are K-lists)."""
    return [TrainState(step=state.step,
                       history=[{**h, "loss": h["loss"][i]} for h in state.history],
                       evals=[records[i] for records in state.evals if records[i] is not None])
            for i in range(k)]
