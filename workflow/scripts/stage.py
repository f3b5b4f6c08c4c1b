"""The one Snakemake → Python adapter: every rule runs `params.stage` through this script.

`stage="ntp_pitfalls.train"` calls repro.papers.ntp_pitfalls.train(params, inputs, outputs, threads);
`stage="core.report.write_report"` calls repro.core.report.write_report(...). The work (logging, threads,
the GPU request) is in repro.core.stages.main. This file only puts the project's workflow/ folder first on
sys.path, so jobs import this checkout's `repro` in any environment (a conda env needs no install of it).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # Snakemake sets __file__ to this file's path

from repro.core.stages import main  # noqa: E402

main(snakemake)  # noqa: F821  (injected by Snakemake)
