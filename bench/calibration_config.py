"""One paper's section of config/config.yaml with `--set key.sub=value` overrides (YAML values), checked against
the workflow's schema as a run's config is, so that a misspelt key or a bad value stops the calibration with the
schema's error instead of being silently ignored. Shared by the bench/calibrate_*.py scripts."""
from __future__ import annotations

from pathlib import Path

import yaml
from snakemake.utils import validate

ROOT = Path(__file__).resolve().parents[1]


def paper_config(paper: str, assignments: list[str]) -> dict:
    """config.yaml's `paper` section with each "key.sub=value" assignment applied. Raises SystemExit naming
    the assignment when it has no `=`, and the schema's ValidationError (key path and reason) when the result
    is not a valid config."""
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for assignment in assignments:
        if "=" not in assignment:
            raise SystemExit(f"--set {assignment!r}: expected key.sub=value")
        key, value = assignment.split("=", 1)
        *path, last = key.split(".")
        section = config[paper]
        for k in path:
            section = section.setdefault(k, {})
        section[last] = yaml.safe_load(value)
    validate(config, str(ROOT / "workflow/schemas/config.schema.yaml"))
    return config[paper]
