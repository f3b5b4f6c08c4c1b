"""Pretrained Hugging Face causal LMs and tokenizers at full scale (OPT, Pythia, GPT-2).

Only full-scale code paths import this module, and it imports `transformers` / `huggingface_hub` /
`tokenizers` inside its functions, so mini scale never loads them (tests/test_full_scale_hf.py checks it).

- `fetch_checkpoint`: the download stage (a localrule on the submitting host, workflow/rules/hub_models.smk):
  a hub repo's snapshot into results/models/hub/<name>; every other job reads that folder only;
- `load_causal_lm` / `HFCausalLM`: a checkpoint folder as a model with the interface of `repro.nn.gpt.GPT`
  (`hidden`, `logits`, `forward(idx, targets) -> (logits, loss)`, `generate`, `device`, `blocks`), so that
  the shared trainer (`repro.nn.trainer.fit`), the pruner (`repro.nn.prune`) and the papers' evaluators run
  on it unchanged. A task's token ids 0..V-1 are mapped onto the model's ids offset..offset+V-1 (existing
  vocabulary entries, or new rows appended with `add_tokens`), and its logits are read over those V ids only;
- `subword_tokenizer`: a GPT-2-style BPE tokenizer folder with extra special tokens (<pause>, <don't know>).
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from repro.nn.gpt import LanguageModelHead



def checkpoint_dir(spec: dict, name: str) -> str:
    """Where a model named `name` in the config (`{hub_id: ..., local_dir: ...}`) is read from: its
    `local_dir` when given (a folder written by `save_pretrained`, e.g. in tests), else the folder the
    fetch localrule writes, results/models/hub/<name>."""
    return spec.get("local_dir") or f"results/models/hub/{name}"


def fetch_checkpoint(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Download stage: `snapshot_download(params["hub_id"], revision=params.get("revision"))` into
    outputs["checkpoint"] (config, weights as safetensors, tokenizer files; no other weight formats).

    Runs as a localrule on the submitting host, which has the network (it is one of
    `repro.core.stages.NETWORK_STAGES`, which the stage runner leaves online; the lines below also undo an
    HF_HUB_OFFLINE=1 that the user's shell exported).
    Raises: whatever `huggingface_hub` raises for an unknown repo or revision, or without network."""
    os.environ.pop("HF_HUB_OFFLINE", None)
    from huggingface_hub import constants, snapshot_download

    from repro.core.io import atomic_path

    constants.HF_HUB_OFFLINE = False  # in case huggingface_hub was imported before the line above
    with atomic_path(outputs["checkpoint"]) as tmp:
        snapshot_download(params["hub_id"], revision=params.get("revision"), local_dir=tmp,
                          allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model", "merges.txt", "vocab.*"])


def load_causal_lm(path: str | Path, dtype: torch.dtype = torch.float32) -> nn.Module:
    """An `AutoModelForCausalLM` from a local checkpoint folder (never the network: local_files_only).
    path: a folder with config.json and weights (save_pretrained / fetch_checkpoint).
    Raises FileNotFoundError naming the folder if it has no config.json."""
    path = Path(path)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path}: no config.json; expected a Hugging Face checkpoint folder "
                                "(fetched by the hub_models localrule, or save_pretrained)")
    from transformers import AutoModelForCausalLM
    return AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype)


def decoder_layers(lm: nn.Module) -> nn.ModuleList:
    """The transformer blocks of a causal LM: its longest `nn.ModuleList` (OPT `model.decoder.layers`,
    GPT-NeoX `gpt_neox.layers`, GPT-2 `transformer.h`). Raises ValueError if it has none."""
    lists = [m for m in lm.modules() if isinstance(m, nn.ModuleList)]
    if not lists:
        raise ValueError(f"{type(lm).__name__}: no nn.ModuleList of transformer blocks found")
    return max(lists, key=len)


