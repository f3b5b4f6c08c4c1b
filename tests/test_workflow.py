"""Workflow-level tests: dry runs at every scale, lint, config validation, a smoke run of the
whole DAG, idempotence, determinism, and resume after a killed job."""
from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from conftest import FULL, REPO, SMOKE, WHOLE_DAG_TIMEOUT, snakemake, snakemake_until

# Every figure/table PAPERS.md names, per paper (a paper's rule must plan each of them).
EXPECTED = {
    "ntp_pitfalls": ["accuracy.png", "forced_accuracy.png", "accuracy_table.md", "claims.json"],
    "gan_stability": ["vector_fields.png", "toy_distance.png", "ring_samples.png", "ring_modes.png",
                      "image_coverage.png", "image_samples.png", "claims.json"],
    "algorithm_configuration": ["maxcut_utility.png", "clustering_error.png", "generalization_gap.png",
                                "merge_trees.png", "claims.json"],
    "lifelong_features": ["features_per_example.png", "cumulative_cost.png", "test_error.png", "claims.json"],
    "adversarial_risk": ["tradeoff_1d.png", "accuracy_vs_eps.png", "toy_2d_boundaries.png", "training_table.md",
                         "claims.json"],
    "ood_failure_modes": ["skews_toy.png", "max_margin_norm.png", "spurious_shift.png", "claims.json"],
    "local_explainability": ["gap_vs_mnf.png", "mnf_vs_width.png", "rho_exponent.png", "claims.json"],
    "safe_exploration": ["suboptimal_steps.png", "unsafe_visits.png", "claims.json"],
    "rl_decision_trees": ["prequential_accuracy.png", "features_per_example.png", "summary.md", "claims.json"],
    "distance_from_init": ["distance_vs_width.png", "distance_vs_m.png", "distance_vs_noise.png", "claims.json"],
    "uniform_convergence": ["bounds_vs_m.png", "hypersphere.png", "claims.json"],
    "pac_bayes_noise": ["bound_vs_depth.png", "bound_vs_width.png", "conditions.png", "claims.json"],
    "disagreement": ["error_vs_disagreement.png", "calibration.png", "calibration_table.md", "claims.json"],
    "thesis": ["summary.png", "claims.json"],
    "kd_deviations": ["eigendirections.png", "confidence_scatter.png", "slopes.md", "claims.json"],
    "memorisation_scaling": ["trajectories.png", "distillation.png", "proxies.png", "claims.json"],
    "resmem": ["accuracy_vs_size.png", "regression_risk.png", "claims.json"],
    "geometric_memory": ["embedding_maps.png", "similarity_vs_distance.png", "spectral_projection.png",
                         "path_accuracy.png", "claims.json"],
    "creativity": ["creativity.png", "seed_conditioning.png", "creativity_table.md", "claims.json"],
    "pause_tokens": ["grid_2x2.png", "inference_pauses.png", "grid_table.md", "claims.json"],
    "catch_your_breath": ["accuracy_vs_tokens.png", "pause_rate.png", "summary.md", "claims.json"],
    "downscaling": ["accuracy_vs_sparsity.png", "accuracy_vs_size.png", "pruning_table.md", "claims.json"],
}
PAPERS = yaml.safe_load((REPO / "config/config.yaml").read_text())["papers"]
pytestmark = pytest.mark.workflow


def jobs(dry_run_output: str) -> list[tuple[str, str]]:
    """(rule, resources line) for each job block of a dry run."""
    found = re.findall(r"^(?:localrule|rule) (\w+):\n(.*?)(?=^\S|\Z)", dry_run_output, flags=re.M | re.S)
    return [(rule, (re.search(r"resources: (.*)", body) or ["", ""])[1]) for rule, body in found]


def test_every_paper_is_configured():
    assert set(PAPERS) == set(EXPECTED)


@pytest.mark.parametrize("scale", ["mini", "full"])
def test_dry_run_plans_every_figure_with_gpu_tags_only_at_full_scale(scale, tmp_path):
    args = ["-n", "--cores", "2"] + (["--configfile", FULL] if scale == "full" else [])
    out = snakemake(*args, workdir=tmp_path).stdout
    for paper, files in EXPECTED.items():
        for f in files:
            assert f"paper_figures/{paper}/{f}" in out
    planned = jobs(out)
    train = [res for rule, res in planned if "_train" in rule]  # training rules: <paper>_train[_<what>]
    assert train, "no training jobs planned"
    if scale == "full":
        cpu_only = {section for section, cfg in yaml.safe_load(open(FULL)).items()
                    if isinstance(cfg, dict) and cfg.get("resources", {}).get("train", {}).get("gpu") == 0}
        gpu_train = [res for rule, res in planned if "_train" in rule and not rule.startswith(tuple(cpu_only))
                     and rule not in CPU_ONLY_TRAIN]
        assert gpu_train and all("gpu=1" in r and "gpu_manufacturer=nvidia" in r for r in gpu_train)
        # every runtime tag fits a 24 h partition limit (longer jobs resume on a retry: test_snakemake_behaviour)
        runtimes = [int(m[1]) for _, res in planned if (m := re.search(r"runtime=(\d+)", res))]
        assert len(runtimes) > 100 and max(runtimes) <= 1440
        # hub image sets: one download job each, on the submitting host, before the training jobs read them
        assert {"mnist", "cifar10", "cifar100"} <= set(re.findall(r"results/data/images/(\w+)", out))
    else:
        assert not any("gpu" in res for _, res in planned)
        assert "results/data/images" not in out  # mini scale: bundled digits, no downloads
    assert not any("gpu" in res for rule, res in planned if "_train" not in rule and rule not in GPU_EVALUATION)
    assert not any("gpu" in res for rule, res in planned if rule in CPU_ONLY_TRAIN)


