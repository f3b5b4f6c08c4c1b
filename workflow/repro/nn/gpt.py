"""One small GPT for every language-model paper (nanoGPT-style: one file, every knob visible).

Pre-LN decoder, learned absolute positions, tied input/output embeddings, no dropout, fused
attention (`scaled_dot_product_attention`). Switches later papers use without forking it:
`causal=False` (masked diffusion), `n_extra_outputs` (an output class with no input embedding,
e.g. `<don't know>`), and plain `nn.Linear` block layers so pruning masks apply directly.
Logits are computed only where a loss or a decision needs them (`positions` / `targets`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from repro.core.io import load_weights

IGNORE = -1  # target value that carries no loss


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int
    block_size: int
    n_layer: int = 2
    n_head: int = 2
    d_model: int = 64
    mlp_ratio: int = 4
    causal: bool = True
    n_extra_outputs: int = 0  # output-only classes appended after the vocabulary

    def to_dict(self) -> dict:
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        if cfg.d_model % cfg.n_head:
            raise ValueError(f"d_model={cfg.d_model} is not divisible by n_head={cfg.n_head}")
        self.n_head, self.causal = cfg.n_head, cfg.causal
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.fc = nn.Linear(cfg.d_model, cfg.mlp_ratio * cfg.d_model, bias=False)
        self.fc_out = nn.Linear(cfg.mlp_ratio * cfg.d_model, cfg.d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.fc_out(F.gelu(self.fc(self.ln2(x))))


class LanguageModelHead:
    """What every causal LM here offers (the shared GPT, and `repro.nn.hf.HFCausalLM` around a hub
    checkpoint), written once over three members the class provides: `hidden(idx)` (B, T) ids →
    (B, T, d) final hidden states, `logits(h)` (..., d) → (..., V), and `device`."""

    def forward(self, idx: Tensor, targets: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        """With targets (IGNORE where no loss): logits only at the scored positions, (n_scored, V),
        and the mean cross-entropy. Without: logits at every position, (B, T, V)."""
        h = self.hidden(idx)
        if targets is None:
            return self.logits(h), None
        scored = targets != IGNORE
        logits = self.logits(h[scored])
        return logits, F.cross_entropy(logits.float(), targets[scored])

    @torch.no_grad()
    def generate(self, prompt: Tensor, n_new: int, temperature: float = 0.0,
                 generator: torch.Generator | None = None) -> Tensor:
        """Decode n_new tokens after a batch of equal-length prompts: greedy at temperature 0,
        else sampled from softmax(logits / temperature) (pass a generator for repeatable draws).
        Runs on the model's device; the result is on the prompt's."""
        seq = prompt.to(self.device)
        for _ in range(n_new):
            logits = self.logits(self.hidden(seq)[:, -1])
            if temperature > 0:  # sampled on the CPU, so that a CPU generator gives the same draws anywhere
                probs = (logits.float() / temperature).softmax(-1).cpu()
                nxt = torch.multinomial(probs, 1, generator=generator).to(seq.device)
            else:
                nxt = logits.argmax(-1, keepdim=True)
            seq = torch.cat([seq, nxt], dim=1)
        return seq[:, prompt.shape[1]:].to(prompt.device)

    @torch.no_grad()
    def predict_parallel(self, idx: Tensor, positions: Tensor) -> Tensor:
        """One-pass (teacherless) decoding: argmax at the given positions, (B, len(positions))."""
        return self.logits(self.hidden(idx.to(self.device))[:, positions]).argmax(-1).to(idx.device)


class GPT(LanguageModelHead, nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size + cfg.n_extra_outputs, cfg.d_model)  # tied with the head
        self.pos_emb = nn.Embedding(cfg.block_size, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2: scale residual projections by depth
            if name.endswith(("proj.weight", "fc_out.weight")):
                nn.init.normal_(p, std=0.02 / (2 * cfg.n_layer) ** 0.5)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def hidden(self, idx: Tensor) -> Tensor:
        """Final-layer hidden states, (B, T, d_model)."""
        T = idx.shape[1]
        if T > self.cfg.block_size:
            raise ValueError(f"sequence length {T} > block_size {self.cfg.block_size}")
        x = self.tok_emb(idx) + self.pos_emb.weight[:T]
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x)

    def logits(self, h: Tensor) -> Tensor:
        return h @ self.tok_emb.weight.T

    @torch.no_grad()
    def complete(self, prompts: list[list[int]], n_new: int, stop: int) -> list[list[int]]:
        """Greedy completions of prompts of different lengths in one batch, each cut before its first
        `stop` token. Rows are right-padded: causal attention keeps the padding after a row's last
        token invisible to it, so each row's next token is read at its own last position."""
        lengths = torch.tensor([len(p) for p in prompts], device=self.device)
        if int(lengths.max()) + n_new > self.cfg.block_size:
            raise ValueError(f"prompt of {int(lengths.max())} + {n_new} new tokens > block_size {self.cfg.block_size}")
        buf = torch.full((len(prompts), int(lengths.max()) + n_new), stop, dtype=torch.long, device=self.device)
        for row, p in enumerate(prompts):
            buf[row, :len(p)] = torch.tensor(p, dtype=torch.long)
        rows, start = torch.arange(len(prompts), device=self.device), lengths.clone()
        done = torch.zeros(len(prompts), dtype=torch.bool, device=self.device)
        for _ in range(n_new):
            h = self.hidden(buf[:, :int(lengths.max())])
            nxt = self.logits(h[rows, lengths - 1]).argmax(-1).masked_fill(done, stop)
            buf[rows, lengths] = nxt
            lengths += 1
            done |= nxt == stop
            if done.all():
                break
        out = []
        for row, begin in enumerate(start.tolist()):
            new = buf[row, begin:begin + n_new].tolist()
            out.append(new[:new.index(stop)] if stop in new else new)
        return out

    @property
    def device(self) -> torch.device:
        return self.pos_emb.weight.device

def teacherless_inputs(inputs: Tensor, target_mask: Tensor, dummy: int) -> Tensor:
    """Replace every target-position input by a dummy token, so that all target tokens must be
    predicted from the prefix alone, in one pass (Bachmann & Nagarajan, 2024).
    `target_mask[b, t]` is True where inputs[b, t] is a target token."""
    return torch.where(target_mask, torch.full_like(inputs, dummy), inputs)


def gpt_from_saved(blob: dict) -> GPT:
    """The GPT of a saved {"config": GPTConfig.to_dict(), "state_dict": ...}, in eval mode."""
    model = GPT(GPTConfig(**blob["config"]))
    model.load_state_dict(blob["state_dict"])
    return model.eval()


def load_gpt(path: str | Path) -> GPT:
    return gpt_from_saved(load_weights(path))


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