class HFCausalLM(LanguageModelHead, nn.Module):
    """A Hugging Face causal LM with `repro.nn.gpt.GPT`'s interface over a task vocabulary of
    `vocab_size` ids, mapped to the model's ids `offset .. offset + vocab_size - 1`.

    `blocks` is registered before `lm`, so `named_modules()` (which lists a shared module once, under
    its first name) names the block linears `blocks.<i>.…`: `repro.nn.prune.block_linears` then finds
    exactly them, never the embeddings or the LM head (Jin et al., 2023 prune only the blocks). GPT-2's
    blocks use `Conv1D`, not `nn.Linear`, so they are not prunable this way (no paper here prunes GPT-2)."""

    def __init__(self, lm: nn.Module, vocab_size: int, offset: int = 0):
        super().__init__()
        n_model = lm.get_input_embeddings().num_embeddings
        if offset < 0 or offset + vocab_size > n_model:
            raise ValueError(f"task ids {offset}..{offset + vocab_size - 1} do not fit the model's vocabulary of "
                             f"{n_model}; lower the offset or add tokens (HFCausalLM.with_new_tokens)")
        self.blocks = decoder_layers(lm)
        self.lm = lm
        self.vocab_size, self.offset = vocab_size, offset
        self.lm.config.use_cache = False

    @classmethod
    def with_new_tokens(cls, lm: nn.Module, vocab_size: int) -> "HFCausalLM":
        """The task's ids as `vocab_size` new rows appended to the model's (input and tied output)
        embeddings, as the creativity paper adds its entities as new GPT-2 tokens."""
        n_model = lm.get_input_embeddings().num_embeddings
        lm.resize_token_embeddings(n_model + vocab_size)
        return cls(lm, vocab_size, offset=n_model)

    def hidden(self, idx: Tensor) -> Tensor:
        """Final hidden states (after the model's final LayerNorm), (B, T, d_model); idx: task ids (B, T)."""
        return self.lm.base_model(input_ids=idx + self.offset, use_cache=False).last_hidden_state

    def logits(self, h: Tensor) -> Tensor:
        """Logits over the task's ids only, (..., vocab_size), from hidden states (..., d_model)."""
        head = self.lm.get_output_embeddings()
        rows = slice(self.offset, self.offset + self.vocab_size)
        return F.linear(h, head.weight[rows], None if head.bias is None else head.bias[rows])

    @property
    def device(self) -> torch.device:
        return self.lm.get_input_embeddings().weight.device

    def save(self, path: str | Path) -> None:
        """The underlying model (with any appended token rows) as a checkpoint folder, atomically."""
        from repro.core.io import atomic_path
        with atomic_path(path) as tmp:
            self.lm.save_pretrained(tmp)


def block_params(model: HFCausalLM) -> int:
    """Parameters in the transformer blocks (what pruning and the dense-size axis count)."""
    return sum(p.numel() for p in model.blocks.parameters())


def subword_tokenizer(path: str | Path, special_tokens: list[str] = ()):
    """A `PreTrainedTokenizerFast` (GPT-2's byte-level BPE at full scale) from a local folder, with each of
    `special_tokens` (e.g. "<pause>", "<don't know>") added as one special token that the BPE never splits
    or produces from text. Their ids follow the base vocabulary: `tok.convert_tokens_to_ids(t)`; a model
    using them needs `len(tok)` embedding rows. Raises FileNotFoundError naming the folder if it has no
    tokenizer files."""
    path = Path(path)
    if not any((path / f).is_file() for f in ("tokenizer.json", "vocab.json")):
        raise FileNotFoundError(f"{path}: no tokenizer.json / vocab.json; expected a tokenizer folder "
                                "(fetched by the hub_models localrule, or save_pretrained)")
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(path, local_files_only=True, use_fast=True)
    if special_tokens:
        tok.add_special_tokens({"additional_special_tokens": list(special_tokens)})
    return tok
