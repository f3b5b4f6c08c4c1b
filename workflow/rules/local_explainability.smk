# A learning theoretic perspective on local explainability (Li, Nagarajan, Plumb & Talwalkar, 2021).
# one job per seed (models, MNF over σ, ρ_S) → render.

LEX = config["local_explainability"]
LEX_FIGS = "paper_figures/local_explainability"
PAPER_TARGETS["local_explainability"] = [
    f"{LEX_FIGS}/{f}"
    for f in [
        "gap_vs_mnf.png", "gap_vs_mnf.pdf", "mnf_vs_width.png", "mnf_vs_width.pdf",
        "rho_exponent.png", "rho_exponent.pdf", "claims.json",
    ]
]


rule local_explainability_explain:
    output:
        result="results/local_explainability/seed{seed}.json",
    params:
        stage="local_explainability.explain",
        code=code_version("local_explainability.explain"),
        cfg=lambda w: LEX["explain"] | {"seed": int(w.seed)},
    threads: 1
    resources:
        **train_resources("local_explainability"),
    log:
        "results/local_explainability/logs/explain_seed{seed}.log",
    benchmark:
        "results/local_explainability/benchmarks/explain_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule local_explainability_render:
    input:
        runs=expand("results/local_explainability/seed{s}.json", s=LEX["seeds"]),
    output:
        gap_png=report(f"{LEX_FIGS}/gap_vs_mnf.png", caption="../report/local_explainability.rst", category="local_explainability"),
        gap_pdf=f"{LEX_FIGS}/gap_vs_mnf.pdf",
        width_png=report(f"{LEX_FIGS}/mnf_vs_width.png", caption="../report/local_explainability.rst", category="local_explainability"),
        width_pdf=f"{LEX_FIGS}/mnf_vs_width.pdf",
        rho_png=report(f"{LEX_FIGS}/rho_exponent.png", caption="../report/local_explainability.rst", category="local_explainability"),
        rho_pdf=f"{LEX_FIGS}/rho_exponent.pdf",
        claims=f"{LEX_FIGS}/claims.json",
    params:
        stage="local_explainability.render",
        code=code_version("local_explainability.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("local_explainability"),
    log:
        "results/local_explainability/logs/render.log",
    benchmark:
        "results/local_explainability/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule local_explainability:
    input:
        PAPER_TARGETS["local_explainability"],
