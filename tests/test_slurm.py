"""The cluster profile, for real: a one-node SLURM cluster (fake GPU gres) runs the smoke DAG
of ntp_pitfalls with GPU-tagged training jobs; results must equal a local run's."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO, SMOKE, SNAKEMAKE, TEST_ENV

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]
CLUSTER = REPO / "tests/slurm/cluster.sh"


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    if not (shutil.which("slurmctld") and shutil.which("slurmd") and shutil.which("munged")):
        if os.environ.get("CI"):
            pytest.fail("CI must install slurmctld, slurmd and munge (.ci/run)")
        pytest.skip("SLURM is not installed (apt-get install slurmctld slurmd munge)")
    state = tmp_path_factory.mktemp("slurm")
    started = subprocess.run([str(CLUSTER), "start", str(state)], timeout=120)
    if started.returncode == 3 and not os.environ.get("CI"):
        pytest.skip("this machine has a SLURM config of its own")
    assert started.returncode == 0, "could not start the test cluster"
    # the node's GPU is fake: GPU-tagged jobs would stop at "asked for 1 GPU(s) ... but sees none" without the
    # documented opt-in (repro.core.runtime); sbatch exports it to the jobs
    yield TEST_ENV | {"REPRO_ALLOW_CPU_FOR_GPU_JOBS": "1"}
    subprocess.run([str(CLUSTER), "stop", str(state)], check=False, timeout=60)


def test_smoke_dag_through_the_slurm_profile(slurm, smoke_run, tmp_path):
    # tag training as at full scale (the node's GPU is fake); one seed: every SLURM job costs a workflow start-up
    # and status polls (~20-40 s), and the second seed's jobs would test nothing new
    gpu_cfg = tmp_path / "gpu.yaml"
    gpu_cfg.write_text("ntp_pitfalls:\n  seeds: [0]\n  resources:\n    train: {gpu: 1, mem_mb: 1000, runtime: 10}\n")
    workdir = tmp_path / "run"
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--workflow-profile", str(REPO / "profiles/slurm"), "--configfile", SMOKE, str(gpu_cfg),
           "--slurm-no-account", "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "1",
           "--jobs", "4", "--latency-wait", "5", "ntp_pitfalls"]
    proc = subprocess.run(cmd, cwd=REPO, env=slurm, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]

    # Every job went through SLURM; exactly the training jobs asked for a GPU.
    shown = subprocess.run(["scontrol", "show", "job", "-o"], env=slurm, capture_output=True, text=True).stdout
    submitted = [line for line in shown.splitlines() if "rule_ntp_pitfalls" in line]
    train = [line for line in submitted if "rule_ntp_pitfalls_train" in line]
    others = [line for line in submitted if line not in train]
    assert len(train) == 2 * 3 and others  # graphs x arms of smoke.yaml, one seed
    assert all(re.search(r"TresPerJob=\S*gpu[:/=]1", line) for line in train), train[0]
    assert not any("gpu" in line.split("TresPerJob=")[-1].split()[0] for line in others if "TresPerJob=" in line)
    assert all("JobState=COMPLETED" in line for line in submitted)

    # The cluster computed the same numbers as the local smoke run (seed 0's runs; the claims pool both seeds).
    ran = sorted(workdir.glob("results/ntp_pitfalls/metrics/**/*.json"))
    assert len(ran) == 2 * 3
    for path in ran:
        rel = path.relative_to(workdir)
        assert path.read_bytes() == (smoke_run / rel).read_bytes(), rel
    assert (workdir / "paper_figures/ntp_pitfalls/claims.json").is_file()


def test_hub_downloads_run_on_the_submitting_host_and_training_on_the_cluster(slurm, tmp_path):
    """Full-scale pause_tokens on local stand-ins for the hub: the download jobs are localrules (compute
    nodes often have no network), the training jobs go through SLURM with a GPU."""
    from test_text_pipeline import text_overlay
    one_task = tmp_path / "one_task.yaml"
    one_task.write_text("pause_tokens:\n  tasks: [wq]\n  resources:\n    train: {gpu: 1, mem_mb: 1000, runtime: 10}\n")
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path / "run"),
           "--workflow-profile", str(REPO / "profiles/slurm"), "--configfile", text_overlay(tmp_path), str(one_task),
           "--slurm-no-account", "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "1",
           "--jobs", "4", "--latency-wait", "5", "pause_tokens"]
    proc = subprocess.run(cmd, cwd=REPO, env=slurm, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    shown = subprocess.run(["scontrol", "show", "job", "-o"], env=slurm, capture_output=True, text=True).stdout
    submitted = [line for line in shown.splitlines() if "rule_pause_tokens" in line or "rule_fetch" in line]
    assert not [line for line in submitted if "fetch" in line]
    log = proc.stdout + proc.stderr
    assert "localrule fetch_text_corpus:" in log and "localrule pause_tokens_fetch_task:" in log
    train = [line for line in submitted if "rule_pause_tokens_train" in line]
    assert len(train) == 2 + 2 and all(re.search(r"TresPerJob=\S*gpu[:/=]1", line) for line in train)
    assert all("JobState=COMPLETED" in line for line in submitted)
    assert (tmp_path / "run/paper_figures/pause_tokens/claims.json").exists()


@pytest.mark.slow  # 70 s; make test must stay under 15 min on 2 cores (make test-all runs it)
def test_a_job_cut_at_its_limit_is_resubmitted_and_resumes_from_its_checkpoint(slurm, tmp_path):
    """A GPU training job that needs more than one attempt (resources.train.total_runtime > runtime) is ended
    by SLURM after its first checkpoint (scancel, as at its time limit); the same snakemake run resubmits it
    (the rule's retries, common.smk train_retries) and the second attempt resumes from the checkpoint."""
    import json
    import time
    long_cfg = tmp_path / "long.yaml"
    long_cfg.write_text("creativity:\n  resources:\n    train: {gpu: 1, mem_mb: 1000, runtime: 10, total_runtime: 15}\n"
                        "  optim: {steps: 3000, warmup: 5, ckpt_every: 100, log_every: 50}\n")
    target = "results/creativity/sibling/ntp/seed0.json"
    run = tmp_path / "run"
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(run),
           "--workflow-profile", str(REPO / "profiles/slurm"), "--configfile", SMOKE, str(long_cfg),
           "--slurm-no-account", "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "1",
           "--jobs", "1", "--latency-wait", "5", target]

    def train_jobs() -> list[str]:  # this run's jobs of the one training job asked for
        shown = subprocess.run(["scontrol", "show", "job", "-o"], env=slurm, capture_output=True, text=True).stdout
        return [line for line in shown.splitlines() if "rule_creativity_train" in line and str(run) in line]

    proc = subprocess.Popen(cmd, cwd=REPO, env=slurm, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        ckpt = run / "results/creativity/ckpt/sibling/ntp/seed0.json.ckpt"
        deadline = time.time() + 120
        while not ckpt.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert ckpt.exists(), "training finished or failed before its first checkpoint"
        running = [line for line in train_jobs() if "JobState=RUNNING" in line]
        assert len(running) == 1, train_jobs()
        subprocess.run(["scancel", re.search(r"JobId=(\d+)", running[0])[1]], env=slurm, check=True)
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()  # our snakemake, by its id (it cancels nothing: its jobs end with the cluster)
    assert proc.returncode == 0, out[-5000:]
    states = [re.search(r"JobState=(\w+)", line)[1] for line in train_jobs()]
    assert sorted(states) == ["CANCELLED", "COMPLETED"], states   # one cut, one resubmitted that finished
    log = (run / "results/creativity/logs/train_sibling_ntp_seed0.log").read_text()
    assert "resumed from" in log and "device=cpu" in log                # the fake GPU: the documented opt-in
    assert json.loads((run / target).read_text())["history"][-1]["step"] == 3000
    assert not ckpt.exists()
