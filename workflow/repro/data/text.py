"""Byte-level text for the language-model papers at full scale (C4 pretraining, hub downstream sets).

Tokens are UTF-8 bytes: no tokenizer to train, download or version, and any text round-trips. Valid
UTF-8 never contains the bytes 0xF5-0xFF, so two of them serve as special tokens and the vocabulary
stays 256 (a corpus is stored as one uint8 file). A byte-level model needs about 4x more positions
than a BPE one for the same text; the configs size block_size for that.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from repro.core.io import atomic_path, write_json

VOCAB_SIZE = 256
EOS = 0xFF    # ends a document / an answer
PAUSE = 0xFD  # the pause token (Goyal et al., 2023; Galashov et al., 2025)
_FIRST_SPECIAL = 0xF5


def encode(text: str) -> list[int]:
    return list(text.encode("utf-8"))


def decode(ids: list[int]) -> str:
    return bytes(i for i in ids if i < _FIRST_SPECIAL).decode("utf-8", errors="replace")


def fetch_corpus(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Stage: stream documents from the hub (params["load"]: `datasets.load_dataset` arguments,
    e.g. {path: allenai/c4, name: en, split: train, streaming: true}) and write the first
    params["n_bytes"] bytes of them, each document followed by EOS, to one uint8 file."""
    from repro.data.hf import load_hub  # full scale only: needs the network

    load = dict(params["load"])
    docs = load_hub(load.pop("path"), load.pop("split"), **load)
    column, n_bytes, written, n_docs = params.get("text_column", "text"), int(params["n_bytes"]), 0, 0
    with atomic_path(outputs["corpus"]) as tmp, open(tmp, "wb") as fh:
        for doc in docs:
            chunk = doc[column].encode("utf-8") + bytes([EOS])
            fh.write(chunk[:n_bytes - written])
            written, n_docs = min(n_bytes, written + len(chunk)), n_docs + 1
            if written >= n_bytes:
                break
        if written < n_bytes:  # inside the atomic block: a short corpus is never left behind
            raise ValueError(f"{params['load']['path']}: only {written} of the {n_bytes} bytes asked for")
        fh.flush()
        os.fsync(fh.fileno())
    write_json(outputs["spec"], {"load": params["load"], "n_bytes": written, "documents": n_docs})


def open_corpus(path: str | Path) -> np.memmap:
    return np.memmap(path, dtype=np.uint8, mode="r")


def windows(corpus: np.ndarray, n: int, length: int, gen: torch.Generator, lo: int = 0, hi: int | None = None
            ) -> torch.Tensor:
    """n windows of `length` tokens starting at uniformly random offsets in corpus[lo:hi], (n, length).
    A pure function of the generator's state, so batch_fn(step) needs no loader state to resume."""
    hi = len(corpus) if hi is None else hi
    if hi - lo < length:
        raise ValueError(f"corpus slice of {hi - lo} bytes is shorter than a window of {length}")
    starts = torch.randint(lo, hi - length + 1, (n,), generator=gen).tolist()
    return torch.from_numpy(np.stack([corpus[s:s + length] for s in starts]).astype(np.int64))
