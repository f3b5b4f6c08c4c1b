"""Pretraining (standard or with random pauses) and finetuning (standard or with M_ft appended pauses)
of the shared GPT, then accuracy with a chosen number of inference pauses."""
from __future__ import annotations

import copy
import time

import torch

from repro.core import runtime
from repro.core.io import load_weights, save_torch, write_json
from repro.core.seeding import generator, seed_everything
from repro.nn.gpt import GPT, GPTConfig, IGNORE, gpt_from_saved
from repro.nn.pause import append_pauses, insert_random_pauses
from repro.nn.trainer import OptimConfig, fit
from repro.papers.pause_tokens.tasks import Vocab, corpus, examples


def model_config(p: dict) -> GPTConfig:
    v = Vocab(p["n_digits"])
    example = p["n_digits"] + 3
    block = max(p["per_sequence"] * example, example + max(p["inference_pauses"] + [p["finetune_pauses"]]))
    return GPTConfig(vocab_size=v.size, block_size=block, **p["model"])


def pretrain(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    seed_everything(p["seed"])
    v = Vocab(p["n_digits"])
    model = GPT(model_config(p))
    n_pauses = round(p["pretrain_pause_rate"] * p["per_sequence"] * (p["n_digits"] + 3))

    def batch(step: int):
        g = generator(p["seed"], step)
        x = corpus(p["batch_size"], p["per_sequence"], p["tasks"], v, p["window"], g)
        if p["arm"] == "pause":  # no loss where the next token is a pause
            return insert_random_pauses(x, n_pauses, v.pause, g)
        return x[:, :-1], x[:, 1:]
    t0 = time.perf_counter()
    state = fit(model, batch, OptimConfig.from_params(p["pretrain_optim"]), device=runtime.device())
    save_torch(outputs["model"], {"config": model.cfg.to_dict(), "state_dict": model.cpu().state_dict(),
                                  "history": state.history, "seconds": time.perf_counter() - t0})


def answer_batch(x: torch.Tensor, n_pauses: int, pause_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Prompt (+ pauses) as inputs; the only scored output is the answer, read after the last pause."""
    seq = torch.cat([append_pauses(x[:, :-1], n_pauses, pause_id), x[:, -1:]], dim=1)
    targets = torch.full_like(seq[:, 1:], IGNORE)
    targets[:, -1] = x[:, -1]
    return seq[:, :-1], targets


@torch.no_grad()
def accuracy(model: GPT, x: torch.Tensor, n_pauses: int, pause_id: int) -> float:
    inputs, _ = answer_batch(x, n_pauses, pause_id)
    return (model.logits(model.hidden(inputs)[:, -1]).argmax(-1) == x[:, -1]).float().mean().item()


def finetune(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    p = params
    v = Vocab(p["n_digits"])
    blob = load_weights(inputs["model"])
    pretrained = gpt_from_saved(blob)
    rows, curves = [], []
    for task in p["tasks"]:
        test = examples(task, p["n_test"], v, p["window"], generator(p["seed"], 7777))
        for ft_arm, m_ft in (("std", 0), ("pause", p["finetune_pauses"])):
            seed_everything(p["seed"])
            model = copy.deepcopy(pretrained)

            def batch(step: int, task=task, m_ft=m_ft):
                x = examples(task, p["batch_size"], v, p["window"], generator(p["seed"], 10**6 + step))
                return answer_batch(x, m_ft, v.pause)
            state = fit(model, batch, OptimConfig.from_params(p["finetune_optim"]), device=runtime.device())
            model.cpu().eval()
            for m_inf in sorted(set(p["inference_pauses"]) | {m_ft}):
                rows.append({"seed": p["seed"], "task": task, "pretrain": p["arm"], "finetune": ft_arm,
                             "finetune_pauses": m_ft, "inference_pauses": m_inf,
                             "accuracy": accuracy(model, test, m_inf, v.pause)})
            curves.append({"task": task, "finetune": ft_arm, "history": state.history})
    write_json(outputs["metrics"], {"rows": rows, "curves": curves, "pretrain_history": blob["history"]})
