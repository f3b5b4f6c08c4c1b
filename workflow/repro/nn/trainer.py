"""The one training loop: AdamW, warmup + cosine LR, grad clipping, optional EMA weights, bf16 autocast on
GPU, periodic resumable checkpoints, and a tqdm bar into the rule's log.

Batches come from `batch_fn(step)`, a pure function of the step (and the run's seed), so a
resumed run sees exactly the batches an uninterrupted one would: no data-loader state to save.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from torch import Tensor, nn
from tqdm import tqdm

from repro.core import runtime
from repro.core.io import checkpoint_base, load_weights, save_torch

BatchFn = Callable[[int], tuple[Tensor, ...]]


@dataclass(frozen=True)
class OptimConfig:
    steps: int
    lr: float = 1e-3
    warmup: int = 100
    min_lr_ratio: float = 0.1          # cosine decay from lr to lr * min_lr_ratio
    weight_decay: float = 0.01
    betas: tuple[float, float] = (0.9, 0.98)
    grad_clip: float = 1.0
    ckpt_every: int = 500              # steps between resumable checkpoints (0: never)
    log_every: int = 100               # steps between recorded losses
    ema: float = 0.0                   # EMA decay of the weights the run ends with (0: the last iterate)

    def __post_init__(self):
        if self.ckpt_every and self.ckpt_every % self.log_every:
            raise ValueError(f"ckpt_every={self.ckpt_every} must be a multiple of log_every={self.log_every}"
                             " (so that a resumed run logs exactly what an uninterrupted one does)")
        if not 0.0 <= self.ema < 1.0:
            raise ValueError(f"ema={self.ema} must be in [0, 1) (0: no EMA)")

    @classmethod
    def from_params(cls, p: dict) -> "OptimConfig":
        known = {k: (tuple(v) if k == "betas" else v) for k, v in p.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def lr_at(self, step: int) -> float:
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        progress = (step - self.warmup) / max(1, self.steps - self.warmup)
        return self.lr * (self.min_lr_ratio + (1 - self.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


@dataclass
class TrainState:
    step: int = 0
    history: list[dict] = field(default_factory=list)  # {"step", "loss", "lr"} every log_every steps
    evals: list[dict] = field(default_factory=list)    # what on_step returned (e.g. periodic evaluations)


def make_optimizer(model: nn.Module, cfg: OptimConfig, device: torch.device) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]      # weights and embeddings
    no_decay = [p for p in model.parameters() if p.dim() < 2]    # LayerNorm gains, biases
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    fast = {"fused": True} if device.type == "cuda" else {"foreach": True}
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=cfg.betas, **fast)


def fit(model: nn.Module, batch_fn: BatchFn, cfg: OptimConfig, *, device: torch.device,
        ckpt_path: Path | None = None, run_key: str = "",
        on_step: Callable[[int, nn.Module], dict | None] | None = None) -> TrainState:
    """Train `model` for cfg.steps steps; model(*batch) must return (_, loss).

    If `ckpt_path` holds a checkpoint with the same `run_key` (a hash of everything that
    determines the run), training resumes from it; a stale checkpoint of another config is ignored.
    `on_step(step, model)` is called after each step; a dict it returns (e.g. a periodic evaluation)
    is appended to `state.evals`, which is checkpointed with the run.

    With cfg.ema > 0 the model ends with the exponential moving average of its weights (decay cfg.ema per
    update, warmed up as min(cfg.ema, (1 + n) / (10 + n)) at the n-th update, as score_sde's EMA does, so
    that a short run forgets its random initial weights; Polyak averaging, which SEDD evaluates with). EMA cannot be
    combined with on_step (a ValueError): periodic evaluations would score the current iterate."""
    if cfg.ema and on_step is not None:
        raise ValueError("optim.ema with periodic evaluations (on_step): they would score the current iterate, "
                         "not the averaged weights the run ends with; drop ema for this stage")
    model.to(device)
    opt = make_optimizer(model, cfg, device)
    params = list(model.parameters())
    ema = [p.detach().float().clone() for p in params] if cfg.ema else None  # fp32: bf16 would round updates away
    state = _resume(model, opt, ckpt_path, run_key, ema)
    autocast = runtime.autocast(device)
    running, n_running = torch.zeros((), device=device), 0
    bar = tqdm(total=cfg.steps, initial=state.step, file=sys.stderr, mininterval=10, ascii=True, desc="train")
    model.train()
    while state.step < cfg.steps:
        step = state.step
        for group in opt.param_groups:
            group["lr"] = cfg.lr_at(step)
        batch = [t.to(device, non_blocking=True) for t in batch_fn(step)]
        with autocast:
            _, loss = model(*batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip:
            nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip, foreach=True)
        opt.step()
        if ema is not None:
            decay = min(cfg.ema, (2 + step) / (11 + step))  # (1 + n) / (10 + n) after n = step + 1 updates
            torch._foreach_lerp_(ema, [p.detach().float() for p in params], 1.0 - decay)  # one kernel
        running += loss.detach()
        n_running += 1
        state.step += 1
        if state.step % cfg.log_every == 0 or state.step == cfg.steps:  # the only host sync
            state.history.append({"step": state.step, "loss": running.item() / n_running, "lr": cfg.lr_at(step)})
            bar.set_postfix(loss=f"{state.history[-1]['loss']:.4f}", refresh=False)
            running.zero_()
            n_running = 0
        if on_step is not None and (record := on_step(state.step, model)) is not None:
            state.evals.append(plain(record, f"on_step({state.step})"))  # as a resumed run will reload it
        bar.update(1)
        if ckpt_path is not None and cfg.ckpt_every and (state.step % cfg.ckpt_every == 0 or state.step == cfg.steps):
            _save(ckpt_path, model, opt, state, run_key, ema)  # the last one lets a job killed after fit skip it
    bar.close()
    if ema is not None:
        with torch.no_grad():
            for p, average in zip(params, ema):
                p.copy_(average)  # cast back to the weights' dtype
    model.eval()
    return state


def _save(path: Path, model: nn.Module, opt: torch.optim.Optimizer, state: TrainState, run_key: str,
          ema: list[Tensor] | None = None) -> None:
    # Log-points are aligned with checkpoints only if log_every divides ckpt_every; the partial
    # running loss is not saved, so a resumed run's history equals an uninterrupted one's when it does.
    save_torch(path, {"run_key": run_key, "step": state.step,
                      "history": plain(state.history, "history"), "evals": plain(state.evals, "evals"),
                      "model": model.state_dict(), "optim": opt.state_dict(), "ema": ema})


def plain(value, where: str = "value"):
    """`value` as what torch.load(weights_only=True) reloads: dicts, lists, tuples, str, bool, int, float,
    None and tensors. NumPy scalars become int/float/bool and NumPy arrays lists; anything else
    raises a TypeError naming where it is, when the checkpoint is written rather than when a resume fails."""
    if value is None or type(value) in (bool, int, float, str) or isinstance(value, Tensor):
        return value   # exact types: np.float64 is a float subclass that weights_only=True refuses
    if type(value) is dict:
        return {plain(k, f"{where} key {k!r}"): plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(plain(v, f"{where}[{i}]") for i, v in enumerate(value))
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):  # numpy scalars and arrays
        return plain(value.tolist(), where)
    raise TypeError(f"{where}: {type(value).__module__}.{type(value).__qualname__} cannot be reloaded from a "
                    "checkpoint with torch.load(weights_only=True); return plain Python values "
                    "(int, float, bool, str, None, lists, dicts) or tensors")


def _resume(model: nn.Module, opt: torch.optim.Optimizer, path: Path | None, run_key: str,
            ema: list[Tensor] | None = None) -> TrainState:
    if path is None or not Path(path).exists():
        return TrainState()
    ckpt = load_weights(path)
    if ckpt.get("run_key") != run_key:
        print(f"ignoring checkpoint {path}: written by another configuration", file=sys.stderr)
        return TrainState()
    saved_ema = ckpt.get("ema")
    if ema is not None and (saved_ema is None or len(saved_ema) != len(ema)):
        # resumable() keys runs by their params (cfg.ema included), so only a hand-made run_key gets here
        print(f"ignoring checkpoint {path}: it holds no EMA weights for this run", file=sys.stderr)
        return TrainState()
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optim"])
    if ema is not None:
        for average, saved in zip(ema, saved_ema, strict=True):
            average.copy_(saved)
    print(f"resumed from {path} at step {ckpt['step']}", file=sys.stderr)
    return TrainState(step=ckpt["step"], history=list(ckpt["history"]), evals=list(ckpt.get("evals", [])))


def resumable(output: str | Path, params: dict, part: str = "") -> dict:
    """fit() keyword arguments that make a training job resumable: a checkpoint for the job's output
    (`part` names one of several fits in a job), keyed by a hash of the job's params and code version (the
    rule's `params.code`, which the stage runner exports as $REPRO_CODE_VERSION) so that neither a changed
    config nor changed code resumes a stale run. The stage runner deletes the checkpoints once the job has
    succeeded (repro.core.stages)."""
    code = os.environ.get("REPRO_CODE_VERSION", "")          # unset outside Snakemake jobs
    keyed = [params, code] if code else params
    key = hashlib.sha256(json.dumps(keyed, sort_keys=True, default=str).encode()).hexdigest()
    return {"ckpt_path": Path(f"{checkpoint_base(Path(output))}{'.' + part if part else ''}.ckpt"),
            "run_key": f"{key}:{part}"}

