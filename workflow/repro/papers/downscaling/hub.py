"""Full scale of the down-scaling study on the hub's pretrained checkpoints (OPT, Pythia), through `transformers`.

The same two steps as the mini scale (train.py), on a pretrained model instead of a GPT from scratch:

- `train`: continued pretraining of a hub checkpoint on the synthetic mixture (tasks.py), whose task ids
  are mapped onto existing vocabulary entries (`token_offset`), so that its weights come to hold the
  mixture's fact table (the "facts seen in pretraining") while the in-context families run on fresh
  sequences; the dense-size arm is the checkpoints of one family (OPT 125m … 1.3b, say);
- `prune`: the trained checkpoint, pruned without retraining by `repro.nn.prune` (global magnitude, and
  Wanda: |W_ij| · ‖X_j‖₂ over calibration activations, lowest removed per output row; Sun et al., 2023) on
  every block `nn.Linear` (attention and MLP projections; embeddings and the LM head never), and evaluated
  with the same `tasks.accuracy` on the same test sets.

Deviation from the paper (Jin et al., 2023): it evaluates the pretrained models on TriviaQA / WebQuestions /
NQ (closed- and open-book) and in-context function learning; here the fact table is synthetic (learnt in
the continued pretraining), so that recall is measured on facts the model provably saw. Both stages write
the mini stages' metrics formats, so render.py draws both scales.
"""
from __future__ import annotations

import time

from repro.core import runtime
from repro.core.io import write_json
from repro.core.seeding import generator, seed_everything
from repro.nn.hf import HFCausalLM, block_params, load_causal_lm
from repro.nn.trainer import OptimConfig, fit, resumable
from repro.papers.downscaling.tasks import Mixture, accuracy
from repro.papers.downscaling.train import held_out, prune_and_evaluate


def wrap(path, mixture: Mixture, p: dict) -> HFCausalLM:
    """The checkpoint folder `path` as a model over the mixture's ids (offset by p["token_offset"])."""
    return HFCausalLM(load_causal_lm(path), mixture.vocab_size, offset=p["token_offset"])


def train(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """inputs["checkpoint"]: a hub checkpoint folder; outputs["model"]: the trained checkpoint folder,
    outputs["metrics"]: the dense model's accuracy per family (fraction of scored tokens), its sizes and
    loss history, as downscaling.train writes them (`width` is the model's hidden size)."""
    p = params
    seed_everything(p["seed"])
    mixture = Mixture(p["data"])
    model = wrap(inputs["checkpoint"], mixture, p)
    if model.lm.config.max_position_embeddings < mixture.seq_len:
        raise ValueError(f"{inputs['checkpoint']}: {model.lm.config.max_position_embeddings} positions < the "
                         f"mixture's {mixture.seq_len}")
    tests = mixture.test_sets(p["n_test"], p["seed"])
    exclude = mixture.test_keys(tests)
    t0 = time.perf_counter()
    state = fit(model, lambda step: mixture.batch(p["batch_size"], generator(p["seed"], step), exclude),
                OptimConfig.from_params(p["optim"]), device=runtime.device(), **resumable(outputs["metrics"], p))
    train_seconds = time.perf_counter() - t0
    model.eval()
    acc = {f: accuracy(model, *t) for f, t in tests.items()}
    model.cpu()
    model.save(outputs["model"])
    write_json(outputs["metrics"], {"seed": p["seed"], "model": p["name"], "width": model.lm.config.hidden_size,
                                    "n_params": sum(q.numel() for q in model.lm.parameters()),
                                    "block_params": block_params(model), "history": state.history,
                                    "train_seconds": train_seconds, "accuracy": acc, **held_out(mixture, tests, p)})


def prune(params: dict, inputs: dict, outputs: dict, threads: int) -> None:
    """inputs["model"]: the trained checkpoint folder; outputs["metrics"]: one row per method × sparsity ×
    family (accuracy as a fraction, measured_sparsity over the block linears), as downscaling.prune writes
    them. Pruned and evaluated on the job's device in fp32 (a pruned copy at a time: 2× the model's memory)."""
    p = params
    mixture = Mixture(p["data"])
    model = wrap(inputs["model"], mixture, p).to(runtime.device()).eval()
    write_json(outputs["metrics"], prune_and_evaluate(model, mixture, p, {"model": p["name"]}))
