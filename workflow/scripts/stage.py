"""The one Snakemake → Python adapter: every rule runs `params.stage` through this script.

`stage="ntp_pitfalls.train"` calls repro.papers.ntp_pitfalls.train(params, inputs, outputs, threads);
`stage="core.report.write_report"` calls repro.core.report.write_report(...). The job's stdout and
stderr go to its log; threads and the GPU request come from the rule.
"""
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from repro.core.stages import run_stage

smk = snakemake  # noqa: F821  (injected by Snakemake)
log = Path(smk.log[0]) if smk.log else None
if log is not None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh, redirect_stdout(fh), redirect_stderr(fh):
        try:
            run_stage(smk)
        except BaseException:
            import traceback
            traceback.print_exc()
            raise
else:
    run_stage(smk)
sys.exit(0)
