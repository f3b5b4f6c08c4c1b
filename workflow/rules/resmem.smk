# ResMem: learn what you can and memorize the rest (Yang, Lukasik, Nagarajan et al., 2023).
# base MLPs of several widths + residual kNN on images; the stylized regression per seed → render.

RM = config["resmem"]
RM_FIGS = "paper_figures/resmem"
PAPER_TARGETS["resmem"] = [
    f"{RM_FIGS}/{f}"
    for f in [
        "accuracy_vs_size.png", "accuracy_vs_size.pdf", "regression_risk.png", "regression_risk.pdf",
        "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


rule resmem_train_images:
    input:
        **image_input(RM["images"]["source"]),
    output:
        metrics="results/resmem/images.json",
    params:
        stage="resmem.train_images",
        code=code_version("resmem.train_images"),
        cfg=RM["images"] | {"seeds": RM["seeds"], "ks": RM["ks"], "sigmas": RM["sigmas"]},
    threads: RM["threads"]
    resources:
        **train_resources("resmem"),
    log:
        "results/resmem/logs/train_images.log",
    benchmark:
        "results/resmem/benchmarks/train_images.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule resmem_regression:
    output:
        metrics="results/resmem/regression/seed{seed}.json",
    params:
        stage="resmem.regression",
        code=code_version("resmem.regression"),
        cfg=lambda w: RM["regression"] | {"seed": int(w.seed), "ks": RM["ks"], "sigmas": RM["sigmas"]},
    resources:
        **light_resources("resmem"),
    log:
        "results/resmem/logs/regression_seed{seed}.log",
    benchmark:
        "results/resmem/benchmarks/regression_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule resmem_render:
    input:
        images="results/resmem/images.json",
        regression=expand("results/resmem/regression/seed{seed}.json", seed=RM["seeds"]),
    output:
        accuracy_png=report(f"{RM_FIGS}/accuracy_vs_size.png", caption="../report/resmem.rst", category="resmem"),
        accuracy_pdf=f"{RM_FIGS}/accuracy_vs_size.pdf",
        risk_png=report(f"{RM_FIGS}/regression_risk.png", caption="../report/resmem.rst", category="resmem"),
        risk_pdf=f"{RM_FIGS}/regression_risk.pdf",
        table=f"{RM_FIGS}/summary.md",
        table_tex=f"{RM_FIGS}/summary.tex",
        table_csv=f"{RM_FIGS}/summary.csv",
        claims=f"{RM_FIGS}/claims.json",
    params:
        stage="resmem.render",
        code=code_version("resmem.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("resmem"),
    log:
        "results/resmem/logs/render.log",
    benchmark:
        "results/resmem/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule resmem:
    input:
        PAPER_TARGETS["resmem"],
