# What do larger image classifiers memorise? (Lukasik, Nagarajan et al., 2023).
# per seed: K subsampled runs per model size (+ distilled students), in blocks of runs → merge: Feldman
# memorisation → render.

MS = config["memorisation_scaling"]
MS_FIGS = "paper_figures/memorisation_scaling"
PAPER_TARGETS["memorisation_scaling"] = [
    f"{MS_FIGS}/{f}"
    for f in [
        "trajectories.png", "trajectories.pdf", "distillation.png", "distillation.pdf", "proxies.png", "proxies.pdf",
        "summary.md", "summary.tex", "summary.csv", "claims.json",
    ]
]


MS_CHUNKS = range(MS.get("run_chunks", 1))
if len(MS_CHUNKS) > MS["runs"]:
    raise ValueError(f"memorisation_scaling: run_chunks {len(MS_CHUNKS)} > runs {MS['runs']}: a block would be empty")
if ("archs" in MS and MS["teacher_arch"] != MS["archs"][-1]) or ("archs" not in MS and MS["teacher_width"] != MS["widths"][-1]):
    raise ValueError("memorisation_scaling: the teacher (teacher_arch / teacher_width) must be the last, largest "
                     "network of archs / widths")  # checked again by the stage (train.teacher_network)


rule memorisation_scaling_train:
    # one block of the seed's K runs (all sizes, both arms); full scale splits the runs over run_chunks jobs
    input:
        **image_input(MS["source"]),
    output:
        runs="results/memorisation_scaling/seed{seed}/runs{chunk}.npz",
    params:
        stage="memorisation_scaling.train",
        code=code_version("memorisation_scaling.train"),
        cfg=lambda w: {k: v for k, v in MS.items() if k not in ("seeds", "resources", "threads", "threshold")}
        | {"seed": int(w.seed), "chunk": int(w.chunk)},
    threads: MS["threads"]
    resources:
        **train_resources("memorisation_scaling"),
    log:
        "results/memorisation_scaling/logs/train_seed{seed}_runs{chunk}.log",
    benchmark:
        "results/memorisation_scaling/benchmarks/train_seed{seed}_runs{chunk}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule memorisation_scaling_merge:
    input:
        runs=expand("results/memorisation_scaling/seed{{seed}}/runs{chunk}.npz", chunk=MS_CHUNKS),
    output:
        metrics="results/memorisation_scaling/seed{seed}.json",
    params:
        stage="memorisation_scaling.merge",
        code=code_version("memorisation_scaling.merge"),
        cfg=lambda w: {k: v for k, v in MS.items() if k not in ("seeds", "resources", "threads", "threshold")}
        | {"seed": int(w.seed)},
    resources:
        **light_resources("memorisation_scaling"),
    log:
        "results/memorisation_scaling/logs/merge_seed{seed}.log",
    benchmark:
        "results/memorisation_scaling/benchmarks/merge_seed{seed}.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule memorisation_scaling_render:
    input:
        metrics=expand("results/memorisation_scaling/seed{seed}.json", seed=MS["seeds"]),
    output:
        trajectories_png=report(f"{MS_FIGS}/trajectories.png", caption="../report/memorisation_scaling.rst", category="memorisation_scaling"),
        trajectories_pdf=f"{MS_FIGS}/trajectories.pdf",
        kd_png=report(f"{MS_FIGS}/distillation.png", caption="../report/memorisation_scaling.rst", category="memorisation_scaling"),
        kd_pdf=f"{MS_FIGS}/distillation.pdf",
        proxies_png=report(f"{MS_FIGS}/proxies.png", caption="../report/memorisation_scaling.rst", category="memorisation_scaling"),
        proxies_pdf=f"{MS_FIGS}/proxies.pdf",
        table=f"{MS_FIGS}/summary.md",
        table_tex=f"{MS_FIGS}/summary.tex",
        table_csv=f"{MS_FIGS}/summary.csv",
        claims=f"{MS_FIGS}/claims.json",
    params:
        stage="memorisation_scaling.render",
        code=code_version("memorisation_scaling.render"),
        cfg={"scale": config["scale"], "threshold": MS["threshold"]},
    resources:
        **light_resources("memorisation_scaling"),
    log:
        "results/memorisation_scaling/logs/render.log",
    benchmark:
        "results/memorisation_scaling/benchmarks/render.tsv"
    conda:
        TORCH_ENV
    script:
        STAGE


rule memorisation_scaling:
    input:
        PAPER_TARGETS["memorisation_scaling"],
