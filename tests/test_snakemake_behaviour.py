"""Behave as a Snakemake user expects (issue 25), one section per fault the issue found:

1. `--config` overrides arrive as strings            → typed by the schema (repro.core.configtypes)
2. code edits were invisible, an adapter comment reran all → `params: code=` per rule (repro.core.codeversion)
3. conda envs installed the project with `-e ../`      → envs list what each rule's code imports; no install
4. a checkpoint with NumPy scalars failed only on resume → converted or refused when written (nn.trainer.plain)
5. a SIGKILLed snakemake left a lock, README silent     → README recovery, tested here with every README command
"""
from __future__ import annotations

import ast
import contextlib
import copy
import importlib.metadata
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from torch import nn

from conftest import REPO, SMOKE, SNAKEMAKE, TEST_ENV, snakemake, snakemake_until
from repro.core.codeversion import ADAPTER, CodeIndex
from repro.core.configtypes import coerce_file
from repro.core.io import load_weights, read_json
from repro.nn.trainer import OptimConfig, fit, plain

SCHEMA = str(REPO / "workflow/schemas/config.schema.yaml")
RULES = sorted((REPO / "workflow/rules").glob("*.smk"))
ENV_NAMES = {"TORCH_ENV": "envs/torch.yaml", "OPT_ENV": "envs/opt.yaml"}  # as in workflow/rules/common.smk


def merged_config(*overlays: str) -> dict:
    """config/config.yaml with overlays, as Snakemake merges them (mappings key by key, lists replace)."""
    from snakemake.utils import update_config
    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text())
    for overlay in overlays:
        update_config(cfg, yaml.safe_load(Path(overlay).read_text()))
    return cfg


def rule_blocks() -> dict[str, str]:
    """rule name → its text, over every rules file."""
    blocks = {}
    for path in RULES:
        for block in re.split(r"^(?=(?:rule|checkpoint) \w+:)", path.read_text(), flags=re.M)[1:]:
            blocks[re.match(r"(?:rule|checkpoint) (\w+):", block)[1]] = block
    return blocks


def rule_stages() -> dict[str, list[str]]:
    """rule name → the stage(s) it runs; a stage given as f"...{w.x}" expands over x's constraint."""
    every_rule = "".join(p.read_text() for p in RULES)
    stages = {}
    for rule, block in rule_blocks().items():
        m = re.search(r'^\s+stage=(?:"([^"]+)"|lambda w: f"([^"]+)"),$', block, flags=re.M)
        if m is None:
            continue
        if m[1]:
            stages[rule] = [m[1]]
            continue
        (wildcard,) = re.findall(r"\{w\.(\w+)\}", m[2])
        alternatives = re.search(rf'{wildcard}="([\w|]+)"', block) or re.search(rf'{wildcard}="([\w|]+)"', every_rule)
        stages[rule] = [m[2].replace(f"{{w.{wildcard}}}", alt) for alt in alternatives[1].split("|")]
    return stages


def all_stages() -> list[str]:
    return sorted({s for stages in rule_stages().values() for s in stages})


