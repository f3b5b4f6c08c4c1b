"""Text as token ids for the language-model papers at full scale (C4 pretraining, hub downstream sets).

Two codecs, one interface (`Codec`: vocab_size, eos, pause, encode, decode, dtype):
- bytes (the default): tokens are UTF-8 bytes; no tokenizer to train, download or version, and any text
  round-trips. Valid UTF-8 never contains the bytes 0xF5-0xFF, so two of them serve as EOS and the pause
  token and the vocabulary stays 256. A byte-level model needs about 4x more positions than a BPE one.
- subword: a hub tokenizer folder (GPT-2's byte-level BPE at full scale, fetched by the hub_models
  localrule), with `<pause>` added as one special token and its own end-of-text token as EOS.
A corpus is one file of token ids (uint8 for bytes, uint16/uint32 for a subword vocabulary) with a JSON spec
beside it that names its codec; `open_corpus` reads the ids with the spec's dtype.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from repro.core.io import atomic_path, read_json, write_json

VOCAB_SIZE = 256
EOS = 0xFF    # ends a document / an answer
PAUSE = 0xFD  # the pause token (Goyal et al., 2023; Galashov et al., 2025)
_FIRST_SPECIAL = 0xF5
PAUSE_TOKEN = "<pause>"  # the subword codec's pause token


def encode(text: str) -> list[int]:
    return list(text.encode("utf-8"))


def decode(ids: list[int]) -> str:
    return bytes(i for i in ids if i < _FIRST_SPECIAL).decode("utf-8", errors="replace")


class Codec:
    """UTF-8 bytes as tokens (see the module docstring); SubwordCodec has the same members."""

    name, vocab_size, eos, pause, dtype = "bytes", VOCAB_SIZE, EOS, PAUSE, np.uint8

    def encode(self, text: str) -> list[int]:
        return encode(text)

    def decode(self, ids: list[int]) -> str:
        """The text of ids, special tokens (EOS, pause) left out."""
        return decode(ids)

    def describe(self) -> dict:
        return {"codec": self.name, "vocab_size": self.vocab_size, "dtype": np.dtype(self.dtype).name}


class SubwordCodec(Codec):
    """A hub tokenizer folder (repro.nn.hf.subword_tokenizer) with `<pause>` added; EOS is the tokenizer's own
    end-of-text token (GPT-2: <|endoftext|>). Raises ValueError if the tokenizer has none."""

    name = "subword"

    def __init__(self, folder: str | Path):
        from repro.nn.hf import subword_tokenizer  # full scale only: transformers

        self.tok = subword_tokenizer(folder, [PAUSE_TOKEN])
        if self.tok.eos_token_id is None:
            raise ValueError(f"{folder}: the tokenizer has no end-of-text (eos) token")
        self.vocab_size, self.eos = len(self.tok), int(self.tok.eos_token_id)
        self.pause = int(self.tok.convert_tokens_to_ids(PAUSE_TOKEN))
        self.dtype = np.uint16 if self.vocab_size <= 2**16 else np.uint32

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False)

    def decode(self, ids: list[int]) -> str:
        return self.tok.decode([i for i in ids if i not in (self.eos, self.pause)], skip_special_tokens=True)


def codec(tokenizer: str | Path | None = None) -> Codec:
    """The bytes codec, or the subword codec of a tokenizer folder."""
    return Codec() if tokenizer is None else SubwordCodec(tokenizer)


def fetch_corpus(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Stage: stream documents from the hub (params["load"]: `datasets.load_dataset` arguments,
    e.g. {path: allenai/c4, name: en, split: train, streaming: true}), encode them with the codec (bytes, or
    the tokenizer folder inputs["tokenizer"]) and write the first params["n_tokens"] tokens, each document
    followed by EOS, to one file of ids; outputs["spec"] names the codec and dtype (read by open_corpus).
    Raises ValueError, and leaves no corpus behind, if the documents run out first."""
    from repro.data.hf import load_hub  # full scale only: needs the network

    enc = codec(inputs.get("tokenizer"))
    load = dict(params["load"])
    docs = load_hub(load.pop("path"), load.pop("split"), **load)
    column, n_tokens, written, n_docs = params.get("text_column", "text"), int(params["n_tokens"]), 0, 0
    with atomic_path(outputs["corpus"]) as tmp, open(tmp, "wb") as fh:
        for doc in docs:
            chunk = np.asarray(enc.encode(doc[column]) + [enc.eos], dtype=enc.dtype)[:n_tokens - written]
            fh.write(chunk.tobytes())
            written, n_docs = written + len(chunk), n_docs + 1
            if written >= n_tokens:
                break
        if written < n_tokens:  # inside the atomic block: a short corpus is never left behind
            raise ValueError(f"{params['load']['path']}: only {written} of the {n_tokens} tokens asked for")
        fh.flush()
        os.fsync(fh.fileno())
    write_json(outputs["spec"], {"load": params["load"], "n_tokens": written, "documents": n_docs} | enc.describe())


def open_corpus(path: str | Path, expect: Codec | None = None) -> np.memmap:
    """The token ids of a corpus file, with the dtype its spec (the .json beside it) names. expect: the codec
    the caller encodes with; raises ValueError if the corpus was written with another one."""
    path = Path(path)
    spec = read_json(path.with_suffix(".json"))
    written = (spec.get("codec", "bytes"), spec.get("vocab_size", VOCAB_SIZE))
    if expect is not None and written != (expect.name, expect.vocab_size):
        raise ValueError(f"{path}: written with the {written[0]} codec (vocabulary {written[1]}), "
                         f"but this job encodes with {expect.name} ({expect.vocab_size}): refetch it")
    return np.memmap(path, dtype=np.dtype(spec.get("dtype", "uint8")), mode="r")  # older specs: bytes


def windows(corpus: np.ndarray, n: int, length: int, gen: torch.Generator, lo: int = 0, hi: int | None = None
            ) -> torch.Tensor:
    """n windows of `length` tokens starting at uniformly random offsets in corpus[lo:hi], (n, length).
    A pure function of the generator's state, so batch_fn(step) needs no loader state to resume."""
    hi = len(corpus) if hi is None else hi
    if hi - lo < length:
        raise ValueError(f"corpus slice of {hi - lo} tokens is shorter than a window of {length}")
    starts = torch.randint(lo, hi - length + 1, (n,), generator=gen).tolist()
    return torch.from_numpy(np.stack([corpus[s:s + length] for s in starts]).astype(np.int64))
