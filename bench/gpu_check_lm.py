"""GPU timing of the pause papers' full-scale jobs (config/full.yaml sizes), to check their runtime tags:
ms per training step and peak memory with bf16 autocast, projected to the configured step counts, and
the greedy decoding throughput of the downstream evaluation. Data are random token ids (timing only): GPT-2's
vocabulary plus <pause> where the config's corpus names a tokenizer (as full.yaml does), else bytes.

    PYTHONPATH=workflow python bench/gpu_check_lm.py OUT.json
"""
import json
import sys
import time

import numpy as np
import torch
import yaml

from repro.core import runtime
from repro.core.seeding import generator, seed_everything
from repro.data import text
from repro.nn.gpt import GPT, GPTConfig, n_params
from repro.nn.pause import insert_random_pauses
from repro.nn.trainer import OptimConfig, fit
from repro.papers.catch_your_breath.train import PausedLM

FULL = yaml.safe_load(open("config/full.yaml"))
runtime.configure(threads=8, gpus=1)
dev = runtime.device()
GPT2_VOCAB = 50257  # GPT-2's BPE; the subword codec appends <pause> after it
subword = "tokenizer" in FULL["pause_tokens"]["corpus"]
VOCAB, PAUSE = (GPT2_VOCAB + 1, GPT2_VOCAB) if subword else (text.VOCAB_SIZE, text.PAUSE)
corpus = np.random.default_rng(0).integers(0, VOCAB - 2 if subword else 245, 50_000_000, dtype=np.int64)
results = {"device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu"}


def timed(name: str, model: torch.nn.Module, batch, steps: int, configured_steps: int, runtime_min: int) -> None:
    """Seconds per step from the difference of a 5-step and a (5 + steps)-step run (warm-up excluded)."""
    seconds = []
    for n in (5, 5 + steps):
        seed_everything(0)
        torch.cuda.synchronize()
        t = time.perf_counter()
        fit(model, batch, OptimConfig(steps=n, lr=1e-4, warmup=1, log_every=5, ckpt_every=0), device=dev)
        torch.cuda.synchronize()
        seconds.append(time.perf_counter() - t)
    per_step = (seconds[1] - seconds[0]) / steps
    hours = per_step * configured_steps / 3600
    results[name] = {"params": n_params(model), "ms_per_step": 1000 * per_step,
                     "peak_gpu_mem_gib": torch.cuda.max_memory_allocated() / 2**30,
                     "projected_hours": hours, "runtime_tag_hours": runtime_min / 60}
    print(name, json.dumps(results[name]), flush=True)
    torch.cuda.reset_peak_memory_stats()


pt = FULL["pause_tokens"]
length = pt["block_size"] + 1
n_pauses = round(0.1 * length)
model = GPT(GPTConfig(vocab_size=VOCAB, block_size=pt["block_size"], **pt["model"]))
timed("pause_tokens_pretrain_pause_arm", model,
      lambda s: insert_random_pauses(text.windows(corpus, pt["batch_size"], length, generator(0, s)), n_pauses,
                                     PAUSE, generator(0, s)),
      20, pt["pretrain_optim"]["steps"], pt["resources"]["train"]["runtime"])

model.eval()
prompts = [text.windows(corpus, 1, 1000, generator(1, i))[0].tolist() + [PAUSE] * 10 for i in range(64)]
torch.cuda.synchronize()
t = time.perf_counter()
with runtime.autocast(dev):  # as TextTask.accuracy decodes
    model.complete(prompts, 64, stop=300)  # a stop token never produced: all 64 new tokens are decoded
torch.cuda.synchronize()
results["decode_64_prompts_1010_bytes_64_new_s"] = time.perf_counter() - t
print("decode", results["decode_64_prompts_1010_bytes_64_new_s"], flush=True)
del model

cyb = FULL["catch_your_breath"]
cfg = GPTConfig(vocab_size=VOCAB, block_size=(cyb["seq_len"] - 1) * (cyb["k"] + 1), n_extra_outputs=1,
                **cyb["model"])
lm = PausedLM(cfg, cyb["k"], "variational", {"gamma": 0.9, "budget": 0.05}, PAUSE)
timed("catch_your_breath_variational_k3", lm,
      lambda s: (lambda x: (x[:, :-1], x[:, 1:]))(text.windows(corpus, cyb["batch_size"], cyb["seq_len"], generator(0, s))),
      20, cyb["optim"]["steps"], cyb["resources"]["train"]["runtime"])
json.dump(results, open(sys.argv[1], "w"), indent=1)
