"""GPU check of the shared core at ntp_pitfalls' full-scale model size (6 x 384, G(2,5,50), batch 256):
tokens/s and peak memory with bf16 autocast, device chosen from the job's gpu resource."""
import json
import sys
import time

import torch

from repro.core import runtime
from repro.core.seeding import seed_everything
from repro.data.pathstar import PathStar
from repro.nn.gpt import GPT, GPTConfig, n_params
from repro.nn.trainer import OptimConfig, fit
from repro.papers.ntp_pitfalls.data import batch_fn

runtime.configure(threads=8, gpus=1)
dev = runtime.device()
seed_everything(0)
spec = PathStar(2, 5, 50)
model = GPT(GPTConfig(vocab_size=spec.vocab_size, block_size=spec.seq_len, n_layer=6, n_head=6, d_model=384))
results = {"device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu", "params": n_params(model)}
for steps in (50, 550):  # the first call includes warm-up; report the difference
    seed_everything(0)
    torch.cuda.synchronize() if dev.type == "cuda" else None
    t = time.perf_counter()
    fit(model, batch_fn(spec, "ntp", 256, 0, None), OptimConfig(steps=steps, lr=1e-4, log_every=50, ckpt_every=0), device=dev)
    torch.cuda.synchronize() if dev.type == "cuda" else None
    results[f"seconds_{steps}"] = time.perf_counter() - t
secs = results["seconds_550"] - results["seconds_50"]
results["tokens_per_second"] = 500 * 256 * (spec.seq_len - 1) / secs
results["ms_per_step"] = 1000 * secs / 500
results["peak_gpu_mem_mib"] = torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else None
print(json.dumps(results, indent=1))
json.dump(results, open(sys.argv[1], "w"), indent=1)
