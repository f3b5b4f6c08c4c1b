"""The language-model papers' training stages on a CUDA device (skipped without one; CI has none).
Each runs a stage function as its job would at full scale (gpu=1: CUDA, bf16 autocast) on smoke-size
settings, so that a tensor left on the wrong device fails here rather than hours into a cluster job."""
from __future__ import annotations

import json
import math

import pytest
import torch
import yaml

from conftest import REPO, SMOKE
from repro.core import runtime
from repro.core.io import read_json
from repro.nn.gpt import GPT, GPTConfig
from test_text_pipeline import text_overlay

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def merged(*paths) -> dict:
    """Config files merged as `--configfile a b` does (snakemake.utils.update_config; the GPU machine has
    no snakemake)."""
    def merge(a, b):
        return {k: merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
                for k, v in (a | b).items()}
    out = {}
    for path in paths:
        out = merge(out, yaml.safe_load(open(path)))
    return out


@pytest.fixture(autouse=True)
def gpu_job():
    runtime.configure(threads=1, gpus=1)
    assert runtime.device().type == "cuda"
    yield
    runtime.configure(threads=1, gpus=0)


def section(cfg: dict, paper: str) -> dict:
    return {k: v for k, v in cfg[paper].items() if k not in ("seeds", "resources", "threads")}


def finite_rows(path) -> list[dict]:
    rows = read_json(path)["rows"]
    assert rows and all(math.isfinite(r["accuracy"]) for r in rows)
    return rows


def run_pause_tokens(p: dict, tmp_path, inputs: dict, task: str) -> None:
    from repro.papers.pause_tokens.train import finetune, pretrain
    for arm in ("std", "pause"):
        model = tmp_path / f"{arm}.pt"
        pretrain(p | {"arm": arm, "seed": 0}, inputs, {"model": model}, 1)
        out = tmp_path / f"{arm}_{task}.json"
        finetune(p | {"arm": arm, "seed": 0, "task": task}, inputs | {"model": model}, {"metrics": out}, 1)
        finite_rows(out)


def run_cyb(p: dict, tmp_path, inputs: dict) -> None:
    from repro.papers.catch_your_breath.train import train
    for method in ("no_pause", "pause_ce", "anytime", "variational", "budget"):
        out = tmp_path / f"cyb_{method}.json"
        train(p | {"method": method, "seed": 0}, inputs, {"metrics": out}, 1)
        curve = read_json(out)["curve"]
        assert curve and all(math.isfinite(c["hard_accuracy"]) for c in curve)


def test_synthetic_pause_papers_on_gpu(tmp_path):
    cfg = merged(REPO / "config/config.yaml", SMOKE)
    run_pause_tokens(section(cfg, "pause_tokens"), tmp_path, {}, "late_op")
    run_cyb(section(cfg, "catch_your_breath"), tmp_path, {})


def test_text_pause_papers_on_gpu(tmp_path):
    from repro.data.text import fetch_corpus
    from repro.papers.pause_tokens.downstream import fetch_task
    cfg = merged(REPO / "config/config.yaml", text_overlay(tmp_path))
    pt, cyb = section(cfg, "pause_tokens"), section(cfg, "catch_your_breath")
    corpus = {"corpus": tmp_path / "corpus.bin", "spec": tmp_path / "corpus.json"}
    fetch_corpus(pt["corpus"], {}, corpus, 1)
    fetch_task(pt["downstream"]["wq"], {}, {"data": tmp_path / "wq.json"}, 1)
    run_pause_tokens(pt, tmp_path, {"corpus": corpus["corpus"], "data": tmp_path / "wq.json"}, "wq")
    run_cyb(cyb, tmp_path, {"corpus": corpus["corpus"]})


def test_other_lm_papers_train_on_gpu(tmp_path):
    from repro.papers.creativity.params import run_params as creativity_run_params
    from repro.papers.creativity.train import train as creativity_train
    from repro.papers.downscaling.train import prune, train as downscaling_train
    from repro.papers.geometric_memory.star import train_star
    cfg = merged(REPO / "config/config.yaml", SMOKE)
    gm = cfg["geometric_memory"]["star"] | {"seed": 0}
    train_star(gm, {}, {"metrics": tmp_path / "star.json"}, 1)
    assert read_json(tmp_path / "star.json")["curve"]
    for arm in ("ntp", "diffusion"):
        p = creativity_run_params(cfg["creativity"], "sibling", arm, 0)
        creativity_train(p, {}, {"metrics": tmp_path / f"cr_{arm}.json"}, 1)
    ds = cfg["downscaling"]
    p = {k: ds[k] for k in ("data", "model", "batch_size", "n_test", "optim")} | {"width": 16, "seed": 0}
    model = tmp_path / "ds.pt"
    downscaling_train(p, {}, {"model": model, "metrics": tmp_path / "ds.json"}, 1)
    prune(p | {k: ds[k] for k in ("methods", "sparsities", "calibration")}, {"model": model},
          {"metrics": tmp_path / "prune.json"}, 1)
    assert json.loads((tmp_path / "prune.json").read_text())


