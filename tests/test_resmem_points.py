"""resmem: the per-test-point correctness the paired bootstrap reads matches the stage's accuracies."""
import json

import numpy as np


def test_resmem_stage_keeps_per_point_correctness(tmp_path):
    from repro.papers.resmem.images import train_images

    p = {"source": {"name": "digits"}, "n_test": 100, "split_seed": 0, "m": 200, "depth": 2, "widths": [4, 8],
         "optim": {"lr": 0.05, "momentum": 0.9, "batch_size": 64, "max_epochs": 2}, "seeds": [0, 1],
         "ks": [5], "sigmas": [1.0]}
    out = tmp_path / "images.json"
    train_images(p, {}, {"metrics": out}, 1)
    doc = json.loads(out.read_text())
    acc = {(r["seed"], r["network"], r["model"]): r["test_accuracy"] for r in doc["rows"]}
    assert len(doc["test_correct"]) == 4
    for c in doc["test_correct"]:
        assert len(c["base"]) == len(c["resmem"]) == 100 and set(c["base"]) <= {0, 1}
        assert np.mean(c["base"]) == acc[(c["seed"], c["network"], "base")]
        assert np.mean(c["resmem"]) == acc[(c["seed"], c["network"], "ResMem")]
