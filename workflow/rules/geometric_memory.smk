# Deep sequence models tend to memorize geometrically (Noroozizadeh, Nagarajan et al., 2025).
# (a) tiny graphs: three edge memorisers per seed → embedding geometry; (b) in-weights path-star
# per seed → held-out-leaf accuracy; → render.

GM = config["geometric_memory"]
GM_FIGS = "paper_figures/geometric_memory"
PAPER_TARGETS["geometric_memory"] = [
    f"{GM_FIGS}/{f}"
    for f in [
        "embedding_maps.png", "embedding_maps.pdf", "similarity_vs_distance.png", "similarity_vs_distance.pdf",
        "spectral_projection.png", "spectral_projection.pdf", "path_accuracy.png", "path_accuracy.pdf",
        "geometry_table.md", "geometry_table.tex", "geometry_table.csv", "claims.json",
    ]
]


rule geometric_memory_tiny:
    input:
        # the paper's own graphs, for tiny graphs given as an edges_file
        **{f"edges_{g['name']}": str(g["edges_file"]) for g in GM["tiny"]["graphs"] if g.get("edges_file")},
    output:
        metrics="results/geometric_memory/tiny/seed{seed}.json",
    params:
        stage="geometric_memory.tiny",
        code=code_version("geometric_memory.tiny"),
        cfg=lambda w: GM["tiny"] | {"seed": int(w.seed)},
    threads: GM["threads"]
    resources:
        **light_resources("geometric_memory"),
    log:
        "results/geometric_memory/logs/tiny_seed{seed}.log",
    benchmark:
        "results/geometric_memory/benchmarks/tiny_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule geometric_memory_train_star:
    input:
        # the paper's own star, when the config names its three files
        **{k: str(GM["star"][k]) for k in ("edges_file", "train_paths_file", "test_paths_file") if GM["star"].get(k)},
    output:
        metrics="results/geometric_memory/star/seed{seed}.json",
    params:
        stage="geometric_memory.train_star",
        code=code_version("geometric_memory.train_star"),
        cfg=lambda w: GM["star"] | {"seed": int(w.seed)},
    threads: GM["threads"]
    resources:
        **train_resources("geometric_memory", resumable=True),  # fit() checkpoints: total_runtime may span attempts
    retries: train_retries("geometric_memory")
    log:
        "results/geometric_memory/logs/train_star_seed{seed}.log",
    benchmark:
        "results/geometric_memory/benchmarks/train_star_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule geometric_memory_render:
    input:
        tiny=expand("results/geometric_memory/tiny/seed{seed}.json", seed=GM["seeds"]),
        star=expand("results/geometric_memory/star/seed{seed}.json", seed=GM["seeds"]),
    output:
        maps_png=report(f"{GM_FIGS}/embedding_maps.png", caption="../report/geometric_memory.rst", category="geometric_memory"),
        maps_pdf=f"{GM_FIGS}/embedding_maps.pdf",
        similarity_png=report(f"{GM_FIGS}/similarity_vs_distance.png", caption="../report/geometric_memory.rst", category="geometric_memory"),
        similarity_pdf=f"{GM_FIGS}/similarity_vs_distance.pdf",
        spectral_png=report(f"{GM_FIGS}/spectral_projection.png", caption="../report/geometric_memory.rst", category="geometric_memory"),
        spectral_pdf=f"{GM_FIGS}/spectral_projection.pdf",
        paths_png=report(f"{GM_FIGS}/path_accuracy.png", caption="../report/geometric_memory.rst", category="geometric_memory"),
        paths_pdf=f"{GM_FIGS}/path_accuracy.pdf",
        table=f"{GM_FIGS}/geometry_table.md",
        table_tex=f"{GM_FIGS}/geometry_table.tex",
        table_csv=f"{GM_FIGS}/geometry_table.csv",
        claims=f"{GM_FIGS}/claims.json",
    params:
        stage="geometric_memory.render",
        code=code_version("geometric_memory.render"),
        cfg={"scale": config["scale"]},
    resources:
        **light_resources("geometric_memory"),
    log:
        "results/geometric_memory/logs/render.log",
    benchmark:
        "results/geometric_memory/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule geometric_memory:
    input:
        PAPER_TARGETS["geometric_memory"],
