"""The image papers' full-scale data path, offline: hub image sets are downloaded once by the localrule
fetch_images to results/data/images/<name>, and the GPU-tagged training jobs read only that folder.

Stand-ins for MNIST, CIFAR-10 and CIFAR-100 (the bundled 8×8 digits, written as local Parquet data sets with
an Image column, as the hub serves them) replace the hub ids; the network is off (HF_HUB_OFFLINE=1). After the
downloads, the stand-ins are deleted, so a training job that touched the "hub" would fail."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import REPO, SMOKE, TEST_ENV, snakemake

pytestmark = pytest.mark.slow

GPU = {"train": {"gpu": 1, "mem_mb": 1000, "runtime": 10}}  # as at full scale; the opt-in runs them on the CPU
TRAIN_RULES = ["distance_from_init_train", "uniform_convergence_train_images", "pac_bayes_noise_train",
               "disagreement_train_pairs", "disagreement_train_ensemble", "kd_deviations_train_images",
               "memorisation_scaling_train", "resmem_train_images", "gan_stability_train_images_seeds"]


def merged(*paths) -> dict:
    def merge(a, b):
        return {k: merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v for k, v in (a | b).items()}
    out = {}
    for path in paths:
        out = merge(out, yaml.safe_load(open(path)))
    return out


def write_standin(folder, colour: bool) -> None:
    """The digits as 8-bit images in a local Parquet data set (columns img/label, like uoft-cs/cifar10)."""
    import datasets
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.images * 15).astype(np.uint8)  # 0..16 → 0..240
    if colour:
        x = np.stack([x, 255 - x, x // 2], -1)  # [N, H, W, 3]
    features = datasets.Features({"img": datasets.Image(), "label": datasets.Value("int64")})
    ds = datasets.Dataset.from_dict({"img": list(x), "label": d.target.astype(np.int64)}, features=features)
    folder.mkdir(parents=True)
    ds.to_parquet(str(folder / "train.parquet"))


def standin_overlay(tmp_path) -> tuple[str, list]:
    hub = tmp_path / "hub"
    sources = {}
    for name, colour in [("mnist", False), ("cifar10", True), ("cifar100", True)]:
        write_standin(hub / name, colour)
        sources[name] = {"name": name, "hub_id": str(hub / name), "image_column": "img", "label_column": "label"}
    base = merged(REPO / "config/config.yaml", SMOKE)
    gan_set = base["gan_stability"]["image_sets"][0] | {"name": "mnist", "source": sources["mnist"]}
    cfg = {
        "distance_from_init": {"source": sources["mnist"], "resources": GPU},
        "uniform_convergence": {"source": sources["mnist"], "resources": GPU},
        "pac_bayes_noise": {"source": sources["mnist"], "resources": GPU},
        # full scale's ResNets, from the stand-in torchvision (tests/standins: the real wheel does not load here)
        "disagreement": {"source": sources["cifar10"], "resources": GPU, "arch": "resnet18"},
        "memorisation_scaling": {"source": sources["cifar10"], "resources": GPU, "run_chunks": 2,
                                 "archs": ["cifar_resnet8", "cifar_resnet14"], "teacher_arch": "cifar_resnet14"},
        # He et al.'s CIFAR ResNets are ours (repro.nn.resnet): the real ones, at their smallest depths
        "kd_deviations": {"images": {"source": sources["cifar100"], "arch": "cifar_resnet8"}, "resources": GPU},
        "resmem": {"images": {"source": sources["cifar100"], "archs": ["cifar_resnet8", "cifar_resnet14"]},
                   "resources": GPU},
        "gan_stability": {"image_sets": [gan_set], "resources": GPU},
    }
    path = tmp_path / "standins.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path), [hub / name for name in sources]


def test_fetch_images_then_training_reads_only_the_disk(tmp_path, monkeypatch):
    overlay, hub_folders = standin_overlay(tmp_path)
    run = tmp_path / "run"
    monkeypatch.setitem(TEST_ENV, "REPRO_ALLOW_CPU_FOR_GPU_JOBS", "1")  # GPU-tagged jobs, no GPU here
    torchvision_standin = str(Path(__file__).parent / "standins")  # a stand-in torchvision for the ResNet jobs
    monkeypatch.setitem(TEST_ENV, "PYTHONPATH",
                        os.pathsep.join(filter(None, [torchvision_standin, TEST_ENV.get("PYTHONPATH")])))
    assert TEST_ENV["HF_HUB_OFFLINE"] == "1"
    config = ["--cores", "2", "--configfile", SMOKE, overlay]
    fetched = snakemake("--until", "fetch_images", *config, workdir=run)
    assert fetched.stdout.count("localrule fetch_images:") + fetched.stderr.count("localrule fetch_images:") == 3
    for name in ("mnist", "cifar10", "cifar100"):
        spec = json.loads((run / f"results/data/images/{name}/spec.json").read_text())
        assert spec["hub_id"].endswith(f"hub/{name}")
    for folder in hub_folders:
        assert tmp_path in Path(folder).parents  # only ever delete the test's own stand-ins
        shutil.rmtree(folder)  # the "hub" is gone: training must read results/data/images only

    trained = snakemake("--until", *TRAIN_RULES, *config, workdir=run)
    out = trained.stdout + trained.stderr
    assert "rule fetch_images:" not in out  # nothing downloaded again
    for rule in TRAIN_RULES:
        assert f"rule {rule}:" in out, rule
    logs = [p.read_text() for p in (run / "results/disagreement/logs").glob("*.log")]
    assert any("device=cpu" in text for text in logs)
    assert any("network: ResNetEnsemble (resnet18)" in text for text in logs)
    rows = json.loads((run / "results/kd_deviations/images.json").read_text())["rows"]
    assert rows and all(np.isfinite(r["slope"]) for r in rows)
    assert sorted(p.name for p in (run / "results/memorisation_scaling/seed0").glob("runs*.npz")) == ["runs0.npz", "runs1.npz"]

    # the CIFAR-ResNet papers on to their claims (merge of the blocks of runs, render), still offline
    papers = ["kd_deviations", "resmem", "memorisation_scaling"]
    snakemake(*[f"paper_figures/{p}/claims.json" for p in papers], *config, workdir=run)
    for p in papers:
        claims = json.loads((run / f"paper_figures/{p}/claims.json").read_text())
        assert claims["scale"] == "smoke" and claims["claims"], p
    sizes = json.loads((run / "results/memorisation_scaling/seed0.json").read_text())["sizes"]
    assert [(s["arm"], s["network"]) for s in sizes] == [("standard", "cifar_resnet8"), ("standard", "cifar_resnet14"),
                                                         ("distilled", "cifar_resnet8")]
    bases = json.loads((run / "results/resmem/images.json").read_text())["test_correct"]
    assert {b["network"] for b in bases} == {"cifar_resnet8", "cifar_resnet14"}
    assert len({b["size"] for b in bases}) == 2
    coverage = json.loads(next((run / "results/gan_stability/images/mnist").glob("*/seed*.json")).read_text())
    assert coverage["n_classes"] == 10 and coverage["side"] == 8


def test_a_gpu_job_without_a_gpu_fails_at_once_without_the_opt_in(tmp_path, monkeypatch):
    monkeypatch.delitem(TEST_ENV, "REPRO_ALLOW_CPU_FOR_GPU_JOBS", raising=False)
    cfg = tmp_path / "gpu.yaml"
    cfg.write_text(yaml.safe_dump({"adversarial_risk": {"resources": GPU}}))
    out = snakemake("--until", "adversarial_risk_train_2d", "--cores", "1", "--configfile", SMOKE, str(cfg),
                    workdir=tmp_path / "run", check=False)
    assert out.returncode != 0
    assert "asked for 1 GPU(s)" in out.stdout + out.stderr and "REPRO_ALLOW_CPU_FOR_GPU_JOBS=1" in out.stdout + out.stderr
    assert not list((tmp_path / "run/results/adversarial_risk").glob("train_2d/*.json"))