def test_ragged_decoding_on_gpu_matches_cpu():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=256, block_size=40, n_layer=2, n_head=2, d_model=32)).eval()
    prompts = [[5, 6, 7], [1] * 12, [9, 8, 7, 6, 5, 4, 3]]
    on_cpu = model.complete(prompts, 10, stop=255)
    assert model.cuda().complete(prompts, 10, stop=255) == on_cpu


def ensemble_stage_cfgs(cfg: dict) -> list[tuple[str, dict, dict]]:
    """(stage, params, outputs) of every GPU-tagged stage of the image and toy papers, as their rules build
    them (workflow/rules/<paper>.smk), at the scale of `cfg`."""
    def pick(section, *keys):
        return {k: cfg[section][k] for k in keys}
    df, uc, gd, ms = (cfg[s] for s in ("distance_from_init", "uniform_convergence", "disagreement", "memorisation_scaling"))
    arch = cfg["pac_bayes_noise"]["architectures"][0]
    return [
        ("distance_from_init.train", df["experiments"]["labels"] | pick("distance_from_init", "source", "n_test",
         "split_seed", "seeds", "depth", "optim") | {"experiment": "labels"}, {"metrics": "dfi.json"}),
        ("uniform_convergence.train_images", uc["images"] | pick("uniform_convergence", "source", "n_test", "split_seed",
         "seeds"), {"metrics": "uc.json"}),
        ("uniform_convergence.train_spheres", uc["spheres"] | {"seeds": uc["seeds"]}, {"metrics": "spheres.json"}),
        ("pac_bayes_noise.train", pick("pac_bayes_noise", "source", "n_test", "split_seed", "seeds", "m", "optim")
         | {"depth": arch[0], "width": arch[1]}, {"metrics": "pb.json"}),
        ("disagreement.train_pairs", pick("disagreement", "source", "n_test", "split_seed", "seeds", "other_data_offset",
         "optim") | {k: gd["grid"][k] for k in ("lr", "augment_shift", "m")} | {"channels": gd["grid"]["channels"][0]},
         {"metrics": "pairs.json"}),
        ("disagreement.train_ensemble", gd["ensemble"] | pick("disagreement", "source", "n_test", "split_seed", "optim")
         | {"seed": 0}, {"metrics": "ensemble.json"}),
        ("kd_deviations.train_images", cfg["kd_deviations"]["images"] | {"seeds": cfg["kd_deviations"]["seeds"]},
         {"metrics": "kd.json"}),
        ("memorisation_scaling.train", {k: v for k, v in ms.items() if k not in ("seeds", "resources", "threads",
         "threshold")} | {"seed": 0, "chunk": 0}, {"runs": "mem.npz"}),
        ("resmem.train_images", cfg["resmem"]["images"] | {k: cfg["resmem"][k] for k in ("seeds", "ks", "sigmas")},
         {"metrics": "resmem.json"}),
        ("adversarial_risk.train_2d", cfg["adversarial_risk"]["toy_2d"] | {"seed": 0}, {"metrics": "adv.json"}),
    ]


@pytest.mark.parametrize("stage", [s for s, _, _ in ensemble_stage_cfgs(merged(REPO / "config/config.yaml", SMOKE))])
def test_image_and_toy_papers_train_on_gpu(stage, tmp_path):
    """The batched ensembles (TF32 steps, fp32 measurements) and the adversarial toy on CUDA: each stage runs
    end to end with its model on the GPU and writes its metrics (NaN only where the CPU run has them: a
    memorisation score of an example no subset held out)."""
    from repro.core.stages import resolve
    [(_, params, outputs)] = [c for c in ensemble_stage_cfgs(merged(REPO / "config/config.yaml", SMOKE)) if c[0] == stage]
    outputs = {k: tmp_path / v for k, v in outputs.items()}
    resolve(stage)(params, {}, outputs, 1)
    if stage == "memorisation_scaling.train":  # one block of runs (run_chunks 1), then the seed's merge
        outputs = {"metrics": tmp_path / "mem.json"}
        resolve("memorisation_scaling.merge")(params, {"runs": [str(tmp_path / "mem.npz")]}, outputs, 1)
    metrics = read_json(outputs["metrics"])
    assert metrics and (stage == "memorisation_scaling.train" or "NaN" not in outputs["metrics"].read_text())



def test_gpt_under_bf16_on_gpu_never_sees_later_tokens():
    """Issue #22 item 7's causality check: the full-scale GPT width (6 x 384) under the jobs' bf16 autocast on
    CUDA; logits at position t must be unchanged when every later token changes."""
    from test_gpt import prefix_logits_change
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=512, block_size=64, n_layer=6, n_head=6, d_model=384)).to(dev).eval()
    x = torch.randint(0, 512, (8, 64), device=dev)
    assert prefix_logits_change(model, x, runtime.autocast(dev)) == 0.0
