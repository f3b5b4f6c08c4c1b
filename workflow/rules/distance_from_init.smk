# Generalization in deep networks: the role of distance from initialization (Nagarajan & Kolter, 2017).
# one batched-ensemble job per experiment (width sweep, m sweep with true/random labels, label noise) → render.

DF = config["distance_from_init"]
DF_FIGS = "paper_figures/distance_from_init"
PAPER_TARGETS["distance_from_init"] = [
    f"{DF_FIGS}/{f}"
    for f in [
        "distance_vs_width.png", "distance_vs_width.pdf", "distance_vs_m.png", "distance_vs_m.pdf",
        "distance_vs_noise.png", "distance_vs_noise.pdf", "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


wildcard_constraints:
    df_exp="|".join(DF["experiments"]),


rule distance_from_init_train:
    input:
        **image_input(DF["source"]),
    output:
        metrics="results/distance_from_init/{df_exp}.json",
    params:
        stage="distance_from_init.train",
        code=code_version("distance_from_init.train"),
        cfg=lambda w: DF["experiments"][w.df_exp]
        | {k: DF[k] for k in ("source", "n_test", "split_seed", "seeds", "depth", "optim")}
        | {"experiment": w.df_exp},
    threads: DF["threads"]
    resources:
        **train_resources("distance_from_init"),
    log:
        "results/distance_from_init/logs/train_{df_exp}.log",
    benchmark:
        "results/distance_from_init/benchmarks/train_{df_exp}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule distance_from_init_render:
    input:
        metrics=expand("results/distance_from_init/{e}.json", e=DF["experiments"]),
    output:
        width_png=report(f"{DF_FIGS}/distance_vs_width.png", caption="../report/distance_from_init.rst", category="distance_from_init"),
        width_pdf=f"{DF_FIGS}/distance_vs_width.pdf",
        m_png=report(f"{DF_FIGS}/distance_vs_m.png", caption="../report/distance_from_init.rst", category="distance_from_init"),
        m_pdf=f"{DF_FIGS}/distance_vs_m.pdf",
        noise_png=report(f"{DF_FIGS}/distance_vs_noise.png", caption="../report/distance_from_init.rst", category="distance_from_init"),
        noise_pdf=f"{DF_FIGS}/distance_vs_noise.pdf",
        table=f"{DF_FIGS}/summary.md",
        table_tex=f"{DF_FIGS}/summary.tex",
        table_csv=f"{DF_FIGS}/summary.csv",
        claims=f"{DF_FIGS}/claims.json",
    params:
        stage="distance_from_init.render",
        code=code_version("distance_from_init.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("distance_from_init"),
    log:
        "results/distance_from_init/logs/render.log",
    benchmark:
        "results/distance_from_init/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule distance_from_init:
    input:
        PAPER_TARGETS["distance_from_init"],
