# On student-teacher deviations in distillation (Nagarajan et al., 2023).
# (a) exact linear regression by GD, one job per seed; (b) CNN teachers → distilled students on images → render.

KD = config["kd_deviations"]
KD_FIGS = "paper_figures/kd_deviations"
PAPER_TARGETS["kd_deviations"] = [
    f"{KD_FIGS}/{f}"
    for f in [
        "eigendirections.png", "eigendirections.pdf", "confidence_scatter.png", "confidence_scatter.pdf",
        "slopes.md", "slopes.tex", "slopes.csv", "claims.json",
    ]
]


rule kd_deviations_linear:
    output:
        metrics="results/kd_deviations/linear/seed{seed}.json",
    params:
        stage="kd_deviations.linear",
        code=code_version("kd_deviations.linear"),
        cfg=lambda w: KD["linear"] | {"seed": int(w.seed)},
    resources:
        **light_resources("kd_deviations"),
    log:
        "results/kd_deviations/logs/linear_seed{seed}.log",
    benchmark:
        "results/kd_deviations/benchmarks/linear_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule kd_deviations_train_images:
    input:
        **image_input(KD["images"]["source"]),
    output:
        metrics="results/kd_deviations/images.json",
    params:
        stage="kd_deviations.train_images",
        code=code_version("kd_deviations.train_images"),
        cfg=KD["images"] | {"seeds": KD["seeds"]},
    threads: KD["threads"]
    resources:
        **train_resources("kd_deviations"),
    log:
        "results/kd_deviations/logs/train_images.log",
    benchmark:
        "results/kd_deviations/benchmarks/train_images.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule kd_deviations_render:
    input:
        linear=expand("results/kd_deviations/linear/seed{seed}.json", seed=KD["seeds"]),
        images="results/kd_deviations/images.json",
    output:
        eigen_png=report(f"{KD_FIGS}/eigendirections.png", caption="../report/kd_deviations.rst", category="kd_deviations"),
        eigen_pdf=f"{KD_FIGS}/eigendirections.pdf",
        confidence_png=report(f"{KD_FIGS}/confidence_scatter.png", caption="../report/kd_deviations.rst", category="kd_deviations"),
        confidence_pdf=f"{KD_FIGS}/confidence_scatter.pdf",
        table=f"{KD_FIGS}/slopes.md",
        table_tex=f"{KD_FIGS}/slopes.tex",
        table_csv=f"{KD_FIGS}/slopes.csv",
        claims=f"{KD_FIGS}/claims.json",
    params:
        stage="kd_deviations.render",
        code=code_version("kd_deviations.render"),
        cfg={"scale": config["scale"], "top_bottom": KD["linear"]["top_bottom"]},
    resources:
        **light_resources("kd_deviations"),
    log:
        "results/kd_deviations/logs/render.log",
    benchmark:
        "results/kd_deviations/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule kd_deviations:
    input:
        PAPER_TARGETS["kd_deviations"],
