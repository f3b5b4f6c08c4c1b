# Revisiting adversarial risk (Suggala, Prasad, Nagarajan & Ravikumar, 2019).
# 1-D classifier family (one job per seed) + 2-D MLP training regimes (one job per seed) → render.

ADV = config["adversarial_risk"]
ADV_FIGS = "paper_figures/adversarial_risk"
PAPER_TARGETS["adversarial_risk"] = [
    f"{ADV_FIGS}/{f}"
    for f in [
        "tradeoff_1d.png", "tradeoff_1d.pdf", "accuracy_vs_eps.png", "accuracy_vs_eps.pdf",
        "toy_2d_boundaries.png", "toy_2d_boundaries.pdf", "training_table.md", "training_table.tex",
        "training_table.csv", "claims.json",
    ]
]


rule adversarial_risk_family_1d:
    output:
        family="results/adversarial_risk/family_1d/seed{seed}.json",
    params:
        stage="adversarial_risk.family_1d",
        code=code_version("adversarial_risk.family_1d"),
        cfg=lambda w: ADV["toy_1d"] | {"seed": int(w.seed)},
    resources:
        **light_resources("adversarial_risk"),
    log:
        "results/adversarial_risk/logs/family_1d_seed{seed}.log",
    benchmark:
        "results/adversarial_risk/benchmarks/family_1d_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule adversarial_risk_train_2d:
    output:
        metrics="results/adversarial_risk/train_2d/seed{seed}.json",
    params:
        stage="adversarial_risk.train_2d",
        code=code_version("adversarial_risk.train_2d"),
        cfg=lambda w: ADV["toy_2d"] | {"seed": int(w.seed)},
    threads: 1
    resources:
        **train_resources("adversarial_risk"),
    log:
        "results/adversarial_risk/logs/train_2d_seed{seed}.log",
    benchmark:
        "results/adversarial_risk/benchmarks/train_2d_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule adversarial_risk_render:
    input:
        family=expand("results/adversarial_risk/family_1d/seed{s}.json", s=ADV["seeds"]),
        training=expand("results/adversarial_risk/train_2d/seed{s}.json", s=ADV["seeds"]),
    output:
        tradeoff_png=report(f"{ADV_FIGS}/tradeoff_1d.png", caption="../report/adversarial_risk.rst", category="adversarial_risk"),
        tradeoff_pdf=f"{ADV_FIGS}/tradeoff_1d.pdf",
        accuracy_png=report(f"{ADV_FIGS}/accuracy_vs_eps.png", caption="../report/adversarial_risk.rst", category="adversarial_risk"),
        accuracy_pdf=f"{ADV_FIGS}/accuracy_vs_eps.pdf",
        toy2d_png=report(f"{ADV_FIGS}/toy_2d_boundaries.png", caption="../report/adversarial_risk.rst", category="adversarial_risk"),
        toy2d_pdf=f"{ADV_FIGS}/toy_2d_boundaries.pdf",
        table=f"{ADV_FIGS}/training_table.md",
        table_tex=f"{ADV_FIGS}/training_table.tex",
        table_csv=f"{ADV_FIGS}/training_table.csv",
        claims=f"{ADV_FIGS}/claims.json",
    params:
        stage="adversarial_risk.render",
        code=code_version("adversarial_risk.render"),
        cfg={"scale": config["scale"], "eps_focus": ADV["eps_focus"]},
    resources:
        **light_resources("adversarial_risk"),
    log:
        "results/adversarial_risk/logs/render.log",
    benchmark:
        "results/adversarial_risk/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule adversarial_risk:
    input:
        PAPER_TARGETS["adversarial_risk"],
