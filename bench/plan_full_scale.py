"""Plan the paper-scale DAG for SLURM without running it and tabulate it per paper: jobs, GPU jobs and
the GPU and CPU hours their runtime tags reserve (upper bounds: the tags are SLURM time limits).

    python bench/plan_full_scale.py > paper_figures/FULL_SCALE_PLAN.md      (make plan)
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow"))
from repro.core.tables import to_markdown  # noqa: E402


def dry_run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", tmp, "-n",
                              "--configfile", str(REPO / "config/full.yaml"), "--workflow-profile",
                              str(REPO / "profiles/slurm")], capture_output=True, text=True, check=True)
    return out.stdout


def jobs(text: str) -> list[dict]:
    rows = []
    for rule, body in re.findall(r"^(?:localrule|rule) (\w+):\n(.*?)(?=^\S|\Z)", text, flags=re.M | re.S):
        res = dict(re.findall(r"(\w+)=([^,\s]+)", (re.search(r"resources: (.*)", body) or ["", ""])[1]))
        output = (re.search(r"output: (?:results|paper_figures)/(\w+)/", body) or ["", ""])[1]
        rows.append({"rule": rule, "output_dir": output, "gpu": int(res.get("gpu", 0)),
                     "runtime_min": float(res.get("runtime", 0)), "mem_mb": float(res.get("mem_mb", 0))})
    return rows


def main() -> None:
    papers = yaml.safe_load((REPO / "config/config.yaml").read_text())["papers"]
    df = pd.DataFrame(jobs(dry_run()))
    by_rule = [next((p for p in sorted(papers, key=len, reverse=True) if r.startswith(p)), None) for r in df.rule]
    df["paper"] = [p or (o if o in papers else "(report)") for p, o in zip(by_rule, df.output_dir)]  # shared rules
    df["gpu_hours"] = df.gpu * df.runtime_min / 60
    df["cpu_job_hours"] = (df.gpu == 0) * df.runtime_min / 60
    table = df.groupby("paper", sort=False).agg(jobs=("rule", "size"), gpu_jobs=("gpu", lambda g: int((g > 0).sum())),
                                                 gpu_hours=("gpu_hours", "sum"), cpu_job_hours=("cpu_job_hours", "sum"),
                                                 max_mem_gb=("mem_mb", lambda m: m.max() / 1024)).reset_index()
    total = {"paper": "**total**", **{c: table[c].sum() for c in ("jobs", "gpu_jobs", "gpu_hours", "cpu_job_hours")},
             "max_mem_gb": table.max_mem_gb.max()}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    print("# Full-scale plan\n")
    print("`snakemake -n --configfile config/full.yaml --workflow-profile profiles/slurm`, tabulated by "
          "`bench/plan_full_scale.py` (`make plan`). Hours are what the runtime tags reserve (SLURM time limits, "
          "upper bounds), summed over jobs.\n")
    print(to_markdown(table, floatfmt=".1f"))


if __name__ == "__main__":
    main()