def copy_project(dest: Path) -> Path:
    """A copy of the project that a test may edit (the repo's files are never touched)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Snakefile", dest / "Snakefile")
    for folder in ("workflow", "config", "envs", "profiles"):
        shutil.copytree(REPO / folder, dest / folder, ignore=ignore)
    return dest


@contextlib.contextmanager
def edited(path: Path, change):
    """Apply `change` (text → text) to a file for the duration of the block."""
    original = path.read_text()
    path.write_text(change(original))
    try:
        yield
    finally:
        path.write_text(original)


# ---------------------------------------------------------------------------------------------------------
# 1. Overrides: --config values are typed by the schema
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlay", [None, "config/full.yaml", "config/smoke.yaml", "config/seeds_b.yaml"])
def test_every_value_given_as_a_string_gets_its_schema_type_back(overlay):
    """What `--config` would pass for every key of every scale (YAML's BaseLoader: all strings) is turned
    back into exactly the typed config."""
    typed = merged_config(*([str(REPO / overlay)] if overlay else []))
    as_strings = yaml.load(yaml.safe_dump(typed), Loader=yaml.BaseLoader)
    assert as_strings != typed
    coerce_file(as_strings, SCHEMA)
    assert as_strings == typed


def test_coercion_keeps_strings_and_leaves_bad_values_to_validation():
    from snakemake.utils import validate
    cfg = merged_config()
    cfg["ntp_pitfalls"]["seeds"] = ["3", "x"]          # "x" is no integer: left for validation to report
    cfg["ntp_pitfalls"]["optim"]["lr"] = "3e-4"
    cfg["pause_tokens"]["inference_pauses"] = ["0", "2"]
    cfg["scale"] = "mini"                               # an enum of strings stays a string
    coerce_file(cfg, SCHEMA)
    assert cfg["ntp_pitfalls"]["seeds"] == [3, "x"] and cfg["ntp_pitfalls"]["optim"]["lr"] == 3e-4
    assert cfg["pause_tokens"]["inference_pauses"] == [0, 2] and cfg["scale"] == "mini"
    with pytest.raises(Exception, match="'x' is not of type 'integer'"):
        validate(cfg, SCHEMA)


@pytest.mark.slow
def test_config_override_from_the_command_line_plans_those_seeds(tmp_path):
    out = snakemake("-n", "ntp_pitfalls", "--config", 'ntp_pitfalls={"seeds": [3, 4, 5]}', workdir=tmp_path).stdout
    seeds = set(re.findall(r"results/ntp_pitfalls/models/\S+/seed(\d+)/model\.pt", out))
    assert seeds == {"3", "4", "5"}
    bad = snakemake("-n", "--config", 'ntp_pitfalls={"seeds": [3, "x"]}', workdir=tmp_path / "bad", check=False)
    assert bad.returncode != 0 and "'x' is not of type 'integer'" in bad.stdout + bad.stderr


# ---------------------------------------------------------------------------------------------------------
# 2. Reruns follow the code
# ---------------------------------------------------------------------------------------------------------

def reword(text: str) -> str:
    """The module docstring reworded, and a comment added."""
    assert text.startswith('"""'), "expected a module docstring"
    return '"""Reworded: ' + text[3:] + "\n# a comment\n"


def versions(index_root: Path) -> dict[str, str]:
    index = CodeIndex(index_root)
    return {stage: index.version(stage) for stage in all_stages()}


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {s for s in before if before[s] != after[s]}


def test_code_versions_follow_code_not_comments(tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(REPO / "workflow", root / "workflow", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    repro = root / "workflow/repro"
    before = versions(root)            # (stages defined in one module share its version)

    def comments_and_docstrings(text: str) -> str:
        return reword(text).replace("\ndef ", '\n# a comment\ndef ', 1) + "\n# end\n"
    with edited(root / ADAPTER, comments_and_docstrings), \
            edited(repro / "papers/ntp_pitfalls/render.py", comments_and_docstrings):
        assert changed(before, versions(root)) == set()
    with edited(repro / "papers/ntp_pitfalls/render.py", lambda t: t + "\nEXTRA = 1\n"):
        assert changed(before, versions(root)) == {"ntp_pitfalls.render"}
    with edited(repro / "papers/ntp_pitfalls/train.py", lambda t: t + "\nEXTRA = 1\n"):
        assert changed(before, versions(root)) == {"ntp_pitfalls.train"}
    with edited(repro / "nn/trainer.py", lambda t: t + "\nEXTRA = 1\n"):
        trainer_users = changed(before, versions(root))
    assert {"ntp_pitfalls.train", "creativity.train", "catch_your_breath.train", "pause_tokens.pretrain"} <= trainer_users
    assert trainer_users.isdisjoint({"ntp_pitfalls.render", "core.report.write_report",
                                     "algorithm_configuration.utilities"})
    with edited(root / ADAPTER, lambda t: t + "\nEXTRA = 1\n"):
        assert changed(before, versions(root)) == set(before)
    assert versions(root) == before


def test_every_rule_passes_its_stages_code_version():
    blocks = rule_blocks()
    for rule, stages in rule_stages().items():
        if len(stages) == 1:
            assert f'code=code_version("{stages[0]}"),' in blocks[rule], rule
        else:
            assert "code=lambda w: code_version(f" in blocks[rule], rule


def test_static_stage_lookup_agrees_with_the_adapter():
    """CodeIndex finds the module of each stage without importing it; the adapter imports it."""
    from repro.core.stages import resolve
    index = CodeIndex(REPO)
    for stage in all_stages():
        assert index.stage_module(stage) == resolve(stage).__module__, stage


def planned(out: str) -> dict[str, list[str]]:
    """rule → the reasons of its planned jobs, from a dry run."""
    plan: dict[str, list[str]] = {}
    for rule, body in re.findall(r"^(?:localrule|rule) (\w+):\n(.*?)(?=^\S|\Z)", out, flags=re.M | re.S):
        plan.setdefault(rule, []).append(re.search(r"reason: (.*)", body)[1])
    return plan


@pytest.fixture(scope="module")
def done_project(tmp_path_factory):
    """A project copy and a workdir where every mini-scale job is recorded as done (`--touch` over
    empty outputs): the dry-run plan then shows exactly what an edit reruns."""
    base = tmp_path_factory.mktemp("rerun")
    proj, run = copy_project(base / "proj"), base / "run"
    summary = smk(proj, "--summary", workdir=run).stdout
    for line in summary.splitlines()[1:]:
        path = line.split("\t")[0]
        if path.startswith(("results/", "paper_figures/")):
            target = run / path
            if "." in target.name:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.touch()
            else:                                        # the directory() outputs
                target.mkdir(parents=True, exist_ok=True)
    smk(proj, "--touch", "--forceall", "--cores", "1", workdir=run)
    assert "Nothing to be done" in smk(proj, "-n", workdir=run).stdout
    return proj, run


def smk(proj: Path, *args: str, workdir: Path, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [SNAKEMAKE, "--snakefile", str(proj / "Snakefile"), "--workflow-profile", str(proj / "profiles/default"),
           "--directory", str(workdir), *args]
    out = subprocess.run(cmd, cwd=proj, env=TEST_ENV, capture_output=True, text=True, timeout=600)
    if check and out.returncode:
        raise AssertionError(f"{' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out


def params_changed(plan: dict[str, list[str]]) -> set[str]:
    return {rule for rule, reasons in plan.items() if any(r.startswith("Params have changed") for r in reasons)}


@pytest.mark.slow
def test_editing_a_render_module_reruns_that_render_only(done_project):
    proj, run = done_project
    with edited(proj / "workflow/repro/papers/ntp_pitfalls/render.py", lambda t: t + "\nEXTRA = 1\n"):
        plan = planned(smk(proj, "-n", workdir=run).stdout)
    assert params_changed(plan) == {"ntp_pitfalls_render"}
    assert set(plan) == {"ntp_pitfalls_render", "report", "all"}   # REPORT.md reads its claims.json


@pytest.mark.slow
def test_editing_a_training_module_reruns_its_training_jobs(done_project):
    proj, run = done_project
    n_train = len(list(run.glob("results/ntp_pitfalls/models/*/*/seed*/model.pt")))   # one per training job
    with edited(proj / "workflow/repro/papers/ntp_pitfalls/train.py", lambda t: t + "\nEXTRA = 1\n"):
        plan = planned(smk(proj, "-n", workdir=run).stdout)
    assert params_changed(plan) == {"ntp_pitfalls_train"}
    assert len(plan["ntp_pitfalls_train"]) == n_train
    assert set(plan) == {"ntp_pitfalls_train", "ntp_pitfalls_evaluate", "ntp_pitfalls_render", "report", "all"}


@pytest.mark.slow
def test_comments_and_the_adapters_docstring_rerun_nothing(done_project):
    proj, run = done_project
    with edited(proj / ADAPTER, reword), edited(proj / "workflow/repro/core/stages.py", reword), \
            edited(proj / "workflow/repro/papers/ntp_pitfalls/render.py", reword):
        out = smk(proj, "-n", workdir=run).stdout
    assert "Nothing to be done" in out, planned(out)


# ---------------------------------------------------------------------------------------------------------
# 3. Conda envs: each rule's env provides every third-party import of its code; nothing installs the project
# ---------------------------------------------------------------------------------------------------------

def env_packages(path: Path) -> set[str]:
    names = set()
    for dep in yaml.safe_load(path.read_text())["dependencies"]:
        for entry in dep["pip"] if isinstance(dep, dict) else [dep]:
            names.add(re.split(r"[=<>!~ \[;]", entry.strip())[0].lower().replace("_", "-"))
    return names


def test_env_files_install_no_local_paths():
    for path in sorted((REPO / "envs").glob("*.yaml")):
        for dep in yaml.safe_load(path.read_text())["dependencies"]:
            for entry in dep["pip"] if isinstance(dep, dict) else [dep]:
                assert not re.match(r"(-e|--editable)\b|\.|/|file:|git\+", entry.strip()), f"{path.name}: {entry}"


# Imported by full-scale code only and not installable in the CPU test environment: the torchvision wheel that
# pairs with torch 2.13.0 on PyPI is a CUDA build that does not load against the CPU torch (import name → pip name).
NOT_INSTALLABLE_HERE = {"torchvision": "torchvision"}


def test_each_rules_conda_env_provides_what_its_code_imports():
    index = CodeIndex(REPO)
    distributions = importlib.metadata.packages_distributions()   # import name → pip names (this venv)
    blocks = rule_blocks()
    problems = []
    for rule, stages in rule_stages().items():
        m = re.search(r"^\s+conda:\s*\n\s+(\S+)", blocks[rule], flags=re.M)
        assert m, f"{rule}: no conda env"
        env = REPO / ENV_NAMES.get(m[1], m[1].strip("\"'").removeprefix("../../"))
        have = env_packages(env)
        for name in sorted(set().union(*(index.third_party(s) for s in stages))):
            dists = distributions.get(name) or ([NOT_INSTALLABLE_HERE[name]] if name in NOT_INSTALLABLE_HERE else None)
            assert dists, f"{rule} imports {name}, which is not installed here either"
            if not any(d.lower().replace("_", "-") in have for d in dists):
                problems.append(f"{rule}: imports {name} ({dists[0]}), not in {env.name}")
    assert not problems, "\n".join(problems)


def test_adapter_imports_the_checkout_it_belongs_to(tmp_path):
    """A job imports `repro` from the project that holds its stage.py (no install of the project), even
    when another `repro` (here: the repo's editable install) is importable."""
    proj = copy_project(tmp_path / "proj")
    probe = ("import runpy, sys, types\n"
             "smk = types.SimpleNamespace(log=[], threads=1, resources={}, input={}, output={},\n"
             "                            params=types.SimpleNamespace(stage='no_such_paper.fn', cfg={}))\n"
             "try:\n"
             f"    runpy.run_path({str(proj / ADAPTER)!r}, init_globals={{'snakemake': smk}})\n"
             "except LookupError as e:\n"
             "    print('lookup:', e)\n"
             "import repro\n"
             "print('repro:', repro.__file__)\n")
    out = subprocess.run([sys.executable, "-c", probe], env=TEST_ENV, capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "lookup: stage 'no_such_paper.fn'" in out.stdout
    assert f"repro: {proj / 'workflow/repro/__init__.py'}" in out.stdout


# ---------------------------------------------------------------------------------------------------------
# 4. Checkpoints hold only what torch.load(weights_only=True) reloads
# ---------------------------------------------------------------------------------------------------------

class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.lin = nn.Linear(3, 1)

    def forward(self, x, y):
        return None, ((self.lin(x).squeeze(-1) - y) ** 2).mean()


def _batch(step: int):
    g = torch.Generator().manual_seed(step)
    return torch.randn(8, 3, generator=g), torch.randn(8, generator=g)


def test_numpy_values_from_a_callback_are_checkpointed_as_plain_python_and_resume(tmp_path):
    cfg = OptimConfig(steps=6, warmup=1, ckpt_every=2, log_every=1)

    def on_step(step, model):
        if step == 5 and crash:
            raise KeyboardInterrupt("killed")          # after the checkpoint at step 4
        return {"step": np.int64(step), "acc": np.float64(step / 10), "ok": np.bool_(True),
                "per_class": np.arange(2.0), "w": model.lin.weight.detach().clone()}

    crash = False
    reference = fit(_Tiny(), _batch, cfg, device=torch.device("cpu"), on_step=on_step)
    ckpt = tmp_path / "model.pt.ckpt"
    crash = True
    with pytest.raises(KeyboardInterrupt):
        fit(_Tiny(), _batch, cfg, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k", on_step=on_step)
    saved = load_weights(ckpt)                          # weights_only=True: failed with np.float64 before
    assert saved["step"] == 4 and type(saved["evals"][0]["acc"]) is float and type(saved["evals"][0]["step"]) is int
    assert saved["evals"][0]["per_class"] == [0.0, 1.0] and saved["evals"][0]["ok"] is True
    crash = False
    resumed = fit(_Tiny(), _batch, cfg, device=torch.device("cpu"), ckpt_path=ckpt, run_key="k", on_step=on_step)
    assert [{k: v for k, v in e.items() if k != "w"} for e in resumed.evals] == \
        [{k: v for k, v in e.items() if k != "w"} for e in reference.evals]
    assert all(torch.equal(a["w"], b["w"]) for a, b in zip(resumed.evals, reference.evals))
    assert resumed.history == reference.history


def test_a_callback_value_a_checkpoint_cannot_hold_fails_when_returned(tmp_path):
    cfg = OptimConfig(steps=2, warmup=1, ckpt_every=2, log_every=1)
    with pytest.raises(TypeError, match=r"on_step\(1\)\['seen'\]: builtins.set cannot be reloaded .*weights_only=True"):
        fit(_Tiny(), _batch, cfg, device=torch.device("cpu"), ckpt_path=tmp_path / "c.ckpt", run_key="k",
            on_step=lambda step, m: {"seen": {1, 2}})
    assert not (tmp_path / "c.ckpt").exists()
    assert plain({"a": (np.float32(1.5), [np.int8(2)])}) == {"a": (1.5, [2])}


def test_changed_code_does_not_resume_a_stale_checkpoint(monkeypatch):
    """The stage runner exports the job's params.code; a checkpoint's run key includes it."""
    from repro.nn.trainer import resumable
    out = Path("results/paper/models/seed0.pt")
    monkeypatch.setenv("REPRO_CODE_VERSION", "aaaaaaaaaaaa")
    old = resumable(out, {"lr": 1})
    monkeypatch.setenv("REPRO_CODE_VERSION", "bbbbbbbbbbbb")
    assert resumable(out, {"lr": 1})["run_key"] != old["run_key"]
    assert resumable(out, {"lr": 1})["ckpt_path"] == old["ckpt_path"]   # the same file: overwritten, not resumed


def papers_with_callbacks() -> set[str]:
    """Paper modules that pass `on_step=` to fit (their callbacks' records go into checkpoints)."""
    found = set()
    for path in (REPO / "workflow/repro/papers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fit" \
                    and any(k.arg == "on_step" for k in node.keywords):
                found.add(f"{path.parent.name}.{path.stem}")
    return found


def _smoke_section(paper: str) -> dict:
    from snakemake.utils import validate
    cfg = merged_config(SMOKE)
    validate(cfg, SCHEMA)                                # fills the schema's defaults, as the Snakefile does
    return cfg[paper]


def _catch_your_breath(tmp_path: Path) -> tuple[Path, str]:
    from repro.papers.catch_your_breath.train import train
    section = _smoke_section("catch_your_breath")
    params = {k: v for k, v in section.items() if k not in ("seeds", "resources", "threads")}
    params |= {"method": "anytime", "seed": 0}
    params["optim"] = params["optim"] | {"ckpt_every": params["optim"]["steps"]}   # mini and smoke: no checkpoints
    out = tmp_path / "metrics.json"
    train(params, {}, {"metrics": out}, 1)
    return out, "curve"


def _geometric_memory(tmp_path: Path) -> tuple[Path, str]:
    from repro.papers.geometric_memory.star import train_star
    params = _smoke_section("geometric_memory")["star"] | {"seed": 0}
    params["optim"] = params["optim"] | {"ckpt_every": params["optim"]["steps"]}
    out = tmp_path / "metrics.json"
    train_star(params, {}, {"metrics": out}, 1)
    return out, "curve"


CALLBACK_RUNS = {"catch_your_breath.train": _catch_your_breath, "geometric_memory.star": _geometric_memory}


def test_every_paper_callback_is_covered():
    assert papers_with_callbacks() == set(CALLBACK_RUNS)


@pytest.mark.parametrize("module", sorted(CALLBACK_RUNS))
def test_each_papers_callback_records_reload_from_its_checkpoint(module, tmp_path):
    """The stage at smoke scale leaves its last checkpoint (the stage runner would delete it): it reloads
    with weights_only=True and holds exactly the records the metrics were written from."""
    metrics, key = CALLBACK_RUNS[module](tmp_path)
    saved = load_weights(Path(f"{metrics}.ckpt"))
    assert saved["evals"] and saved["evals"] == read_json(metrics)[key]
    assert saved["evals"] == plain(copy.deepcopy(saved["evals"]))


# ---------------------------------------------------------------------------------------------------------
# 5. README: every snakemake command it shows runs (a dry run at least); recovery after a killed snakemake
# ---------------------------------------------------------------------------------------------------------

def readme_commands() -> list[str]:
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(), flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "snakemake":
                commands.append(shlex.join(words[1:]))
    return list(dict.fromkeys(commands))


def test_readme_shows_the_override_and_recovery_commands():
    commands = readme_commands()
    assert any("--config" in c for c in commands) and any("--configfile" in c for c in commands)
    assert "--unlock" in commands


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs(command, tmp_path, done_project):
    args = shlex.split(command)
    if "--directory" in args:                            # the README's own run directory: the test gives one
        i = args.index("--directory")
        del args[i:i + 2]
    if "--report" in args:                               # needs finished jobs: the recorded workdir
        workdir = done_project[1]
    else:
        workdir = tmp_path
        if not {"-n", "--dry-run", "--unlock", "--list-changes"} & set(args):
            args = ["-n", *args]
    snakemake(*args, workdir=workdir)
    if "--report" in args:
        report = workdir / args[args.index("--report") + 1]
        assert report.stat().st_size > 0
        report.unlink()


@pytest.mark.slow
def test_killed_snakemake_needs_unlock_then_training_resumes(tmp_path):
    """SIGKILL snakemake and its job together (a closed terminal, a lost session): the rerun stops with a
    LockException; after `snakemake --unlock` the rerun succeeds and training resumes from its checkpoint."""
    long_cfg = tmp_path / "long.yaml"
    long_cfg.write_text("ntp_pitfalls:\n  optim: {steps: 600, warmup: 5, ckpt_every: 50, log_every: 50}\n")
    target = "results/ntp_pitfalls/models/d2_l3_n10/ntp/seed0/model.pt"
    args = [target, "--cores", "1", "--configfile", SMOKE, str(long_cfg)]
    run = tmp_path / "run"
    run.mkdir()
    ckpt = run / "results/ntp_pitfalls/ckpt/models/d2_l3_n10/ntp/seed0/model.pt.ckpt"
    proc = snakemake_until(ckpt, *args, workdir=run, wait=180)
    try:
        assert ckpt.exists(), "training finished or failed before its first checkpoint"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)        # snakemake and its job: one process group
        proc.wait(timeout=60)
    assert list((run / ".snakemake/locks").iterdir()), "no stale lock left"

    locked = snakemake(*args, workdir=run, check=False)
    assert locked.returncode != 0 and "LockException" in locked.stdout + locked.stderr
    snakemake("--unlock", workdir=run)
    snakemake(*args, workdir=run)
    log = (run / "results/ntp_pitfalls/logs/train_d2_l3_n10_ntp_seed0.log").read_text()
    assert "resumed from" in log
    assert (run / target).exists() and not ckpt.exists()
