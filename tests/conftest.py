"""Shared test helpers: run snakemake on this repo's Snakefile in a temporary directory."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
TEST_ENV = os.environ | {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def snakemake(*args: str, workdir: Path | None = None, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run snakemake on the repo's Snakefile; never writes into the repo's results/ or paper_figures/."""
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--workflow-profile", str(REPO / "profiles/default")]
    if workdir is not None:
        cmd += ["--directory", str(workdir)]
    proc = subprocess.run(cmd + list(args), cwd=REPO, env=TEST_ENV, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    return proc


def snakemake_until(path: Path, *args: str, workdir: Path, capture: bool = False, wait: float = 120) -> subprocess.Popen:
    """Start snakemake in the background (its own session, so it can be killed as a group) and return once
    `path` exists (e.g. a first checkpoint), the run ends, or `wait` seconds pass; the caller checks which.
    capture: keep stdout+stderr (text) on proc.stdout, else discard them."""
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--workflow-profile", str(REPO / "profiles/default"),
           "--directory", str(workdir), *args]
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=REPO, env=TEST_ENV, stdout=out, stderr=subprocess.STDOUT if capture else out,
                            text=capture, start_new_session=True)
    deadline = time.time() + wait
    while not path.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    return proc


SMOKE = str(REPO / "config" / "smoke.yaml")
# The whole smoke DAG is ~130 jobs of a few seconds each: ~5 min on 2 idle cores, over 10 min on a loaded
# machine (measured). A guard against a hang, not a speed test.
WHOLE_DAG_TIMEOUT = 1500
FULL = str(REPO / "config" / "full.yaml")


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """One smoke run of the whole DAG, shared by the workflow tests."""
    workdir = tmp_path_factory.mktemp("smoke")
    snakemake("--cores", "2", "--configfile", SMOKE, workdir=workdir, timeout=WHOLE_DAG_TIMEOUT)
    return workdir
