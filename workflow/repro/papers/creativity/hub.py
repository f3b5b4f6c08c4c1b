"""Full scale of the creativity study's finetuning runs: the hub's pretrained GPT-2, finetuned (Nagarajan, Wu et al.,
2025: triangle / circle / line finetune `gpt2`; sibling and the diffusion model train from scratch).

The task's tokens (entities, hash symbols, separator, dummy) become new GPT-2 tokens (rows appended to its
tied embedding; the paper adds its entities as new tokens too), and the pretrained transformer is finetuned
on the same data, batches and loss as creativity.train (`ntp`, `teacherless` hybrid, `ntp_nohash`), then
decodes one answer per fresh test prompt and is scored by the same `tasks.scores`. Diffusion has no
pretrained counterpart and stays with creativity.train (from scratch).
"""
from __future__ import annotations

import time

import torch

from repro.core import runtime
from repro.core.seeding import generator
from repro.nn.hf import HFCausalLM, load_causal_lm
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.creativity.train import Run, ntp_batches

FINETUNE_ARMS = ("ntp", "teacherless", "ntp_nohash")


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """inputs["checkpoint"]: a GPT-2 checkpoint folder; outputs["metrics"]: as creativity.train writes it
    (rows of creativity / validity / memorisation fractions per decoding temperature).
    Raises ValueError for an arm that is not finetuned (diffusion) or a sequence longer than GPT-2's context."""
    p = params
    seed, arm = p["seed"], p["arm"]
    if arm not in FINETUNE_ARMS:
        raise ValueError(f"creativity.hub.train finetunes the arms {FINETUNE_ARMS}, not {arm!r}")
    run = Run(p)
    task, x, start = run.task, run.x, run.start
    v = task.vocab
    model = HFCausalLM.with_new_tokens(load_causal_lm(inputs["checkpoint"]), v.size)
    if x.shape[1] > model.lm.config.max_position_embeddings:
        raise ValueError(f"{inputs['checkpoint']}: sequences of {x.shape[1]} tokens > "
                         f"{model.lm.config.max_position_embeddings} positions")
    batches = ntp_batches(x, start, p["batch_size"], seed, v.dummy, teacherless=arm == "teacherless")
    t0 = time.perf_counter()
    state = fit(model, batches, OptimConfig.from_params(p["optim"]), device=runtime.device(),
                **resumable(outputs["metrics"], params))
    model.eval()
    seconds = time.perf_counter() - t0

    rows = []
    for temperature in run.temperatures():
        out = torch.cat([model.generate(chunk, task.answer_len, temperature, generator(seed, 999, 1, i))
                         for i, chunk in enumerate(run.prompts.split(p.get("eval_batch", 256)))])
        rows.append(run.row(temperature, out, init="pretrained"))
    run.write(outputs["metrics"], rows, seconds, state)
