# Deterministic PAC-Bayesian generalization bounds via generalizing noise-resilience (Nagarajan & Kolter, 2019).
# one batched ensemble (one member per seed) per architecture (depth × width) → render.

PB = config["pac_bayes_noise"]
PB_FIGS = "paper_figures/pac_bayes_noise"
PB_ARCHS = [f"d{d}_w{w}" for d, w in PB["architectures"]]
PAPER_TARGETS["pac_bayes_noise"] = [
    f"{PB_FIGS}/{f}"
    for f in [
        "bound_vs_depth.png", "bound_vs_depth.pdf", "bound_vs_width.png", "bound_vs_width.pdf", "conditions.png",
        "conditions.pdf", "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


rule pac_bayes_noise_train:
    input:
        **image_input(PB["source"]),
    output:
        metrics="results/pac_bayes_noise/d{depth}_w{width}.json",
    wildcard_constraints:
        depth=r"\d+",
        width=r"\d+",
    params:
        stage="pac_bayes_noise.train",
        code=code_version("pac_bayes_noise.train"),
        cfg=lambda w: {k: PB[k] for k in ("source", "n_test", "split_seed", "seeds", "m", "optim")}
        | {"depth": int(w.depth), "width": int(w.width)},
    threads: PB["threads"]
    resources:
        **train_resources("pac_bayes_noise"),
    log:
        "results/pac_bayes_noise/logs/train_d{depth}_w{width}.log",
    benchmark:
        "results/pac_bayes_noise/benchmarks/train_d{depth}_w{width}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule pac_bayes_noise_render:
    input:
        metrics=expand("results/pac_bayes_noise/{arch}.json", arch=PB_ARCHS),
    output:
        depth_png=report(f"{PB_FIGS}/bound_vs_depth.png", caption="../report/pac_bayes_noise.rst", category="pac_bayes_noise"),
        depth_pdf=f"{PB_FIGS}/bound_vs_depth.pdf",
        width_png=report(f"{PB_FIGS}/bound_vs_width.png", caption="../report/pac_bayes_noise.rst", category="pac_bayes_noise"),
        width_pdf=f"{PB_FIGS}/bound_vs_width.pdf",
        conditions_png=report(f"{PB_FIGS}/conditions.png", caption="../report/pac_bayes_noise.rst", category="pac_bayes_noise"),
        conditions_pdf=f"{PB_FIGS}/conditions.pdf",
        table=f"{PB_FIGS}/summary.md",
        table_tex=f"{PB_FIGS}/summary.tex",
        table_csv=f"{PB_FIGS}/summary.csv",
        claims=f"{PB_FIGS}/claims.json",
    params:
        stage="pac_bayes_noise.render",
        code=code_version("pac_bayes_noise.render"),
        cfg={"scale": config["scale"], "focus_width": PB["focus_width"], "focus_depth": PB["focus_depth"]},
    resources:
        **light_resources("pac_bayes_noise"),
    log:
        "results/pac_bayes_noise/logs/render.log",
    benchmark:
        "results/pac_bayes_noise/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule pac_bayes_noise:
    input:
        PAPER_TARGETS["pac_bayes_noise"],
