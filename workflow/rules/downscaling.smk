# The cost of down-scaling language models (Jin et al., 2023).
# dense GPTs of several widths per seed → prune the widest (magnitude, Wanda) over a sparsity grid → render.

DS = config["downscaling"]
DS_FIGS = "paper_figures/downscaling"
DS_WIDEST = max(DS["widths"])
DS_COMMON = {k: DS[k] for k in ("data", "model", "batch_size", "n_test", "optim")}
PAPER_TARGETS["downscaling"] = [
    f"{DS_FIGS}/{f}"
    for f in [
        "accuracy_vs_sparsity.png", "accuracy_vs_sparsity.pdf", "accuracy_vs_size.png", "accuracy_vs_size.pdf",
        "pruning_table.md", "pruning_table.tex", "pruning_table.csv", "claims.json",
    ]
]


rule downscaling_train:
    output:
        model="results/downscaling/models/width{width}/seed{seed}/model.pt",
        metrics="results/downscaling/models/width{width}/seed{seed}/metrics.json",
    params:
        stage="downscaling.train",
        code=code_version("downscaling.train"),
        cfg=lambda w: DS_COMMON | {"width": int(w.width), "seed": int(w.seed)},
    threads: DS["threads"]
    resources:
        **train_resources("downscaling", resumable=True),  # fit() checkpoints: total_runtime may span attempts
    retries: train_retries("downscaling")
    log:
        "results/downscaling/logs/train_width{width}_seed{seed}.log",
    benchmark:
        "results/downscaling/benchmarks/train_width{width}_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule downscaling_prune:
    input:
        model=f"results/downscaling/models/width{DS_WIDEST}/seed{{seed}}/model.pt",
    output:
        metrics="results/downscaling/pruning/seed{seed}.json",
    params:
        stage="downscaling.prune",
        code=code_version("downscaling.prune"),
        cfg=lambda w: DS_COMMON | {k: DS[k] for k in ("methods", "sparsities", "calibration")} | {"seed": int(w.seed)},
    threads: DS["threads"]
    resources:
        **train_resources("downscaling"),  # evaluates the pruned widest model many times: on the GPU at full scale
    log:
        "results/downscaling/logs/prune_seed{seed}.log",
    benchmark:
        "results/downscaling/benchmarks/prune_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule downscaling_render:
    input:
        prune=expand("results/downscaling/pruning/seed{seed}.json", seed=DS["seeds"]),
        dense=expand("results/downscaling/models/width{width}/seed{seed}/metrics.json", width=DS["widths"], seed=DS["seeds"]),
    output:
        sparsity_png=report(f"{DS_FIGS}/accuracy_vs_sparsity.png", caption="../report/downscaling.rst", category="downscaling"),
        sparsity_pdf=f"{DS_FIGS}/accuracy_vs_sparsity.pdf",
        size_png=report(f"{DS_FIGS}/accuracy_vs_size.png", caption="../report/downscaling.rst", category="downscaling"),
        size_pdf=f"{DS_FIGS}/accuracy_vs_size.pdf",
        table=f"{DS_FIGS}/pruning_table.md",
        table_tex=f"{DS_FIGS}/pruning_table.tex",
        table_csv=f"{DS_FIGS}/pruning_table.csv",
        claims=f"{DS_FIGS}/claims.json",
    params:
        stage="downscaling.render",
        code=code_version("downscaling.render"),
        cfg={"scale": config["scale"], "chance": {"fact": 1 / DS["data"]["objects"],
                                                   "retrieval": 1 / DS["data"]["pairs"],
                                                   "icl": 1 / DS["data"]["modulus"]}},
    resources:
        **light_resources("downscaling"),
    log:
        "results/downscaling/logs/render.log",
    benchmark:
        "results/downscaling/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule downscaling:
    input:
        PAPER_TARGETS["downscaling"],
