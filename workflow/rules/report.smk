# paper_figures/REPORT.md: every paper's claims, verdicts, figures and costs, from claims.json
# and the benchmark files.


rule report:
    input:
        claims=[f"paper_figures/{p}/claims.json" for p in PAPERS],
    output:
        report="paper_figures/REPORT.md",
    params:
        stage="core.report.write_report",
        code=code_version("core.report.write_report"),
        cfg={"papers": {p: PAPER_TARGETS[p] for p in PAPERS}, "scale": config["scale"]},
    log:
        "results/logs/report.log",
    localrule: True
    conda:
        TORCH_ENV
    script:
        STAGE
