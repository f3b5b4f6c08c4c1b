"""Pretraining (standard or with random pauses) and finetuning (standard or with M_ft appended pauses)
of the shared GPT, then accuracy with a chosen number of inference pauses.

Two data sources behind one interface: the synthetic late-query tasks (mini scale, tasks.py), and
byte-level C4 pretraining with the paper's downstream sets (full scale, downstream.py).
"""
from __future__ import annotations

import copy
import time

import torch

from repro.core import runtime
from repro.core.io import load_weights, read_json, save_torch, write_json
from repro.core.seeding import generator, seed_everything
from repro.data import text
from repro.data.heldout import OVERLAP, overlap
from repro.nn.gpt import GPT, GPTConfig, IGNORE, gpt_from_saved
from repro.nn.pause import append_pauses, insert_random_pauses
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.pause_tokens import downstream
from repro.papers.pause_tokens.tasks import Vocab, corpus, example_keys, examples, test_examples


def is_synthetic(p: dict) -> bool:
    return p["corpus"] == "synthetic"


def pause_id(p: dict, codec: text.Codec) -> int:
    return Vocab(p["n_digits"]).pause if is_synthetic(p) else codec.pause


def model_config(p: dict, codec: text.Codec) -> GPTConfig:
    """The GPT of the run: the synthetic tasks' vocabulary, or the text codec's (bytes, or a subword tokenizer)."""
    if not is_synthetic(p):
        return GPTConfig(vocab_size=codec.vocab_size, block_size=p["block_size"], **p["model"])
    example = p["n_digits"] + 3
    block = max(p["per_sequence"] * example, example + max(p["inference_pauses"] + [p["finetune_pauses"]]))
    return GPTConfig(vocab_size=Vocab(p["n_digits"]).size, block_size=block, **p["model"])