GPU_EVALUATION = {"downscaling_prune", "downscaling_hub_prune"}  # evaluation rules that run on a GPU at full scale
CPU_ONLY_TRAIN = {"uniform_convergence_train_bounds"}  # training stages that never use a GPU: no GPU tag


def test_gpu_request_gres_asks_for_gres_instead_of_gpus(tmp_path):
    """--config gpu_request=gres (profiles/slurm): the SLURM plugin gets gres="gpu:1" (--gres=gpu:1), no `gpu`."""
    out = snakemake("-n", "--cores", "2", "--configfile", FULL, "--config", "gpu_request=gres", workdir=tmp_path).stdout
    planned = jobs(out)
    gpu_jobs = [res for rule, res in planned if "gres=gpu:1" in res]
    assert gpu_jobs and not any(re.search(r"\bgpu=", res) for _, res in planned)


def test_lint_is_clean():
    out = snakemake("--lint")
    assert "Lints for" not in out.stdout + out.stderr


TEXT_CORPUS = "{load: {path: allenai/c4, split: train}, n_tokens: 100000, test_tokens: 1000, fetch_runtime: 5}"


@pytest.mark.parametrize("bad, named", [
    ("papers: [ntp_pitfals]\n", "ntp_pitfals"),
    ("ntp_pitfalls:\n  optim: {stpes: 5}\n", "stpes"),
    ("ntp_pitfalls:\n  seeds: [-1]\n", "-1"),
    (f"pause_tokens:\n  corpus: {TEXT_CORPUS}\n  block_size: 256\n  eval_batch: 8\n", "downstream"),
    (f"pause_tokens:\n  corpus: {TEXT_CORPUS}\n  block_size: 256\n  eval_batch: 8\n  downstream: {{}}\n", "late_op"),
    ("downscaling:\n  data: {subjects: 5000}\n", "alphabet"),  # 64 symbols x 2 tokens name only 4,096 subjects
    ("ntp_pitfalls:\n  batch_seeds: true\n  optim: {ema: 0.99}\n", "batch_seeds"),  # no EMA side by side
    ("creativity:\n  diffusion_optim: {ema: 1.0}\n", "ema"),
])
def test_bad_config_fails_before_any_job(bad, named, tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(bad)
    out = snakemake("--cores", "1", "--configfile", str(cfg), workdir=tmp_path / "run", check=False)
    assert out.returncode != 0
    assert named in out.stderr and "validat" in out.stderr.lower()
    assert not (tmp_path / "run" / "results").exists()


def test_smoke_run_builds_every_target_and_a_rerun_plans_nothing(smoke_run):
    for paper, files in EXPECTED.items():
        for f in files:
            assert (smoke_run / "paper_figures" / paper / f).stat().st_size > 0
    report = (smoke_run / "paper_figures/REPORT.md").read_text()
    assert all(f"## {p}" in report for p in PAPERS)
    again = snakemake("-n", "--cores", "2", "--configfile", SMOKE, workdir=smoke_run)
    assert "Nothing to be done" in again.stdout + again.stderr


@pytest.mark.slow
def test_two_runs_give_identical_results(smoke_run, tmp_path):
    snakemake("--cores", "2", "--configfile", SMOKE, workdir=tmp_path, timeout=WHOLE_DAG_TIMEOUT)
    compared = 0
    for path in sorted(smoke_run.glob("results/*/metrics/**/*.json")) + sorted(smoke_run.glob("paper_figures/**/*.*")):
        rel = path.relative_to(smoke_run)
        if rel.name == "REPORT.md":
            continue  # holds run times
        assert (tmp_path / rel).read_bytes() == path.read_bytes(), rel
        compared += 1
    assert compared > 10


@pytest.mark.slow
@pytest.mark.parametrize("batch_seeds", [True, False], ids=["seeds_side_by_side", "one_job_per_seed"])
def test_killed_training_job_resumes_from_its_checkpoint(tmp_path, batch_seeds):
    """SIGKILL the training process mid-run (as a preempted node would); snakemake reports the failed
    job, and the rerun resumes from the checkpoint and gives the reference result. With batch_seeds the
    job trains both smoke seeds side by side (repro.nn.seeds) from one checkpoint."""
    long_cfg = tmp_path / "long.yaml"
    long_cfg.write_text(f"ntp_pitfalls:\n  batch_seeds: {str(batch_seeds).lower()}\n"
                        "  optim: {steps: 3000, warmup: 5, ckpt_every: 100, log_every: 50}\n")
    target = "results/ntp_pitfalls/metrics/d2_l3_n10/ntp/seed0.json"
    args = [target, "--cores", "1", "--configfile", SMOKE, str(long_cfg)]
    ref = tmp_path / "ref"
    snakemake(*args, workdir=ref)

    run = tmp_path / "run"
    run.mkdir()
    ckpt = run / f"results/ntp_pitfalls/ckpt/models/d2_l3_n10/ntp/seed0/model.pt{'.seeds' if batch_seeds else ''}.ckpt"
    proc = snakemake_until(ckpt, *args, workdir=run)
    assert ckpt.exists(), "training finished or failed before its first checkpoint"
    subprocess.run(["pkill", "-KILL", "-f", str(run / ".snakemake/scripts")], check=True)
    assert proc.wait(timeout=60) != 0
    assert not (run / "results/ntp_pitfalls/models/d2_l3_n10/ntp/seed0/model.pt").exists()

    snakemake(*args, workdir=run)
    log = (run / f"results/ntp_pitfalls/logs/train_d2_l3_n10_ntp_{'seeds' if batch_seeds else 'seed0'}.log").read_text()
    assert "resumed from" in log
    assert (run / target).read_bytes() == (ref / target).read_bytes()
    assert not ckpt.exists()


RESUMABLE_PAPERS = ["ntp_pitfalls", "pause_tokens", "catch_your_breath", "creativity", "geometric_memory", "downscaling"]


def test_every_resumable_paper_accepts_total_runtime_and_others_refuse_it(tmp_path):
    """The papers whose training stages resume from fit()'s checkpoints accept resources.train.total_runtime >
    runtime (their evaluation-only rules, e.g. downscaling's pruning, keep one attempt); a paper whose stages do
    not resume refuses it before any job, naming the paper."""
    train = "  resources:\n    train: {gpu: 0, mem_mb: 1000, runtime: 10, total_runtime: 15}\n"
    ok = tmp_path / "ok.yaml"
    ok.write_text("".join(f"{paper}:\n{train}" for paper in RESUMABLE_PAPERS))
    out = snakemake("-n", "--cores", "1", *RESUMABLE_PAPERS, "--configfile", SMOKE, str(ok), workdir=tmp_path / "a",
                    check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"gan_stability:\n{train}")
    out = snakemake("-n", "--cores", "1", "gan_stability", "--configfile", SMOKE, str(bad), workdir=tmp_path / "b",
                    check=False)
    said = out.stdout + out.stderr
    assert out.returncode != 0 and "gan_stability: resources.train.total_runtime" in said and "does not resume" in said


@pytest.mark.slow
def test_a_job_longer_than_its_time_limit_resumes_on_its_retry(tmp_path):
    """resources.train.total_runtime > runtime: the rule gets retries (common.smk train_retries), so a training
    job killed after its first checkpoint (as SLURM kills one at its time limit) is retried by the same
    snakemake run, resumes from the checkpoint, and gives the uninterrupted run's result."""
    import json

    import psutil

    long_cfg = tmp_path / "long.yaml"
    long_cfg.write_text("creativity:\n  resources:\n    train: {gpu: 0, mem_mb: 1000, runtime: 10, total_runtime: 15}\n"
                        "  optim: {steps: 3000, warmup: 5, ckpt_every: 100, log_every: 50}\n")
    target = "results/creativity/sibling/ntp/seed0.json"
    args = [target, "--cores", "1", "--configfile", SMOKE, str(long_cfg)]
    ref = tmp_path / "ref"
    snakemake(*args, workdir=ref)

    run = tmp_path / "run"
    run.mkdir()
    ckpt = run / "results/creativity/ckpt/sibling/ntp/seed0.json.ckpt"
    proc = snakemake_until(ckpt, *args, workdir=run, capture=True)
    assert ckpt.exists(), "training finished or failed before its first checkpoint"
    stage = [p for p in psutil.Process(proc.pid).children(recursive=True)
             if any(".snakemake/scripts" in part for part in p.cmdline())]
    assert len(stage) == 1, [p.cmdline() for p in stage]
    stage[0].kill()  # the job's own process, by its id: the first attempt fails as at a time limit
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out[-4000:]
    assert "Trying to restart job" in out                         # snakemake retried the job itself
    log = (run / "results/creativity/logs/train_sibling_ntp_seed0.log").read_text()
    assert "resumed from" in log
    drop = lambda m: {k: v for k, v in m.items() if k != "train_seconds"}  # noqa: E731
    assert drop(json.loads((run / target).read_text())) == drop(json.loads((ref / target).read_text()))
    assert not ckpt.exists()