def pretrain(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    codec = text.codec(inputs.get("tokenizer"))
    seed_everything(p["seed"])
    model = GPT(model_config(p, codec))
    if is_synthetic(p):  # sequences of whole examples of the tasks, none of them a finetuning test example
        v = Vocab(p["n_digits"])
        length = p["per_sequence"] * (p["n_digits"] + 3)
        tests = [test_examples(t, p["n_test"], v, p["window"], p["seed"]) for t in p["tasks"]]
        exclude = {k for test in tests for k in example_keys(test)}
        sample = lambda g: corpus(p["batch_size"], p["per_sequence"], p["tasks"], v, p["window"], g, exclude)  # noqa: E731
    else:  # random windows of the corpus, its held-out tail excluded
        c4, length = text.open_corpus(inputs["corpus"], codec), model.cfg.block_size + 1
        sample = lambda g: text.windows(c4, p["batch_size"], length, g, hi=len(c4) - p["corpus"]["test_tokens"])  # noqa: E731
    n_pauses = round(p["pretrain_pause_rate"] * length)

    def batch(step: int):
        g = generator(p["seed"], step)
        x = sample(g)
        if p["arm"] == "pause":  # no loss where the next token is a pause
            return insert_random_pauses(x, n_pauses, pause_id(p, codec), g)
        return x[:, :-1], x[:, 1:]
    t0 = time.perf_counter()
    state = fit(model, batch, OptimConfig.from_params(p["pretrain_optim"]), device=runtime.device(),
                **resumable(outputs["model"], p))
    save_torch(outputs["model"], {"config": model.cfg.to_dict(), "state_dict": model.cpu().state_dict(),
                                  "history": state.history, "seconds": time.perf_counter() - t0})


class SyntheticTask:
    """One late-query task: the answer is one token, read after the last pause. Held out: no
    pretraining or finetuning example has a test example's prompt (redrawn: `example_keys`), so the
    train/test overlap is 0 by construction."""

    overlap = 0.0  # by construction, see above

    def __init__(self, p: dict):
        self.p, self.v = p, Vocab(p["n_digits"])
        self.test = test_examples(p["task"], p["n_test"], self.v, p["window"], p["seed"])
        self.test_keys = set(example_keys(self.test))

    def batch(self, step: int, n_pauses: int) -> tuple[torch.Tensor, torch.Tensor]:
        p = self.p
        x = examples(p["task"], p["batch_size"], self.v, p["window"], generator(p["seed"], 10**6 + step),
                     self.test_keys)
        return answer_batch(x, n_pauses, self.v.pause)

    @torch.no_grad()
    def accuracy(self, model: GPT, n_pauses: int) -> float:
        inputs, _ = answer_batch(self.test, n_pauses, self.v.pause)
        last = model.logits(model.hidden(inputs.to(model.device))[:, -1]).argmax(-1).cpu()
        return (last == self.test[:, -1]).float().mean().item()


def answer_batch(x: torch.Tensor, n_pauses: int, pause: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Prompt (+ pauses) as inputs; the only scored output is the answer, read after the last pause."""
    seq = torch.cat([append_pauses(x[:, :-1], n_pauses, pause), x[:, -1:]], dim=1)
    targets = torch.full_like(seq[:, 1:], IGNORE)
    targets[:, -1] = x[:, -1]
    return seq[:, :-1], targets


class TextTask:
    """One downstream set: ` target<EOS>` after prompt + pauses; exact match of the greedy answer."""

    def __init__(self, p: dict, data_path, codec: text.Codec | None = None):
        """codec: how text becomes ids (default: UTF-8 bytes)."""
        codec = self.codec = codec or text.Codec()
        self.p, self.spec = p, p["downstream"][p["task"]]
        ds = read_json(data_path)
        longest_pauses = max(p["inference_pauses"] + [p["finetune_pauses"]])
        self.max_prompt = p["block_size"] - longest_pauses - self.spec["max_answer"] - 1
        if self.max_prompt < 16:
            raise ValueError(f"block_size {p['block_size']} leaves no room for a prompt of {p['task']}")
        self.test = [(self.prompt(r["prompt"]), r["golds"]) for r in ds["test"]]
        # Held out: a training example with a test prompt (as the model reads it) is dropped, so the
        # finetuning overlap is 0 (measured). Overlap with the C4 pretraining text is not measured.
        test_prompts = {tuple(prompt) for prompt, _ in self.test}
        train = [(self.prompt(r["prompt"]), codec.encode(r["target"])[:self.spec["max_answer"]] + [codec.eos])
                 for r in ds["train"]]
        self.train = [(prompt, target) for prompt, target in train if tuple(prompt) not in test_prompts]
        self.n_dropped = len(train) - len(self.train)
        if not self.train:
            raise ValueError(f"{data_path}: every training example has a test prompt")
        self.overlap = overlap([tuple(prompt) for prompt, _ in self.test], {tuple(prompt) for prompt, _ in self.train})

    def prompt(self, s: str) -> list[int]:
        return self.codec.encode(s)[-self.max_prompt:]  # keep the end: the question comes last

    def batch(self, step: int, n_pauses: int) -> tuple[torch.Tensor, torch.Tensor]:
        pick = torch.randint(len(self.train), (self.p["batch_size"],), generator=generator(self.p["seed"], 10**6 + step))
        rows = [(prompt + [self.codec.pause] * n_pauses, target) for prompt, target in (self.train[i] for i in pick.tolist())]
        width = max(len(a) + len(b) for a, b in rows) - 1
        inputs = torch.full((len(rows), width), self.codec.eos)
        targets = torch.full((len(rows), width), IGNORE)
        for i, (prefix, target) in enumerate(rows):
            seq = torch.tensor(prefix + target)
            inputs[i, :len(seq) - 1] = seq[:-1]
            targets[i, len(prefix) - 1:len(seq) - 1] = seq[len(prefix):]  # answer-only loss
        return inputs, targets

    @torch.no_grad()
    def accuracy(self, model: GPT, n_pauses: int) -> float:
        order = sorted(range(len(self.test)), key=lambda i: len(self.test[i][0]))  # little padding per batch
        right, size = 0, self.p["eval_batch"]
        for at in range(0, len(order), size):
            chunk = [self.test[i] for i in order[at:at + size]]
            with runtime.autocast(model.device):
                answers = model.complete([prompt + [self.codec.pause] * n_pauses for prompt, _ in chunk],
                                         self.spec["max_answer"], self.codec.eos)
            right += sum(downstream.exact_match(self.codec.decode(a), golds, self.spec["format"])
                         for a, (_, golds) in zip(answers, chunk))
        return right / len(self.test)


def finetune(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """Finetune the pretrained model on one task, without and with M_ft pauses, and measure the answer
    accuracy for every number of inference pauses."""
    p = params
    blob = load_weights(inputs["model"])
    pretrained = gpt_from_saved(blob)
    task = SyntheticTask(p) if is_synthetic(p) else TextTask(p, inputs["data"], text.codec(inputs.get("tokenizer")))
    rows, curves = [], []
    for ft_arm, m_ft in (("std", 0), ("pause", p["finetune_pauses"])):
        seed_everything(p["seed"])
        model = copy.deepcopy(pretrained)
        state = fit(model, lambda step, m=m_ft: task.batch(step, m), OptimConfig.from_params(p["finetune_optim"]),
                    device=runtime.device(), **resumable(outputs["metrics"], p, part=ft_arm))
        model.eval()
        for m_inf in sorted(set(p["inference_pauses"]) | {m_ft}):
            rows.append({"seed": p["seed"], "task": p["task"], "pretrain": p["arm"], "finetune": ft_arm,
                         "finetune_pauses": m_ft, "inference_pauses": m_inf, "accuracy": task.accuracy(model, m_inf)})
        curves.append({"task": p["task"], "finetune": ft_arm, "history": state.history})
    write_json(outputs["metrics"], {"rows": rows, "curves": curves, "pretrain_history": blob["history"],
                                    OVERLAP: task.overlap, "n_train_dropped_as_test": getattr(task, "n_dropped", 0)})
